"""`a2i-kit demo` (placeholder until its area lands)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    subparsers.add_parser("demo", help="(not yet available)")
