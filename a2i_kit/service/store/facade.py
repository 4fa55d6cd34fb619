"""``Store``: the service's state, one repository per aggregate over one engine.

Example:
    >>> import tempfile, os
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "a.sqlite3"))
    >>> store.task_uis.put({"name": "t", "arn": "arn:t", "creation_time": 1.0, "status": "Active", "doc": {}})
    >>> store.task_uis.get("t")["arn"]
    'arn:t'
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import migrations, schema
from a2i_kit.service.store.claims import Claims
from a2i_kit.service.store.core import Engine, Tx
from a2i_kit.service.store.errors import explain
from a2i_kit.service.store.events import Events
from a2i_kit.service.store.loops import HumanLoops
from a2i_kit.service.store.outbox import Outbox
from a2i_kit.service.store.quality import Quality
from a2i_kit.service.store.reports import Reports
from a2i_kit.service.store.resources import FlowDefinitions, Resources, TaskUis, Workers, Workteams
from a2i_kit.service.store.settings import Settings

__all__ = ["Store"]

SWEEPER_LOCK = 0x6132_6977  # pg advisory lock: one sweeper at a time across processes


class Store:
    """The service's state on SQLite (a file path) or PostgreSQL (a ``postgresql+psycopg://`` URL).

    ``upgrade`` upgrades an older schema on open (the embedded default); without it an older
    schema is refused with the command that upgrades it.
    """

    def __init__(self, target: str | Path, *, upgrade: bool = True) -> None:
        try:
            self.db = engine = Engine(target)
        except sa.exc.SQLAlchemyError as exc:
            raise explain(exc, str(target)) from exc
        try:
            migrations.prepare(engine, allow_upgrade=upgrade)
        except BaseException:
            engine.close()
            raise
        # SQLAlchemy Engine for repositories that run short transactions of their own
        # (``with store.engine.begin() as conn``); on SQLite separate connections to the file.
        self.engine: sa.Engine = engine.shared
        self.task_uis = TaskUis(engine)
        self.flow_definitions = FlowDefinitions(engine)
        self.workteams = Workteams(engine)
        self.workers = Workers(engine)
        self.loops = HumanLoops(engine)
        self.claims = Claims(engine)
        self.outbox = Outbox(engine)
        self.events = Events(engine)
        self.settings = Settings(engine)
        self.reports = Reports(engine)  # read-only queries of the manager console
        self.quality = Quality(engine)  # reviewer quality control: gold items, hidden tasks
        self.tables: dict[str, Resources] = {
            "task_uis": self.task_uis, "flow_definitions": self.flow_definitions, "workteams": self.workteams,
            "workers": self.workers, "loops": self.loops}
        self._sweeping = threading.Lock()

    @classmethod
    def open(cls, config: Any) -> Store:
        """The store of a ``ServiceConfig``: its ``database_url``, else SQLite at ``store_path``.

        SQLite stores are upgraded on open; a PostgreSQL database of an older schema is refused
        until ``a2i-kit db upgrade`` (several processes may share it).
        """
        if config.database_url:
            return cls(config.database_url, upgrade=False)
        return cls(config.store_path)

    @property
    def dialect(self) -> str:
        return self.db.dialect

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return self.db.path

    def close(self) -> None:
        self.db.close()

    # -- transactions ---------------------------------------------------------------------------
    def transaction(self) -> Any:
        """``with store.transaction() as tx:`` groups calls atomically (re-entrant); ``tx.conn``."""
        return self.db.transaction()

    def connection(self) -> Any:
        """``with store.connection() as conn:`` the open transaction's connection, or a short one."""
        return self.db.connection()

    def snapshot(self) -> Any:
        """``with store.snapshot():`` several reads on one connection and one transaction.

        On PostgreSQL one pool checkout instead of one per read (and a consistent view); on
        SQLite nothing (each read is already a microsecond on the one connection).
        """
        return contextlib.nullcontext() if self.db.sqlite else self.db.transaction()

    def checked_write(self) -> Any:
        """``with store.checked_write():`` a few reads that check, then one write that decides.

        On SQLite one transaction: its lock makes the checks and the write one step. On PostgreSQL
        each statement runs on its own (autocommit): under READ COMMITTED a transaction would not
        keep what the checks read from changing before the write (a unique key or a row lock must
        decide, as for StartHumanLoop's insert), and BEGIN and COMMIT would cost two round trips.
        """
        return self.db.transaction() if self.db.sqlite else contextlib.nullcontext()

    def current(self) -> Tx | None:
        return self.db.current()

    def after_commit(self, callback: Callable[[], Any], *, locked: bool = True) -> None:
        """Run ``callback()`` after the current transaction commits (now, outside one)."""
        self.db.after_commit(callback, locked=locked)

    @contextmanager
    def singleton(self) -> Iterator[bool]:
        """``with store.singleton() as mine:`` True in at most one sweeper at a time (all processes)."""
        if not self._sweeping.acquire(blocking=False):
            yield False
            return
        try:
            if self.db.sqlite:
                yield True
                return
            with self.db.sa.connect() as conn:
                got = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEPER_LOCK}).scalar())
                conn.commit()
                try:
                    yield got
                finally:
                    if got:
                        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEPER_LOCK})
                        conn.commit()
        finally:
            self._sweeping.release()

    def reset(self, tables: tuple[str, ...]) -> None:
        """Delete every row of these tables in one transaction (the admin reset)."""
        with self.transaction() as tx:
            for name in tables:
                tx.conn.execute(sa.delete(schema.metadata.tables[name]))
                if name in self.tables:
                    self.tables[name].changed("*")

    # -- the facade of before the repositories (kept for callers outside the service) -----------
    def _table(self, table: str) -> Resources:
        try:
            return self.tables[table]
        except KeyError:
            raise ValueError(f"unknown table {table!r}") from None

    def get(self, table: str, name: str) -> dict[str, Any] | None:
        return self._table(table).get(name)

    def put(self, table: str, record: dict[str, Any]) -> None:
        if table == "loops":
            record = {"deleted": 0, "updated_time": 0.0, **record}
        self._table(table).put(record)

    def insert(self, table: str, record: dict[str, Any]) -> bool:
        if table == "loops":
            record = {"deleted": 0, "updated_time": 0.0, **record}
        return self._table(table).insert(record)

    def update(self, table: str, name: str, **fields: Any) -> int:
        return self._table(table).update(name, **fields)

    def delete(self, table: str, name: str) -> int:
        return self._table(table).delete(name)

    def assignments(self, loop_name: str) -> list[dict[str, Any]]:
        return self.claims.of_loop(loop_name)

    def put_assignment(self, record: dict[str, Any]) -> None:
        self.claims.put(record)

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self.settings.set(key, value)

    def query(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Raw SQL for tests and diagnostics only (the service never calls it)."""
        from a2i_kit.service.store.base import dicts

        with self.connection() as conn:
            return dicts(conn.exec_driver_sql(sql, params))

    def execute(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> int:
        """Raw SQL write for tests and diagnostics only (the service never calls it)."""
        with self.connection() as conn:
            return conn.exec_driver_sql(sql, params).rowcount
