"""``a2i-kit admin``: placeholder until its subcommands land (they register here)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """No subcommand yet."""
