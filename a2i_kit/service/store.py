"""Durable state of the embedded service: SQLite in WAL mode behind a small interface.

A server database can replace it by implementing the same methods. Every record is a
plain dict; the JSON column ``doc`` keeps what AWS echoes back verbatim.

Example:
    >>> import tempfile, os
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "a.sqlite3"))
    >>> store.put("task_uis", {"name": "t", "arn": "arn:t", "creation_time": 1.0, "status": "Active", "doc": {}})
    >>> store.get("task_uis", "t")["arn"]
    'arn:t'
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from a2i_kit.service.page_token import PageToken
from a2i_kit.service.private import FILE_MODE, private_file

__all__ = ["RESOURCE_TABLES", "SCHEMA", "PageToken", "Store"]

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS task_uis (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flow_definitions (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workteams (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workers (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS loops (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL,
    flow_definition_arn TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
    updated_time REAL NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS loops_by_flow ON loops (flow_definition_arn, deleted, creation_time, name);
CREATE INDEX IF NOT EXISTS loops_by_status ON loops (status);
CREATE TABLE IF NOT EXISTS assignments (
    loop_name TEXT NOT NULL, worker_id TEXT NOT NULL, status TEXT NOT NULL,
    claimed_at REAL NOT NULL, deadline REAL NOT NULL, submitted_at REAL,
    doc TEXT NOT NULL, PRIMARY KEY (loop_name, worker_id));
CREATE INDEX IF NOT EXISTS assignments_by_status ON assignments (status, deadline);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, loop_name TEXT NOT NULL, status TEXT NOT NULL,
    write_output INTEGER NOT NULL, event TEXT, log_offset INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT, created REAL NOT NULL);
"""

# Tables that hold named resources with the common columns.
RESOURCE_TABLES = ("task_uis", "flow_definitions", "workteams", "workers", "loops")
EXTRA_LOOP_COLUMNS = ("flow_definition_arn", "deleted", "updated_time")


class Store:
    """Thread-safe SQLite store; one connection guarded by a lock (fast on loopback)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        private_file(self.path)  # 0600 before SQLite opens it
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        for suffix in ("-wal", "-shm"):  # SQLite creates these with the umask's mode
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.chmod(side, FILE_MODE)
        self._depth = 0
        self._on_commit: list[tuple[Callable[[], Any], bool]] = []

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- transactions -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group several calls atomically: ``with store.transaction(): ...`` (re-entrant).

        Callbacks registered with :meth:`after_commit` run once the outermost transaction has
        committed (never after a rollback).
        """
        unlocked: list[Callable[[], Any]] = []
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
                self._on_commit = []
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._on_commit = []
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")
                callbacks, self._on_commit = self._on_commit, []
                for callback, locked in callbacks:
                    if locked:
                        _run_callback(callback)
                    else:
                        unlocked.append(callback)
        for callback in unlocked:
            _run_callback(callback)

    def after_commit(self, callback: Callable[[], Any], *, locked: bool = True) -> None:
        """Run ``callback()`` after the current transaction commits.

        ``locked=True`` runs it before any other thread can use the store (side effects that
        readers must see together with the commit); ``locked=False`` runs it afterwards (e.g.
        in-process listeners that may call the service). Outside a transaction it runs now.
        """
        with self._lock:
            if self._depth > 0:
                self._on_commit.append((callback, locked))
                return
        _run_callback(callback)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a write statement; returns the number of rows changed."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a read statement; rows come back as dicts with ``doc`` already parsed."""
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_row_to_dict(row) for row in rows]

    # -- named resources ----------------------------------------------------------------------
    def put(self, table: str, record: dict[str, Any]) -> None:
        """Insert or replace a resource record (keys: name, arn, status, creation_time, doc, …)."""
        _check_table(table)
        columns = ["name", "arn", "status", "creation_time", "doc"]
        if table == "loops":
            columns += [c for c in EXTRA_LOOP_COLUMNS if c in record]
        values = [json.dumps(record[c]) if c == "doc" else record[c] for c in columns]
        marks = ",".join("?" * len(columns))
        self.execute(f"INSERT OR REPLACE INTO {table} ({','.join(columns)}) VALUES ({marks})", values)

    def insert(self, table: str, record: dict[str, Any]) -> bool:
        """Insert a new resource; returns False (and changes nothing) when the name exists."""
        with self.transaction():
            if self.get(table, record["name"]) is not None:
                return False
            self.put(table, record)
            return True

    def get(self, table: str, name: str) -> dict[str, Any] | None:
        _check_table(table)
        rows = self.query(f"SELECT * FROM {table} WHERE name = ?", (name,))
        return rows[0] if rows else None

    def update(self, table: str, name: str, **fields: Any) -> int:
        """Set columns of one record (``doc=`` replaces the whole document)."""
        _check_table(table)
        if not fields:
            return 0
        sets = ", ".join(f"{key} = ?" for key in fields)
        values = [json.dumps(v) if k == "doc" else v for k, v in fields.items()]
        return self.execute(f"UPDATE {table} SET {sets} WHERE name = ?", [*values, name])

    def delete(self, table: str, name: str) -> int:
        _check_table(table)
        return self.execute(f"DELETE FROM {table} WHERE name = ?", (name,))

    def page(
        self,
        table: str,
        *,
        where: str = "1=1",
        params: Sequence[Any] = (),
        ascending: bool = False,
        token: str | None = None,
        limit: int = 50,
        scope: str = "",
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page ordered by (creation_time, name); returns (records, next_token or None).

        ``scope`` binds a token to the filter that produced it; a token from another list
        raises ValueError.
        """
        _check_table(table)
        clauses, values = [f"({where})"], list(params)
        if token:
            after_time, after_name = PageToken.decode(token, scope)
            op = ">" if ascending else "<"
            clauses.append(f"(creation_time {op} ? OR (creation_time = ? AND name {op} ?))")
            values += [after_time, after_time, after_name]
        order = "ASC" if ascending else "DESC"
        sql = (f"SELECT * FROM {table} WHERE {' AND '.join(clauses)} "
               f"ORDER BY creation_time {order}, name {order} LIMIT ?")
        rows = self.query(sql, [*values, limit + 1])
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], PageToken.encode(last["creation_time"], last["name"], scope)

    # -- assignments (a worker's claim on, and answer to, one loop) ----------------------------
    def put_assignment(self, record: dict[str, Any]) -> None:
        self.execute(
            "INSERT OR REPLACE INTO assignments (loop_name, worker_id, status, claimed_at, deadline,"
            " submitted_at, doc) VALUES (?,?,?,?,?,?,?)",
            (record["loop_name"], record["worker_id"], record["status"], record["claimed_at"],
             record["deadline"], record.get("submitted_at"), json.dumps(record.get("doc", {}))),
        )

    def assignments(self, loop_name: str) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM assignments WHERE loop_name = ? ORDER BY claimed_at", (loop_name,))

    # -- small settings (clock offset, counters) -----------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        self.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value)))


def _run_callback(callback: Callable[[], Any]) -> None:
    """A committed transaction stays committed: a failing follow-up is logged, not raised."""
    try:
        callback()
    except Exception:
        log.exception("after-commit step %s failed; it is retried by the sweeper",
                      getattr(callback, "__qualname__", callback))


def _check_table(table: str) -> None:
    if table not in RESOURCE_TABLES:
        raise ValueError(f"unknown table {table!r}")


def _row_to_dict(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    if "doc" in record and isinstance(record["doc"], str):
        record["doc"] = json.loads(record["doc"])
    return record
