"""``a2i-kit db``: the schema version of the service's database, and upgrades that keep the data.

Example:
    $ a2i-kit db version --database-url postgresql+psycopg://a2i:PW@db/a2i
    schema version 0 (this a2i-kit needs 1: run a2i-kit db upgrade)
    $ a2i-kit db upgrade --database-url postgresql+psycopg://a2i:PW@db/a2i
    schema version 0 → 1
    $ a2i-kit db upgrade --data-dir ~/.a2i-kit/data
    already at version 1

Back up the database first (pg_dump, or a copy of the data directory with the service stopped);
the embedded default (SQLite in the data directory) also upgrades itself when the service starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from a2i_kit.config import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="schema version and upgrades of the service's database",
                                   description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="db_command", metavar="COMMAND")
    for name, func, text in (("upgrade", upgrade, "upgrade the schema to this a2i-kit's version"),
                             ("version", version, "print the schema version of the database")):
        sub = commands.add_parser(name, help=text, description=text)
        where = sub.add_mutually_exclusive_group()
        where.add_argument("--data-dir", type=Path, default=None,
                           help="the SQLite store of this data directory (default $A2I_KIT_DATA_DIR or "
                                "~/.a2i-kit/data)")
        where.add_argument("--database-url", default=None,
                           help="a shared database, e.g. postgresql+psycopg://USER:PW@HOST/DB "
                                "(default $A2I_KIT_DATABASE_URL)")
        sub.set_defaults(func=func)
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)


def database_url(args: argparse.Namespace) -> str:
    """The URL the flags name: ``--database-url``, else ``--data-dir``, else the environment."""
    if args.database_url:
        return str(args.database_url)
    if args.data_dir is None and os.environ.get("A2I_KIT_DATABASE_URL"):
        return os.environ["A2I_KIT_DATABASE_URL"]
    data_dir = (args.data_dir or Settings.from_env().data_dir).expanduser()
    return f"sqlite:///{data_dir / 'a2i.sqlite3'}"


def _sqlite_path(url: str) -> Path | None:
    return Path(url.split("///", 1)[1]) if url.startswith("sqlite:///") else None


def version(args: argparse.Namespace) -> int:
    """``a2i-kit db version``: 0 when current, 1 when an upgrade is due or there is no database."""
    from a2i_kit.service.config_check import probe_database
    from a2i_kit.service.config_errors import database_errors, public_url
    from a2i_kit.service.store.schema import SCHEMA_VERSION

    url = database_url(args)
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        print(f"no database at {path} yet (the service creates schema version {SCHEMA_VERSION} at first start)")
        return 1
    with database_errors(url):
        found, _read_only = probe_database(url)
    if found is None:
        print(f"{public_url(url)} is empty (db upgrade creates schema version {SCHEMA_VERSION})")
        return 1
    if found == SCHEMA_VERSION:
        print(f"schema version {found} (current)")
        return 0
    hint = "run a2i-kit db upgrade" if found < SCHEMA_VERSION else "upgrade a2i-kit"
    print(f"schema version {found} (this a2i-kit needs {SCHEMA_VERSION}: {hint})")
    return 1


def upgrade(args: argparse.Namespace) -> int:
    """``a2i-kit db upgrade``: prints "schema version X → Y" or "already at version Y"."""
    from a2i_kit.service.config_errors import database_errors
    from a2i_kit.service.private import private_dir, private_file
    from a2i_kit.service.store.migrations import upgrade as upgrade_schema

    url = database_url(args)
    path = _sqlite_path(url)
    if path is not None:
        private_dir(path.parent)
        private_file(path)  # 0600 before SQLite creates it
    with database_errors(url):
        before, after = upgrade_schema(url)
    if before == after:
        print(f"already at version {after}")
    else:
        print(f"schema version {'none' if before is None else before} → {after}")
    sys.stdout.flush()
    return 0
