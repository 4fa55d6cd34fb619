"""Schema versions: create a fresh store, upgrade an older one, refuse a newer one.

The version lives in the ``schema_version`` table (one row per version reached). Version 0 is a
store from before versions existed: it has the service's tables but no ``schema_version``.
Upgrades are plain functions in :data:`STEPS`, one per version, each run in one transaction
(PostgreSQL's DDL is transactional; an advisory lock keeps two processes from racing).

We use no Alembic: the schema is small, identical on both databases through SQLAlchemy's
``MetaData``, and only ever grows; a step list keeps start-up free of Alembic's import and
environment files, and ``a2i-kit db upgrade`` needs nothing beyond this module.

Example:
    >>> import tempfile, os
    >>> upgrade(os.path.join(tempfile.mkdtemp(), "a2i.sqlite3"))
    (None, 4)
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import doc_field
from a2i_kit.service.store.core import Engine, StoreError
from a2i_kit.service.store.errors import explain

__all__ = ["STEPS", "MigrationError", "current_version", "prepare", "upgrade"]

log = logging.getLogger(__name__)
LOCK_KEY = 0x6132_696B  # pg advisory lock of schema changes ("a2ik")
V0_TABLES = {"task_uis", "flow_definitions", "workteams", "workers", "loops", "assignments", "settings", "outbox"}


class MigrationError(StoreError):
    """The schema cannot be brought to this version of a2i-kit (the message says what to do)."""


def current_version(conn: Connection) -> int | None:
    """The schema version, 0 for a store from before versions, None for an empty database."""
    tables = set(sa.inspect(conn).get_table_names())
    if "schema_version" in tables:
        return int(conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar() or 0)
    if tables & V0_TABLES:
        return 0
    return None


def _to_v1(conn: Connection, data_dir: Path | None) -> None:
    """v0 → v1: the team-scale tables; events of ``events.jsonl`` copied into ``events``."""
    schema.metadata.create_all(conn, checkfirst=True)
    log_path = data_dir / "events.jsonl" if data_dir else None
    if log_path is None or not log_path.exists():
        return
    rows = []
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # a torn last line after a crash
            break
        detail = event.get("detail") or {}
        rows.append({"event_id": event["id"], "loop_name": detail.get("humanLoopName", ""),
                     "time": time.time(), "doc": json.dumps(event, separators=(",", ":"))})
    if rows:
        conn.execute(sa.insert(schema.events), rows)


DEFAULT_LIFETIME = 864000  # TaskAvailabilityLifetimeInSeconds when a loop's document has none


def _to_v2(conn: Connection, _data_dir: Path | None) -> None:
    """v1 → v2: ``loops.expires_at`` and ``loops.workteam_arn`` (indexed), filled from each ``doc``."""
    loops = schema.loops
    present = {c["name"] for c in sa.inspect(conn).get_columns("loops")}
    for column in ("expires_at", "workteam_arn"):
        if column not in present:  # a v0 store upgraded through v1 in this transaction lacks both
            kind = loops.c[column].type.compile(conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE loops ADD COLUMN {column} {kind}")
    lifetime = sa.cast(doc_field(loops.c.doc, "TaskAvailabilityLifetimeInSeconds"), sa.Double)
    conn.execute(sa.update(loops).where(loops.c.expires_at.is_(None)).values(
        expires_at=loops.c.creation_time + sa.func.coalesce(lifetime, DEFAULT_LIFETIME),
        workteam_arn=doc_field(loops.c.doc, "WorkteamArn")))
    for index in loops.indexes:
        index.create(conn, checkfirst=True)
    # (status) is a prefix of loops_expiring: one index fewer to write per StartHumanLoop
    conn.exec_driver_sql("DROP INDEX IF EXISTS loops_by_status")


def _to_v3(conn: Connection, _data_dir: Path | None) -> None:
    """v2 → v3: the reviewer quality-control tables (new, empty); no existing row changes."""
    for name in schema.QUALITY_TABLES:
        schema.metadata.tables[name].create(conn, checkfirst=True)


def _to_v4(conn: Connection, _data_dir: Path | None) -> None:
    """v3 → v4: ``loops.summary`` (the task list's fields of ``doc``), filled from each ``doc``."""
    if "summary" not in {c["name"] for c in sa.inspect(conn).get_columns("loops")}:
        conn.exec_driver_sql("ALTER TABLE loops ADD COLUMN summary TEXT")
    if conn.dialect.name == "sqlite":
        pairs = ", ".join(f"'{f}', json_extract(doc, '$.{f}')" for f in schema.SUMMARY_FIELDS)
        conn.exec_driver_sql(f"UPDATE loops SET summary = json_object({pairs}) WHERE summary IS NULL")
    else:  # one parse of each document (jsonb), not one per field
        pairs = ", ".join(f"'{f}', j -> '{f}'" for f in schema.SUMMARY_FIELDS)
        conn.exec_driver_sql(f"UPDATE loops SET summary = (SELECT CAST(jsonb_build_object({pairs}) AS TEXT) "
                             "FROM (SELECT CAST(loops.doc AS JSONB) AS j) AS parsed) WHERE summary IS NULL")


STEPS: dict[int, Callable[[Connection, Path | None], None]] = {1: _to_v1, 2: _to_v2, 3: _to_v3, 4: _to_v4}


def _migrate(engine: Engine, *, allow_upgrade: bool) -> tuple[int | None, int]:
    with engine.transaction() as tx:
        conn = tx.conn
        if not engine.sqlite:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        found = current_version(conn)
        target = schema.SCHEMA_VERSION
        if found is not None and found > target:
            raise MigrationError(f"the database's schema is version {found}, newer than this a2i-kit "
                                 f"understands ({target}): upgrade a2i-kit (pip install -U a2i-kit)")
        if found == target:
            return found, target
        if found is None:
            schema.metadata.create_all(conn)
        elif not allow_upgrade:
            raise MigrationError(f"the database's schema is version {found}; this a2i-kit needs version "
                                 f"{target}: run `a2i-kit db upgrade --database-url URL` first")
        else:
            data_dir = engine.path.parent if engine.path is not None else None
            for version in range(found + 1, target + 1):
                STEPS[version](conn, data_dir)
        conn.execute(sa.insert(schema.schema_version), {"version": target, "upgraded_at": time.time()})
    if found is not None:
        log.info("store schema upgraded from version %s to %s", found, target)
    return found, target


def prepare(engine: Engine, *, allow_upgrade: bool) -> tuple[int | None, int]:
    """Create an empty store or check (and with ``allow_upgrade``, upgrade) an existing one."""
    try:
        return _migrate(engine, allow_upgrade=allow_upgrade)
    except StoreError:
        raise
    except sa.exc.SQLAlchemyError as exc:
        raise explain(exc, engine.url) from exc


def upgrade(url_or_path: str | Path) -> tuple[int | None, int]:
    """Bring a store to this a2i-kit's schema; returns (from_version, to_version).

    ``from_version`` is None for an empty database (created now) and 0 for a store from before
    schema versions. Raises :class:`MigrationError` (a ``ConfigError``: one line naming the fix)
    when the schema is newer than this a2i-kit; database failures (unreachable, wrong password,
    read-only) propagate as SQLAlchemy errors for the caller to word
    (``a2i_kit.service.config_errors.database_error``); :class:`Store` words them itself.
    """
    engine = Engine(url_or_path)
    try:
        return _migrate(engine, allow_upgrade=True)
    finally:
        engine.close()
