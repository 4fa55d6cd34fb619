"""`a2i-kit review`: add local workers and run simulated reviewers against a running service.

Example:
    $ a2i-kit review add-worker alice --group reviewers --endpoint http://127.0.0.1:8443
    $ a2i-kit review sign-in-link alice --endpoint http://127.0.0.1:8443   # a new one-time link
    $ a2i-kit review simulate --endpoint http://127.0.0.1:8443 --workers 3 \\
          --ground-truth-key label --accuracy 0.9 --seed 0
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from a2i_kit.config import Settings
from a2i_kit.errors import ConfigError

ENDPOINT_ENV = "A2I_KIT_ENDPOINT"
TOKEN_ENV = "A2I_KIT_ADMIN_TOKEN"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", default=os.environ.get(ENDPOINT_ENV),
                        help=f"URL of the running service (default ${ENDPOINT_ENV})")
    parser.add_argument("--admin-token-file", type=Path, default=None,
                        help=f"file holding the admin token (default ${TOKEN_ENV}, else <data_dir>/admin-token)")


def register(subparsers: argparse._SubParsersAction) -> None:
    review = subparsers.add_parser("review", help="add local workers, run simulated reviewers")
    commands = review.add_subparsers(dest="review_command", metavar="ACTION")
    review.set_defaults(func=lambda _args: review.print_help() or 2)

    add = commands.add_parser("add-worker", help="create a worker; prints its token and sign-in link")
    add.add_argument("name")
    add.add_argument("--group", action="append", required=True, dest="groups",
                     help="workforce group (repeatable), e.g. the team's Cognito UserGroup")
    add.add_argument("--identity-provider", choices=("Cognito", "Oidc"), default="Cognito")
    _common(add)
    add.set_defaults(func=_add_worker)

    link = commands.add_parser("sign-in-link", help="print a new one-time portal sign-in link for a worker")
    link.add_argument("worker", help="the worker's name or workerId")
    _common(link)
    link.set_defaults(func=_sign_in_link)

    workers = commands.add_parser("workers", help="list the local workers")
    _common(workers)
    workers.set_defaults(func=_list_workers)

    sim = commands.add_parser("simulate", help="let seeded simulated reviewers answer open tasks")
    _common(sim)
    sim.add_argument("--workers", type=int, default=3)
    sim.add_argument("--group", action="append", dest="groups", help="group of the workers (default reviewers)")
    sim.add_argument("--ground-truth-key", help="input key holding the true label, e.g. label or meta.label")
    sim.add_argument("--accuracy", type=float, default=0.9)
    sim.add_argument("--abstain-rate", type=float, default=0.0)
    sim.add_argument("--median-seconds", type=float, default=30.0, help="median simulated time per task")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--max-tasks", type=int, default=None)
    sim.add_argument("--threads", type=int, default=1)
    sim.set_defaults(func=_simulate)


def _connection(args: argparse.Namespace) -> tuple[str, str]:
    if not args.endpoint:
        raise ConfigError(f"give --endpoint URL (or set ${ENDPOINT_ENV}) of a running `a2i-kit serve`")
    token = os.environ.get(TOKEN_ENV, "") if args.admin_token_file is None else ""
    path = args.admin_token_file or Settings.from_env().data_dir / "admin-token"
    if not token:
        try:
            token = Path(path).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the admin token from {path} ({exc.strerror}); pass "
                              f"--admin-token-file <data_dir>/admin-token or set ${TOKEN_ENV}") from exc
    return args.endpoint.rstrip("/"), token


def _add_worker(args: argparse.Namespace) -> int:
    from a2i_kit.review import add_worker

    endpoint, token = _connection(args)
    worker = add_worker(endpoint, token, args.name, args.groups, args.identity_provider)
    print(f"worker    {worker['name']} ({worker['workerId']}), groups {', '.join(worker['groups'])}")
    print(f"token     {worker['token']}")
    print(f"sign in   {worker['signInUrl']}")
    print("The token is shown only now; keep it secret. The sign-in link works once; "
          f"`a2i-kit review sign-in-link {args.name}` prints a new one.")
    return 0


def _sign_in_link(args: argparse.Namespace) -> int:
    from a2i_kit.review import AdminClient

    endpoint, token = _connection(args)
    with AdminClient(endpoint, token) as admin:
        found = [w for w in admin.workers() if args.worker in (w["name"], w["workerId"])]
        if not found:
            raise ConfigError(f"no worker named {args.worker!r}; list them with `a2i-kit review workers`")
        print(admin.sign_in_link(found[0]["workerId"]))
    return 0


def _list_workers(args: argparse.Namespace) -> int:
    from a2i_kit.review import AdminClient

    endpoint, token = _connection(args)
    with AdminClient(endpoint, token) as admin:
        for worker in admin.workers():
            print(f"{worker['workerId']}  {worker['name']:<24} {','.join(worker['groups'])}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from a2i_kit.review import LatencyModel, simulate_reviewers

    endpoint, token = _connection(args)
    summary = simulate_reviewers(
        endpoint, token, workers=args.workers, groups=args.groups or ["reviewers"],
        ground_truth_key=args.ground_truth_key, accuracy=args.accuracy, abstain_rate=args.abstain_rate,
        latency=LatencyModel(median_seconds=args.median_seconds), seed=args.seed,
        max_tasks=args.max_tasks, threads=args.threads)
    print(json.dumps({"answered": summary.answered, "abstained": summary.abstained,
                      "accuracy": summary.accuracy, "total_answered": summary.total_answered}, indent=2))
    return 0
