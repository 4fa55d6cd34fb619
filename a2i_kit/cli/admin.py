"""``a2i-kit admin``: administer a service's store directly (access keys; webhooks register here too).

Example:
    $ a2i-kit admin create-access-key --name alice
"""

from __future__ import annotations

import argparse

from a2i_kit.cli import admin_webhooks


def register(subparsers: argparse._SubParsersAction) -> None:
    """``a2i-kit admin <command>``: the access-key commands, then the webhook commands."""
    parser = subparsers.add_parser("admin", help="administer the service's store (access keys, webhooks)",
                                   description=__doc__.splitlines()[0])
    admin_subparsers = parser.add_subparsers(dest="admin_command", metavar="ADMIN_COMMAND")
    admin_webhooks.register(admin_subparsers)
