"""`a2i-kit template` (placeholder until its area lands)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    subparsers.add_parser("template", help="(not yet available)")
