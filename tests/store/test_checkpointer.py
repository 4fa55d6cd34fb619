"""SQLite: the WAL is copied back into the database file by a background checkpointer, not by
the COMMIT of whichever request crosses SQLite's 1,000-page threshold (a stall under the lock)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from a2i_kit.service.store import Store, sqlite_wal


def _loop(k: int) -> dict[str, object]:
    return {"name": f"loop-{k:04d}", "arn": f"arn:loop-{k}", "status": "InProgress", "creation_time": float(k),
            "doc": {"TaskCount": 1, "InputContent": "x" * 2000}, "flow_definition_arn": "arn:flow"}


def _checkpointers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "a2i-sqlite-checkpoint"}


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    path = tmp_path / "a2i.sqlite3"
    others = _checkpointers()  # stores other tests of this process keep open
    store = Store(path)
    try:
        raw = store.db.raw()
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone() == (sqlite_wal.BACKSTOP_PAGES,)
        before = path.stat().st_size
        for k in range(400):
            store.loops.insert(_loop(k))
        deadline = time.monotonic() + 10
        while path.stat().st_size <= before + 400 * 2000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > before + 400 * 2000  # the rows reached the database file
        assert _checkpointers() - others  # this store's own checkpointer runs
    finally:
        store.close()
    assert not (_checkpointers() - others)  # and stops with it
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM loops").fetchone() == (400,)
    conn.close()
