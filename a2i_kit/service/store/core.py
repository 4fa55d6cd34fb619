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

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

from a2i_kit.errors import ConfigError
from a2i_kit.service.private import FILE_MODE, private_file
from a2i_kit.service.store.row_cache import RowCache

__all__ = ["Engine", "StoreError", "Tx", "database_url"]

log = logging.getLogger(__name__)
POOL_SIZE = 8
AUTO_POOL_SIZE = 4  # PostgreSQL: pooled autocommit connections for single statements (as many again may open)
IDLE_PING_SECONDS = 5.0  # PostgreSQL: ping a pooled connection only after this long unused
BUSY_MS = 10_000
CHECKPOINT_SECONDS = 0.25  # SQLite: how often the background checkpointer copies the WAL back
BACKSTOP_PAGES = 16_000  # SQLite: a commit checkpoints itself only if the WAL outgrew this (~64 MiB)


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


class Tx:
    """One open transaction: ``tx.conn`` executes statements, ``tx.after_commit`` defers side effects.

    PostgreSQL: the transaction runs on a pooled psycopg connection (``fairy``; ``raw`` and
    ``cursor`` are the driver's, that prepared statements run on); a SQLAlchemy ``conn`` on it is
    made only when a statement needs one. ``wrote`` says whether the transaction may have changed
    anything (any use of ``conn`` counts).
    """

    __slots__ = ("_conn", "callbacks", "cursor", "engine", "fairy", "memo", "raw", "wrote")

    def __init__(self, engine: Engine, conn: Connection | None = None, fairy: Any = None) -> None:
        self.engine, self._conn, self.fairy = engine, conn, fairy
        self.callbacks: list[tuple[Callable[[], Any], bool]] = []
        self.memo: dict[Any, Any] = {}  # rows this transaction holds locked (see loops.HumanLoops.get)
        self.raw: Any = None if fairy is None else fairy.dbapi_connection
        self.cursor: Any = None if fairy is None else _kept_cursor(fairy)
        self.wrote = False

    @property
    def conn(self) -> Connection:
        self.wrote = True  # statements we cannot see: end an error with ROLLBACK, never COMMIT
        if self._conn is None:  # PostgreSQL: SQLAlchemy joins the driver's open transaction
            self._conn = Connection(self.engine.sa, connection=self.fairy)
        return self._conn

    def end(self, commit: bool) -> None:
        """PostgreSQL: COMMIT or ROLLBACK on the driver, and the connection goes back to the pool."""
        try:
            self.raw.commit() if commit else self.raw.rollback()
        except self.engine._driver_error as exc:
            raise self.engine._translate(exc, self.raw, self.fairy) from exc
        finally:
            if self._conn is not None:  # SQLAlchemy's view ends too (a rollback of nothing) and checks it in
                self._conn.close()
            else:
                self.fairy.close()

    def after_commit(self, callback: Callable[[], Any], *, locked: bool = True) -> None:
        self.callbacks.append((callback, locked))


def _kept_cursor(fairy: Any) -> Any:
    """The one cursor a pooled psycopg connection keeps for its prepared statements."""
    raw = fairy.dbapi_connection
    kept = fairy.info.get("a2i_cursor")
    if kept is None or kept[0] is not raw:
        kept = fairy.info["a2i_cursor"] = (raw, raw.cursor())
    return kept[1]


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
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", f"busy_timeout={BUSY_MS}",
                           f"wal_autocheckpoint={BACKSTOP_PAGES}"):
                raw.execute(f"PRAGMA {pragma}")
            for suffix in ("-wal", "-shm"):  # SQLite creates these with the umask's mode
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.chmod(side, FILE_MODE)
            self.shared = _sqlite_side_engine(self.url)
            self.row_cache = RowCache(None)
            self._checkpointer: Checkpointer | None = Checkpointer(self.path)
        else:
            try:
                from psycopg import Error, connect
                from psycopg.pq import TransactionStatus
            except ImportError as exc:
                raise StoreError(
                    "PostgreSQL needs psycopg: pip install 'a2i-kit[postgres]' (or leave "
                    "A2I_KIT_DATABASE_URL unset for the SQLite default)") from exc

            self._driver_error, self._idle = Error, TransactionStatus.IDLE
            self._checkpointer = None
            self.path = None
            self._conn = None
            self.sa = sa.create_engine(self.url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE * 2,
                                       pool_recycle=3600)
            _ping_when_idle(self.sa)
            self.shared = self.sa
            # Single statements outside a transaction: connections that stay in autocommit mode (no
            # mode switch per statement, and nothing to reset on return: no transaction is ever open).
            self.auto = sa.create_engine(self.url, pool_size=AUTO_POOL_SIZE, max_overflow=AUTO_POOL_SIZE,
                                         pool_recycle=3600, isolation_level="AUTOCOMMIT",
                                         pool_reset_on_return=None)
            _ping_when_idle(self.auto)
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
                    _quietly(raw.execute, "ROLLBACK")
                    raise
                self._local.tx = None
                raw.execute("COMMIT")
                unlocked = _run_locked(tx)
        else:  # on psycopg directly: SQLAlchemy's Connection, begin and commit cost ~90 us per transaction
            try:
                fairy = self.sa.raw_connection()
            except self._driver_error as exc:
                raise self._translate(exc, None, None) from exc
            tx = self._local.tx = Tx(self, fairy=fairy)
            try:
                yield tx
            except BaseException:
                self._local.tx = None
                _quietly(tx.end, _only_read(tx))
                raise
            self._local.tx = None
            tx.end(commit=True)
            unlocked = _run_locked(tx)
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
            except self._driver_error as exc:
                raise self._translate(exc, tx.raw, tx.fairy) from exc
        fairy = self.auto.raw_connection()
        raw: Any = fairy.dbapi_connection
        try:
            cursor = _kept_cursor(fairy)
            cursor.execute(sql, args, prepare=True)
            return fetch(cursor)
        except self._driver_error as exc:
            raise self._translate(exc, raw, fairy, self.auto) from exc
        finally:
            fairy.close()

    def _translate(self, exc: Any, raw: Any, fairy: Any, engine: sa.Engine | None = None) -> Exception:
        engine = engine or self.sa
        disconnect = engine.dialect.is_disconnect(exc, raw, None)
        if disconnect and fairy is not None:  # every pooled connection of this generation (both pools) is replaced
            engine.pool._invalidate(fairy, exc)
            (self.auto if engine is self.sa else self.sa).dispose()  # the other pool: a new one
        return sa.exc.DBAPIError.instance(None, None, exc, self._driver_error, connection_invalidated=disconnect,
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


class Checkpointer:
    """SQLite: copies the WAL into the database file from a thread and connection of its own.

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


def _sqlite_side_engine(url: str) -> sa.Engine:
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


def _ping_when_idle(engine: sa.Engine) -> None:
    """Check a pooled connection before use only when it sat idle for ``IDLE_PING_SECONDS``.

    ``pool_pre_ping`` pings on every checkout: a round trip per transaction, most of a short
    read's time under load. A connection used a moment ago is alive; one that idled (a database
    restart, a firewall's idle timeout) is pinged, and a dead one is replaced by the pool
    (``DisconnectionError`` makes it retry with a new connection). A connection that dies while
    in use fails that one request, and SQLAlchemy then discards every pooled connection.
    """

    @sa.event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:
            raise sa.exc.DisconnectionError(f"pooled connection is dead: {exc}") from exc


def _only_read(tx: Tx) -> bool:
    """PostgreSQL: whether a failed transaction only read (and locked rows) and is still usable.

    Such a transaction ends with COMMIT, which for it is the same as ROLLBACK (it releases the
    row locks and changes nothing), because psycopg forgets its prepared statements on every
    ROLLBACK and deallocates them all: a round trip, then each statement parsed and planned again.
    A refused worker claim (HTTP 409) is such a transaction.
    """
    return (not tx.wrote and tx.raw is not None
            and tx.raw.info.transaction_status.name == "INTRANS")   # psycopg.pq.TransactionStatus


def _run_locked(tx: Tx) -> list[Callable[[], Any]]:
    unlocked = []
    for callback, locked in tx.callbacks:
        if locked:
            run_callback(callback)
        else:
            unlocked.append(callback)
    return unlocked


def run_callback(callback: Callable[[], Any]) -> None:
    """A committed transaction stays committed: a failing follow-up is logged, not raised."""
    try:
        callback()
    except Exception:
        log.exception("after-commit step %s failed; it is retried by the sweeper",
                      getattr(callback, "__qualname__", callback))


def _quietly(func: Callable[..., Any], *args: Any) -> None:
    """Roll back without hiding the error that caused it (a dead connection cannot roll back)."""
    try:
        func(*args)
    except Exception:
        log.debug("rollback failed", exc_info=True)
