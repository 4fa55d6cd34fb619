"""The launch ledger: item -> loop name -> ARN -> status, in SQLite on disk.

Protocol: before a batch of StartHumanLoop calls the launcher writes an ``intent`` row for each
item in ONE transaction with ``synchronous=FULL`` (fsync'd before any call goes out). Outcomes
are recorded afterwards (``started`` / ``failed``), batched. A crash between call and record
leaves ``intent`` rows; the next run reconciles them with Describe/ListHumanLoops instead of
calling Start blindly, so a loop is never duplicated nor lost. Rows are keyed by
(flow definition ARN, item id as text).

Escalations (:mod:`a2i_kit.launch.escalation`) live in a second table of the same file: one row
per original loop, linking it to its follow-up loop, with the same intent -> started protocol.

Example:
    >>> import tempfile, os
    >>> ledger = Ledger(os.path.join(tempfile.mkdtemp(), "ledger.sqlite3"))
    >>> ledger.intend("arn:fd", [("a", "fd-a-x", "sha1")])
    >>> ledger.record("arn:fd", [("a", "started", "arn:loop", None, 1)])
    >>> ledger.rows("arn:fd")["a"]["status"]
    'started'
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

SCHEMA = """
CREATE TABLE IF NOT EXISTS launches (
    flow_definition_arn TEXT NOT NULL, item_key TEXT NOT NULL, loop_name TEXT NOT NULL,
    input_sha TEXT NOT NULL, status TEXT NOT NULL, arn TEXT, error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL,
    PRIMARY KEY (flow_definition_arn, item_key));
CREATE INDEX IF NOT EXISTS launches_by_name ON launches (loop_name);
CREATE TABLE IF NOT EXISTS escalations (
    original_loop TEXT PRIMARY KEY, flow_definition_arn TEXT NOT NULL, followup_loop TEXT NOT NULL,
    followup_flow_arn TEXT NOT NULL, status TEXT NOT NULL, arn TEXT, reason TEXT, error TEXT,
    updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS escalations_by_followup ON escalations (followup_loop);
"""
ESCALATION_COLUMNS = ["original_loop", "flow_definition_arn", "followup_loop", "followup_flow_arn",
                      "status", "arn", "reason", "error", "updated"]
STATUSES = ("intent", "started", "failed")
DEFAULT_LEDGER = Path(".a2i-kit") / "launch-ledger.sqlite3"
LEDGER_FILE = "launch-ledger.sqlite3"


def default_ledger_path(session: Any = None) -> Path:
    """Where a launch is recorded when no ledger is given.

    With the embedded service, beside its data (``session.data_dir``): the ledger then describes
    exactly the loops that service holds, and a fresh data directory starts a fresh ledger. On AWS
    (no data directory), ``.a2i-kit/launch-ledger.sqlite3`` in the working directory.

    >>> default_ledger_path(None)
    PosixPath('.a2i-kit/launch-ledger.sqlite3')
    """
    data_dir = getattr(session, "data_dir", None)
    return Path(data_dir) / LEDGER_FILE if data_dir else DEFAULT_LEDGER


class Ledger:
    """Durable record of launches; safe to share between threads of one process."""

    def __init__(self, path: str | Path = DEFAULT_LEDGER) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                     timeout=30)
        self._conn.row_factory = sqlite3.Row
        # Opening is on the path to the first call: no fsync here. The schema needs none (it is
        # created again if a crash loses it); the intents' commits are fsync'd (``intend``),
        # which also makes everything written before them durable.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    def _write(self, sql: str, params: Iterable[tuple[Any, ...]], *, durable: bool) -> None:
        with self._lock:
            self._conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(sql, params)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def intend(self, flow: str, items: Iterable[tuple[str, str, str]]) -> None:
        """Durably note (item key, loop name, input sha) as about to be started."""
        now = time.time()
        self._write(
            "INSERT INTO launches (flow_definition_arn, item_key, loop_name, input_sha, status, updated)"
            " VALUES (?, ?, ?, ?, 'intent', ?) ON CONFLICT (flow_definition_arn, item_key) DO UPDATE"
            " SET loop_name = excluded.loop_name, input_sha = excluded.input_sha, status = 'intent',"
            " error = NULL, updated = excluded.updated",
            [(flow, key, name, sha, now) for key, name, sha in items], durable=True)

    def record(self, flow: str, outcomes: Iterable[tuple[str, str, str | None, str | None, int]]) -> None:
        """Store outcomes (item key, status, arn, error, attempts); batched, not fsync'd."""
        now = time.time()
        self._write(
            "UPDATE launches SET status = ?, arn = COALESCE(?, arn), error = ?,"
            " attempts = attempts + ?, updated = ? WHERE flow_definition_arn = ? AND item_key = ?",
            [(status, arn, error, attempts, now, flow, key)
             for key, status, arn, error, attempts in outcomes], durable=False)

    def rows(self, flow: str, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Ledger rows of one flow definition (optionally only ``keys``), by item key."""
        with self._lock:
            found = self._conn.execute("SELECT * FROM launches WHERE flow_definition_arn = ?",
                                       (flow,)).fetchall()
        wanted = set(keys) if keys is not None else None
        return {r["item_key"]: dict(r) for r in found if wanted is None or r["item_key"] in wanted}

    def to_frame(self, flow: str | None = None) -> pd.DataFrame:
        """Every row (or one flow definition's) as a DataFrame."""
        with self._lock:
            sql, args = "SELECT * FROM launches", tuple[Any, ...]()
            if flow is not None:
                sql, args = sql + " WHERE flow_definition_arn = ?", (flow,)
            found = [dict(r) for r in self._conn.execute(sql + " ORDER BY updated", args)]
        return pd.DataFrame(found, columns=["flow_definition_arn", "item_key", "loop_name",
                                            "input_sha", "status", "arn", "error", "attempts", "updated"])

    def intend_escalations(self, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
        """Durably note (original loop, flow ARN, follow-up loop, follow-up flow ARN, reason).

        A row already ``intent`` or ``started`` is kept as it is (the first choice of follow-up
        wins, also when two processes escalate at once); a ``failed`` one is retried with these
        values.
        """
        now = time.time()
        self._write(
            "INSERT INTO escalations (original_loop, flow_definition_arn, followup_loop, followup_flow_arn,"
            " status, reason, updated) VALUES (?, ?, ?, ?, 'intent', ?, ?) ON CONFLICT (original_loop)"
            " DO UPDATE SET followup_loop = excluded.followup_loop, followup_flow_arn ="
            " excluded.followup_flow_arn, status = 'intent', reason = excluded.reason, error = NULL,"
            " updated = excluded.updated WHERE escalations.status = 'failed'",
            [(*row, now) for row in rows], durable=True)

    def record_escalations(self, outcomes: Iterable[tuple[str, str, str | None, str | None]]) -> None:
        """Store outcomes (original loop, ``started``/``failed``, follow-up ARN, error)."""
        now = time.time()
        self._write("UPDATE escalations SET status = ?, arn = COALESCE(?, arn), error = ?, updated = ?"
                    " WHERE original_loop = ?",
                    [(status, arn, error, now, loop) for loop, status, arn, error in outcomes],
                    durable=False)

    def escalations(self, flow: str | None = None) -> dict[str, dict[str, Any]]:
        """Escalation rows (of one original flow definition, or all), by original loop name."""
        with self._lock:
            sql, args = "SELECT * FROM escalations", tuple[Any, ...]()
            if flow is not None:
                sql, args = sql + " WHERE flow_definition_arn = ?", (flow,)
            return {r["original_loop"]: dict(r) for r in self._conn.execute(sql, args)}

    def escalation_frame(self, flow: str | None = None) -> pd.DataFrame:
        """Every link original loop -> follow-up loop (or one flow definition's) as a DataFrame."""
        rows = sorted(self.escalations(flow).values(), key=lambda r: (r["updated"], r["original_loop"]))
        return pd.DataFrame(rows, columns=ESCALATION_COLUMNS)
