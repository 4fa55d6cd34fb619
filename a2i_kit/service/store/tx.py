"""One open transaction of the store, and what runs once it has committed.

Example:
    >>> import os, tempfile
    >>> from a2i_kit.service.store.core import Engine
    >>> engine = Engine(os.path.join(tempfile.mkdtemp(), "a.sqlite3"))
    >>> with engine.transaction() as tx:
    ...     tx.after_commit(lambda: print("committed"))
    ...     print("inside")
    inside
    committed
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from a2i_kit.service.store.pg_pool import kept_cursor

if TYPE_CHECKING:
    from a2i_kit.service.store.core import Engine

__all__ = ["Tx", "only_read", "quietly", "run_callback", "run_locked"]

log = logging.getLogger(__name__)


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
        self.cursor: Any = None if fairy is None else kept_cursor(fairy)
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
        except self.engine.driver_error as exc:
            raise self.engine.translate(exc, self.raw, self.fairy) from exc
        finally:
            if self._conn is not None:  # SQLAlchemy's view ends too (a rollback of nothing) and checks it in
                self._conn.close()
            else:
                self.fairy.close()

    def after_commit(self, callback: Callable[[], Any], *, locked: bool = True) -> None:
        self.callbacks.append((callback, locked))


def only_read(tx: Tx) -> bool:
    """PostgreSQL: whether a failed transaction only read (and locked rows) and is still usable.

    Such a transaction ends with COMMIT, which for it is the same as ROLLBACK (it releases the
    row locks and changes nothing), because psycopg forgets its prepared statements on every
    ROLLBACK and deallocates them all: a round trip, then each statement parsed and planned again.
    A refused worker claim (HTTP 409) is such a transaction.
    """
    return (not tx.wrote and tx.raw is not None
            and tx.raw.info.transaction_status.name == "INTRANS")   # psycopg.pq.TransactionStatus


def run_locked(tx: Tx) -> list[Callable[[], Any]]:
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


def quietly(func: Callable[..., Any], *args: Any) -> None:
    """Roll back without hiding the error that caused it (a dead connection cannot roll back)."""
    try:
        func(*args)
    except Exception:
        log.debug("rollback failed", exc_info=True)
