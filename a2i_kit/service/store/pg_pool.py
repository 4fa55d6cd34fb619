"""PostgreSQL connection pools of the store: one for transactions, one in autocommit mode.

Single statements outside a transaction run on the autocommit pool (one round trip instead of
BEGIN, the statement and COMMIT; nothing to reset when a connection goes back). Each pooled
psycopg connection keeps one cursor, on which its prepared statements run. A pooled connection
is pinged before use only when it sat idle (:func:`ping_when_idle`).

Example:
    >>> tx_pool, auto_pool = pools("postgresql+psycopg://a2i:pw@db.internal/a2i")  # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

__all__ = ["AUTO_POOL_SIZE", "IDLE_PING_SECONDS", "POOL_SIZE", "kept_cursor", "ping_when_idle", "pools"]

POOL_SIZE = 8
AUTO_POOL_SIZE = 4  # pooled autocommit connections for single statements (as many again may open)
IDLE_PING_SECONDS = 5.0  # ping a pooled connection only after this long unused


def pools(url: str) -> tuple[sa.Engine, sa.Engine]:
    """The transaction pool and the autocommit pool of a database URL, both pinged when idle."""
    transactions = sa.create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE * 2, pool_recycle=3600)
    auto = sa.create_engine(url, pool_size=AUTO_POOL_SIZE, max_overflow=AUTO_POOL_SIZE, pool_recycle=3600,
                            isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
    ping_when_idle(transactions)
    ping_when_idle(auto)
    return transactions, auto


def kept_cursor(fairy: Any) -> Any:
    """The one cursor a pooled psycopg connection keeps for its prepared statements."""
    raw = fairy.dbapi_connection
    kept = fairy.info.get("a2i_cursor")
    if kept is None or kept[0] is not raw:
        kept = fairy.info["a2i_cursor"] = (raw, raw.cursor())
    return kept[1]


def ping_when_idle(engine: sa.Engine) -> None:
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
