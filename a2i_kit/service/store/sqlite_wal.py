"""SQLite settings of the store: WAL mode, the pragmas, a background checkpointer, a side engine.

The embedded default keeps one connection in WAL mode (``synchronous=NORMAL``: a commit survives
a crash of the process; the last moments may be lost to a power cut). The WAL is copied back into
the database file by :class:`Checkpointer`, off the request path.

Example:
    >>> import sqlite3, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.sqlite3")
    >>> raw = sqlite3.connect(path, isolation_level=None)
    >>> configure(raw, Path(path))
    >>> raw.execute("PRAGMA journal_mode").fetchone()
    ('wal',)
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from a2i_kit.service.private import FILE_MODE

__all__ = ["BACKSTOP_PAGES", "BUSY_MS", "Checkpointer", "configure", "side_engine"]

log = logging.getLogger(__name__)
BUSY_MS = 10_000
CHECKPOINT_SECONDS = 0.25  # how often the background checkpointer copies the WAL back
BACKSTOP_PAGES = 16_000  # a commit checkpoints itself only if the WAL outgrew this (~64 MiB)
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", f"busy_timeout={BUSY_MS}",
           f"wal_autocheckpoint={BACKSTOP_PAGES}")


def configure(raw: Any, path: Path) -> None:
    """Apply the store's pragmas to the driver's connection; the WAL files get the database's mode."""
    for pragma in PRAGMAS:
        raw.execute(f"PRAGMA {pragma}")
    for suffix in ("-wal", "-shm"):  # SQLite creates these with the umask's mode
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.chmod(side, FILE_MODE)


class Checkpointer:
    """Copies the WAL into the database file from a thread and connection of its own.

    SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, with the
    store's lock held: every ~150th StartHumanLoop stalled for up to 20 ms (fsyncs) and every
    request queued behind it. A PASSIVE checkpoint on another connection blocks no reader or
    writer; commits keep exactly the durability they had (WAL, ``synchronous=NORMAL``), and a
    commit still checkpoints itself if the WAL ever outgrows ``BACKSTOP_PAGES``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="a2i-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            conn.execute("PRAGMA synchronous=NORMAL")
            while not self._stop.wait(CHECKPOINT_SECONDS):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # busy or being closed: the next round (or the backstop) does it
                    log.debug("background checkpoint skipped", exc_info=True)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def side_engine(url: str) -> sa.Engine:
    """Connections of their own for code that uses ``store.engine`` directly (short transactions).

    Each transaction starts with ``BEGIN IMMEDIATE`` and waits up to ``BUSY_MS`` for the service's
    own connection, as a second process would.
    """
    engine = sa.create_engine(url, connect_args={"isolation_level": None, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
