"""`a2i-kit serve` (placeholder until its area lands)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    subparsers.add_parser("serve", help="(not yet available)")
