"""``a2i-kit doctor``: preflight checks of an AWS setup for A2I; exit status 1 when a check fails.

Example:
    $ a2i-kit doctor --flow-definition claims-review --format json
    $ a2i-kit doctor --bucket acme-a2i --prefix reviews/out --workteam reviewers --role arn:aws:iam::123456789012:role/A2I
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from a2i_kit.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="check an AWS setup for A2I (credentials, IAM, S3, CORS, "
                                   "workteam, flow definitions, task UI)", description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    parser.add_argument("--flow-definition", metavar="NAME", help="flow definition to check (name or ARN)")
    parser.add_argument("--bucket", metavar="B", help="output bucket (default: the flow definition's)")
    parser.add_argument("--prefix", metavar="P", help="output prefix inside the bucket")
    parser.add_argument("--workteam", metavar="W", help="workteam name or ARN (default: the flow definition's)")
    parser.add_argument("--role", metavar="ARN", help="execution role (default: the flow definition's, else discovered)")
    parser.add_argument("--sample-input", metavar="FILE", help="JSON task input to render the task UI with")
    parser.add_argument("--region", help="AWS region (default: the usual AWS configuration)")
    parser.add_argument("--profile", help="AWS profile name")
    parser.set_defaults(func=run)


def _sample(path: str | None) -> object:
    if path is None:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"--sample-input {path}: not a readable JSON file ({exc}); pass a file holding one "
                         "task input object") from exc


def run(args: argparse.Namespace) -> int:
    from a2i_kit.session import connect

    sample = _sample(args.sample_input)
    session = connect("aws", region=args.region, profile_name=args.profile)
    report = session.doctor(flow_definition=args.flow_definition, bucket=args.bucket, prefix=args.prefix,
                            workteam=args.workteam, sample_input=sample, role=args.role)
    print(report.to_json() if args.format == "json" else report.table())
    return 0 if report.ok else 1
