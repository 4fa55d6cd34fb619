"""``a2i-kit admin`` webhook commands: a slot the webhooks work fills (``add-webhook`` …).

Example:
    $ a2i-kit admin --help
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Webhook admin commands (added by the webhooks work)."""
