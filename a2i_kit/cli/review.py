"""`a2i-kit review` (placeholder until its area lands)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    subparsers.add_parser("review", help="(not yet available)")
