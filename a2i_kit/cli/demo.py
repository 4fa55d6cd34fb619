"""``a2i-kit demo``: the whole review cycle on the embedded service, written to a results folder.

Example:
    $ a2i-kit demo --items 300 --out results/my-demo
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run the end-to-end demo on the embedded service",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="results folder (default: results/demo-<UTC time>)")
    parser.add_argument("--items", type=int, default=300, help="number of predictions (default 300)")
    parser.add_argument("--threshold", type=float, default=0.8, help="review below this confidence")
    parser.add_argument("--audit-rate", type=float, default=0.1, help="share of confident items audited")
    parser.add_argument("--reviewers", type=int, default=3, help="simulated reviewers")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from a2i_kit.demo import run_demo

    result = run_demo(args.out, n_items=args.items, threshold=args.threshold,
                      audit_rate=args.audit_rate, reviewers=args.reviewers, seed=args.seed)
    print(f"\nDone. Results folder: {result.out_dir}")
    return 0
