"""Connections and transactions of the store, on SQLite (one connection) or PostgreSQL (a pool).

SQLite keeps the embedded default fast: one connection in WAL mode guarded by a lock, so a
transaction (``BEGIN IMMEDIATE``) is also process-wide mutual exclusion. PostgreSQL takes a
connection from SQLAlchemy's ``QueuePool`` per transaction (a single statement outside one runs
in autocommit: one round trip); cross-process exclusion comes from row locks (``FOR UPDATE``),
unique constraints and advisory locks, never from Python locks.

Example:
    >>> import tempfile, os
    >>> engine = Engine(os.path.join(tempfile.mkdtemp(), "a.sqlite3"))
    >>> with engine.transaction() as tx:
    ...     tx.conn.exec_driver_sql("SELECT 1").scalar()
    1
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

from a2i_kit.errors import ConfigError
from a2i_kit.service.private import private_file
from a2i_kit.service.store import pg_pool, sqlite_wal
from a2i_kit.service.store.row_cache import RowCache
from a2i_kit.service.store.tx import Tx, only_read, quietly, run_callback, run_locked

__all__ = ["Engine", "StoreError", "Tx", "database_url"]


class StoreError(ConfigError):
    """The database cannot be used (unreachable, refused, read-only, newer schema): says the fix."""


def database_url(target: str | Path) -> str:
    """A SQLAlchemy URL for a SQLite file path or a database URL.

    >>> database_url("/tmp/x.sqlite3")
    'sqlite:////tmp/x.sqlite3'
    >>> database_url("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    text = str(target)
    if "://" not in text:
        return f"sqlite:///{Path(text).absolute()}"
    if text.startswith("postgresql://"):  # psycopg 3 is the driver we ship (not psycopg2)
        return "postgresql+psycopg://" + text.removeprefix("postgresql://")
    return text


class Engine:
    """Opens the database named by a path or URL and hands out transactions and connections."""

    def __init__(self, target: str | Path) -> None:
        self.url = database_url(target)
        self.sqlite = self.url.startswith("sqlite")
        self.dialect = "sqlite" if self.sqlite else sa.engine.make_url(self.url).get_backend_name()
        self._local = threading.local()
        self._raw: Any = None
        self._lock = threading.RLock()
        self._closed = False
        if self.sqlite:
            self.path: Path | None = Path(self.url.removeprefix("sqlite:///"))
            private_file(self.path)  # 0600 before SQLite opens it
            self.sa = sa.create_engine(self.url, poolclass=StaticPool,
                                       connect_args={"check_same_thread": False, "isolation_level": None})
            self._conn: Connection | None = self.sa.connect()
            raw = self._raw = self._conn.connection.dbapi_connection
            assert raw is not None
            sqlite_wal.configure(raw, self.path)
            self.shared = sqlite_wal.side_engine(self.url)
            self.row_cache = RowCache(None)
            self._checkpointer: sqlite_wal.Checkpointer | None = sqlite_wal.Checkpointer(self.path)
        else:
            try:
                from psycopg import Error, connect
            except ImportError as exc:
                raise StoreError(
                    "PostgreSQL needs psycopg: pip install 'a2i-kit[postgres]' (or leave "
                    "A2I_KIT_DATABASE_URL unset for the SQLite default)") from exc

            self.driver_error = Error
            self._checkpointer = None
            self.path = None
            self._conn = None
            self.sa, self.auto = pg_pool.pools(self.url)
            self.shared = self.sa
            dsn = sa.engine.make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
            self.row_cache = RowCache(dsn, connect)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.row_cache.close()
            if self._checkpointer is not None:
                self._checkpointer.stop()
            self._raw = None
            if self._conn is not None:
                self._conn.close()
            self.sa.dispose()
            self.shared.dispose()
            if not self.sqlite:
                self.auto.dispose()

    # -- transactions -------------------------------------------------------------------------
    def current(self) -> Tx | None:
        """The transaction this thread has open, if any."""
        return getattr(self._local, "tx", None)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Group statements atomically (re-entrant: an inner ``with`` joins the outer one).

        Callbacks registered with :meth:`Tx.after_commit` run once the outermost transaction has
        committed (never after a rollback); ``locked`` ones run before another thread of this
        process can use a SQLite store.
        """
        tx = self.current()
        if tx is not None:
            yield tx
            return
        unlocked: list[Callable[[], Any]] = []
        if self.sqlite:
            with self._lock:
                conn = self._live_conn()
                raw = self.raw()
                raw.execute("BEGIN IMMEDIATE")
                tx = self._local.tx = Tx(self, conn)
                try:
                    yield tx
                except BaseException:
                    self._local.tx = None
                    quietly(raw.execute, "ROLLBACK")
                    raise
                self._local.tx = None
                raw.execute("COMMIT")
                unlocked = run_locked(tx)
        else:  # on psycopg directly: SQLAlchemy's Connection, begin and commit cost ~90 us per transaction
            try:
                fairy = self.sa.raw_connection()
            except self.driver_error as exc:
                raise self.translate(exc, None, None) from exc
            tx = self._local.tx = Tx(self, fairy=fairy)
            try:
                yield tx
            except BaseException:
                self._local.tx = None
                quietly(tx.end, only_read(tx))
                raise
            self._local.tx = None
            tx.end(commit=True)
            unlocked = run_locked(tx)
        for callback in unlocked:
            run_callback(callback)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for a few statements: the open transaction's, else an autocommit one."""
        tx = self.current()
        if tx is not None:
            yield tx.conn
        elif self.sqlite:
            with self._lock:
                yield self._live_conn()
        else:
            with self.sa.connect() as conn:
                yield conn
                conn.commit()

    def on_driver(self, sql: str, args: dict[str, Any], *, writes: bool, fetch: Callable[[Any], Any]) -> Any:
        """PostgreSQL: run one statement on psycopg, past SQLAlchemy (``base.PgPrepared``); ``fetch(cursor)``.

        Inside a transaction on its connection; outside, on a pooled one in autocommit mode (one
        round trip instead of BEGIN, the statement and COMMIT). Each connection keeps one cursor.
        psycopg errors come out as SQLAlchemy's (``sa.exc.OperationalError`` …); a lost connection
        invalidates the pool, as SQLAlchemy does.
        """
        tx = self.current()
        if tx is not None:
            if writes:
                tx.wrote = True
            try:
                tx.cursor.execute(sql, args, prepare=True)
                return fetch(tx.cursor)
            except self.driver_error as exc:
                raise self.translate(exc, tx.raw, tx.fairy) from exc
        fairy = self.auto.raw_connection()
        raw: Any = fairy.dbapi_connection
        try:
            cursor = pg_pool.kept_cursor(fairy)
            cursor.execute(sql, args, prepare=True)
            return fetch(cursor)
        except self.driver_error as exc:
            raise self.translate(exc, raw, fairy, self.auto) from exc
        finally:
            fairy.close()

    def translate(self, exc: Any, raw: Any, fairy: Any, engine: sa.Engine | None = None) -> Exception:
        engine = engine or self.sa
        disconnect = engine.dialect.is_disconnect(exc, raw, None)
        if disconnect and fairy is not None:  # every pooled connection of this generation (both pools) is replaced
            engine.pool._invalidate(fairy, exc)
            (self.auto if engine is self.sa else self.sa).dispose()  # the other pool: a new one
        return sa.exc.DBAPIError.instance(None, None, exc, self.driver_error, connection_invalidated=disconnect,
                                          dialect=self.sa.dialect)

    def after_commit(self, callback: Callable[[], Any], *, locked: bool = True) -> None:
        """Run ``callback()`` after the current transaction commits; outside one, run it now."""
        tx = self.current()
        if tx is not None:
            tx.after_commit(callback, locked=locked)
        else:
            run_callback(callback)

    @property
    def lock(self) -> Any:
        """SQLite: held while this process uses the one connection."""
        return self._lock

    def raw(self) -> Any:
        """SQLite: the driver's connection (hold :attr:`lock`)."""
        if self._raw is None:
            raise StoreError("the store is closed; start the service again")
        return self._raw

    def _live_conn(self) -> Connection:
        if self._closed or self._conn is None:
            raise StoreError("the store is closed; start the service again")
        return self._conn
