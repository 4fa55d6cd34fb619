"""``a2i-kit admin`` webhook commands: register URLs that receive every status-change event.

Each event is POSTed as JSON, signed with the webhook's secret (header ``X-A2I-Kit-Signature:
t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``; see ``a2i_kit.service.webhooks``),
retried with exponential backoff, and logged per delivery. The commands work on the store
directly (``--data-dir`` / ``--database-url``); a running service picks the changes up itself.

Example:
    $ a2i-kit admin add-webhook https://hooks.example.com/a2i --secret "$(openssl rand -hex 32)"
    $ a2i-kit admin list-webhooks
    $ a2i-kit admin webhook-log 1
    $ a2i-kit admin remove-webhook 1
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from a2i_kit.errors import InputError
from a2i_kit.service.timefmt import iso_seconds


def register(subparsers: argparse._SubParsersAction) -> None:
    """``add-webhook``, ``list-webhooks``, ``remove-webhook`` and ``webhook-log``."""
    from a2i_kit.cli.admin import store_options

    add = subparsers.add_parser("add-webhook", help="POST every status-change event to URL (signed)")
    add.add_argument("url", metavar="URL", help="http:// or https:// URL that receives the events")
    add.add_argument("--secret", required=True,
                     help="16-256 printable characters that sign each delivery; '-' reads it from stdin")
    add.set_defaults(func=add_command)
    listing = subparsers.add_parser("list-webhooks", help="list webhooks and their delivery counts")
    listing.set_defaults(func=list_command)
    remove = subparsers.add_parser("remove-webhook", help="stop delivering to a webhook and drop its log")
    remove.add_argument("webhook_id", metavar="ID", type=int)
    remove.set_defaults(func=remove_command)
    log = subparsers.add_parser("webhook-log", help="the newest deliveries of a webhook")
    log.add_argument("webhook_id", metavar="ID", type=int)
    log.add_argument("--limit", type=int, default=50, help="how many deliveries (1-1000, default 50)")
    log.set_defaults(func=log_command)
    for command in (add, listing, remove, log):
        store_options(command)


@contextmanager
def service_context(args: argparse.Namespace) -> Iterator[Any]:
    """The store (and sealing key) the options name, opened without starting a service."""
    from a2i_kit.cli.admin import service_config
    from a2i_kit.service.context import ServiceContext

    ctx = ServiceContext.create(service_config(args))
    try:
        yield ctx
    finally:
        ctx.store.close()


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def add_command(args: argparse.Namespace) -> int:
    from a2i_kit.service.webhook_delivery import add_webhook

    secret = sys.stdin.readline().strip() if args.secret == "-" else args.secret
    with service_context(args) as ctx:
        view = add_webhook(ctx, args.url, secret)
    print(f"webhook {view['id']}: {view['url']} receives every event recorded from now on "
          f"(after event {view['lastSeq']}); `a2i-kit admin webhook-log {view['id']}` shows its deliveries")
    return 0


def list_command(args: argparse.Namespace) -> int:
    from a2i_kit.service.webhook_delivery import list_webhooks

    with service_context(args) as ctx:
        hooks = list_webhooks(ctx)
    if not hooks:
        print("no webhooks; register one with: a2i-kit admin add-webhook URL --secret SECRET")
        return 0
    rows = [("ID", "URL", "CREATED", "DELIVERED", "PENDING", "FAILED")]
    rows += [(str(h["id"]), h["url"], iso_seconds(h["created"]), str(h["deliveries"]["delivered"]),
              str(h["deliveries"]["pending"] + h["deliveries"]["sending"]), str(h["deliveries"]["failed"]))
             for h in hooks]
    _table(rows)
    return 0


def remove_command(args: argparse.Namespace) -> int:
    from a2i_kit.service.webhook_delivery import remove_webhook

    with service_context(args) as ctx:
        if not remove_webhook(ctx, args.webhook_id):
            raise InputError(f"there is no webhook {args.webhook_id}; `a2i-kit admin list-webhooks` shows them")
    print(f"removed webhook {args.webhook_id} and its delivery log")
    return 0


def log_command(args: argparse.Namespace) -> int:
    from a2i_kit.service.webhook_delivery import delivery_log

    if not 1 <= args.limit <= 1000:
        raise InputError(f"--limit {args.limit}: give 1 to 1000")
    with service_context(args) as ctx:
        log = delivery_log(ctx, args.webhook_id, args.limit)
    if log is None:
        raise InputError(f"there is no webhook {args.webhook_id}; `a2i-kit admin list-webhooks` shows them")
    if not log:
        print(f"webhook {args.webhook_id} has no deliveries yet")
        return 0
    rows = [("DELIVERY", "STATUS", "ATTEMPTS", "LAST_HTTP", "DELIVERED_AT", "LAST_ERROR")]
    rows += [(d["delivery"], d["status"], str(d["attempts"]), str(d["lastStatus"] or "-"),
              iso_seconds(d["deliveredAt"]) if d["deliveredAt"] else "-", (d["lastError"] or "-")[:80])
             for d in log]
    _table(rows)
    return 0
