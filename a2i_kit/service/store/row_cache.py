"""Rows read on every request but rarely changed (workers, task UIs), cached per process and kept
exact across processes.

On PostgreSQL a change made through a repository also sends ``NOTIFY a2i_rows, '<table>/<name>'``
inside its transaction. A daemon thread of every process LISTENs on a connection of its own and
drops that entry when the change commits: a few milliseconds later in other processes, at the
commit itself in the process that made it. Nothing is cached while the listener is not connected
(at start, or after its connection broke, until it is back), and a row read before a drop is never
stored after it. A change made around the repositories (raw SQL, another tool) is not announced;
it is seen within :data:`MAX_AGE_SECONDS`, after which every entry is read again (also the
bound if a notice were ever lost, e.g. behind a connection pooler that drops LISTEN).

On SQLite nothing is cached: a read costs microseconds there, and another process (``a2i-kit
admin``) may change the file without telling anyone.

Example:
    >>> cache = RowCache(None)                       # SQLite: every get reads
    >>> cache.get("workers", "w-1", lambda: {"name": "w-1"})
    {'name': 'w-1'}
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

CHANNEL = "a2i_rows"
MAX_ENTRIES = 4096
MAX_AGE_SECONDS = 60.0  # an entry is read again after this long even without a notice (a lost one)
RETRY_SECONDS = 2.0  # how soon a broken listener connection is opened again
POLL_SECONDS = 1.0  # how often the listener looks up from its connection to see whether to stop


class RowCache:
    """Entries keyed by (table, name); ``dsn`` is a libpq connection string (None: never cache) that
    ``connect`` (``psycopg.connect``) opens the listener's connection with."""

    def __init__(self, dsn: str | None, connect: Callable[..., Any] | None = None) -> None:
        self._entries: dict[tuple[str, str], Any] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self.live = False  # True while the listener is connected: only then are entries kept
        self._stop = threading.Event()
        if dsn is not None and connect is None:
            raise ValueError("RowCache: a dsn needs connect (psycopg.connect)")
        self._dsn = dsn  # the listener starts with the first get (a CLI command never needs it)
        self._connect: Callable[..., Any] = connect or (lambda *_a, **_k: None)

    def get(self, table: str, name: str, read: Callable[[], Any]) -> Any:
        """The cached value of (table, name), else ``read()`` (kept unless a drop happened meanwhile)."""
        key = (table, name)
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < MAX_AGE_SECONDS:
            return entry[1]
        if self._dsn is not None:
            self._start()
        generation = self._generation
        value = read()
        with self._lock:
            if self.live and generation == self._generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (time.monotonic(), value)
        return value

    def drop(self, table: str, name: str) -> None:
        """Forget one entry (``name`` ``*``: every entry)."""
        with self._lock:
            self._generation += 1
            if name == "*":
                self._entries.clear()
            else:
                self._entries.pop((table, name), None)

    def _start(self) -> None:
        with self._lock:
            dsn, self._dsn = self._dsn, None
        if dsn is not None and not self._stop.is_set():
            threading.Thread(target=self._listen, args=(dsn,), name="a2i-row-cache", daemon=True).start()

    def close(self) -> None:
        """Stop the listener (it leaves within :data:`POLL_SECONDS`) and cache nothing more."""
        self._stop.set()
        self._set_live(False)

    def _set_live(self, live: bool) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self.live = live and not self._stop.is_set()

    def _listen(self, dsn: str) -> None:
        was_live = False
        while not self._stop.is_set():
            try:
                with self._connect(dsn, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._set_live(True)
                    was_live = True
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=POLL_SECONDS):
                            table, _, name = note.payload.partition("/")
                            self.drop(table, name)
            except Exception as exc:  # the database restarted, or the connection was cut
                if was_live:  # once per loss; requests say it themselves when the database is gone
                    log.warning("row cache: its connection was lost (%s); nothing is cached until it is back",
                                type(exc).__name__)
                was_live = False
            finally:
                self._set_live(False)
            self._stop.wait(RETRY_SECONDS)
