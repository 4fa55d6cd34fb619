"""``a2i-kit admin``: administer a service's store directly (access keys; webhooks register here too).

Access keys let boto3, the AWS CLI and the SageMaker SDK call a service that verifies SigV4
(``a2i-kit serve --require-auth``, or any ``--allow-remote`` host). The secret is printed once.

Example:
    $ a2i-kit admin create-access-key --name alice
    $ a2i-kit admin list-access-keys
    $ a2i-kit admin delete-access-key AKIAXXXXXXXXXXXXXXXX
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from a2i_kit.cli import admin_webhooks
from a2i_kit.config import Settings
from a2i_kit.errors import InputError
from a2i_kit.service.access_keys import CACHE_SECONDS, AccessKeys, IssuedKey, default_key_file
from a2i_kit.service.timefmt import iso_seconds


def register(subparsers: argparse._SubParsersAction) -> None:
    """``a2i-kit admin <command>``: the access-key commands, then the webhook commands."""
    parser = subparsers.add_parser("admin", help="administer the service's store (access keys, webhooks)",
                                   description=__doc__.splitlines()[0])
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)
    admin_subparsers = parser.add_subparsers(dest="admin_command", metavar="ADMIN_COMMAND")
    create = admin_subparsers.add_parser("create-access-key", help="issue an access key (the secret is shown once)")
    create.add_argument("--name", required=True, help="who or what uses the key, e.g. alice (unique)")
    create.set_defaults(func=create_key)
    listing = admin_subparsers.add_parser("list-access-keys", help="list access keys (never their secrets)")
    listing.set_defaults(func=list_keys)
    delete = admin_subparsers.add_parser("delete-access-key", help="delete an access key; it stops working at once")
    delete.add_argument("key_id", metavar="KEY_ID")
    delete.set_defaults(func=delete_key)
    for command in (create, listing, delete):
        store_options(command)
    admin_webhooks.register(admin_subparsers)


def store_options(parser: argparse.ArgumentParser) -> None:
    """``--data-dir``, ``--database-url`` and ``--secret-key-file``, as ``a2i-kit serve`` takes them."""
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the service's data directory (default $A2I_KIT_DATA_DIR or ~/.a2i-kit/data)")
    parser.add_argument("--database-url", default=None,
                        help="the service's database (default $A2I_KIT_DATABASE_URL, else SQLite in --data-dir)")
    parser.add_argument("--secret-key-file", type=Path, default=None,
                        help="key that seals access-key secrets (default $A2I_KIT_SECRET_KEY_FILE, else "
                             "<data-dir>/secret.key)")


def service_config(args: argparse.Namespace) -> Any:
    """The ``ServiceConfig`` the options and ``A2I_KIT_*`` variables describe."""
    from a2i_kit.service.context import ServiceConfig

    settings = Settings.from_env()
    key_file = args.secret_key_file or os.environ.get("A2I_KIT_SECRET_KEY_FILE") or None
    return ServiceConfig(data_dir=(args.data_dir or settings.data_dir).expanduser(), region=settings.region,
                         account_id=settings.account_id,
                         database_url=args.database_url or os.environ.get("A2I_KIT_DATABASE_URL") or None,
                         secret_key_file=Path(key_file).expanduser() if key_file else None)


@contextmanager
def open_keys(config: Any) -> Iterator[AccessKeys]:
    """``with open_keys(config) as keys:`` the access keys of the store ``config`` names (no service needed).

    The store is opened as the service opens it (a SQLite store is created or upgraded on the way).
    """
    from a2i_kit.service.store import Store
    from a2i_kit.service.store.access_keys import AccessKeyRepository

    store = Store.open(config)
    try:
        yield AccessKeys(AccessKeyRepository.of(store), default_key_file(config))
    finally:
        store.close()


def usage_lines(key: IssuedKey, region: str) -> list[str]:
    """How to use a new key with boto3, the AWS CLI and the SageMaker SDK."""
    return [
        f"Access key for {key.name} (the secret is shown only now; store it like a password):",
        f"  AccessKeyId:     {key.key_id}",
        f"  SecretAccessKey: {key.secret}",
        "",
        "Use it from a shell (boto3, the AWS CLI and the SageMaker SDK read these):",
        f"  export AWS_ACCESS_KEY_ID={key.key_id}",
        f"  export AWS_SECRET_ACCESS_KEY={key.secret}",
        f"  export AWS_DEFAULT_REGION={region}",
        "or keep it in a profile:",
        f"  aws configure set aws_access_key_id {key.key_id} --profile a2i-kit",
        f"  aws configure set aws_secret_access_key {key.secret} --profile a2i-kit",
        f"  aws configure set region {region} --profile a2i-kit",
        "and point the clients at the service with AWS_ENDPOINT_URL_SAGEMAKER and "
        "AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME.",
    ]


def create_key(args: argparse.Namespace) -> int:
    config = service_config(args)
    with open_keys(config) as keys:
        key = keys.create(args.name)
    print("\n".join(usage_lines(key, config.region)), flush=True)
    return 0


def list_keys(args: argparse.Namespace) -> int:
    with open_keys(service_config(args)) as opened:
        keys = opened.list()
    if not keys:
        print("no access keys; issue one with: a2i-kit admin create-access-key --name NAME")
        return 0
    rows = [("KEY_ID", "NAME", "CREATED", "LAST_USED")]
    rows += [(k.key_id, k.name, iso_seconds(k.created), iso_seconds(k.last_used) if k.last_used else "never")
             for k in keys]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def delete_key(args: argparse.Namespace) -> int:
    with open_keys(service_config(args)) as keys:
        names = {k.key_id: k.name for k in keys.list()}
        deleted = keys.delete(args.key_id)
    if not deleted:
        raise InputError(f"there is no access key {args.key_id[:40]!r}; `a2i-kit admin list-access-keys` shows them")
    print(f"deleted access key {args.key_id} ({names.get(args.key_id, '?')}); running services refuse it within "
          f"{CACHE_SECONDS:g} seconds")
    return 0
