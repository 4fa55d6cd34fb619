"""PostgreSQL pool: connections are pinged only after idling, and a dead idle one is replaced.

``pool_pre_ping`` cost a round trip on every transaction; the store now pings a pooled
connection only when it sat unused for ``pg_pool.IDLE_PING_SECONDS``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from a2i_kit.service.store import Store, pg_pool


@pytest.fixture
def pg_store(database_url: str | None) -> Store:
    if database_url is None:
        pytest.skip("PostgreSQL only: SQLite has one connection and no pool")  # the sqlite leg of --store
    return Store(database_url)


def _terminate_others(url: str) -> int:
    """Kill every other session of this database, as a database restart would."""
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with killer.connect() as conn:
            killed = conn.execute(sa.text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t")).scalar()
    finally:
        killer.dispose()
    return int(killed or 0)


def test_a_dead_idle_connection_is_replaced(pg_store: Store, database_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pg_store.settings.set("k", 1)
    assert _terminate_others(database_url) >= 1
    monkeypatch.setattr(pg_pool, "IDLE_PING_SECONDS", 0.0)  # every returned connection counts as idle
    try:
        assert pg_store.settings.get("k") == 1  # pinged, found dead, replaced: no error
    finally:
        pg_store.close()


def test_a_recently_used_connection_is_not_pinged(pg_store: Store, database_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    statements: list[str] = []
    pg_store.settings.set("k", 1)
    monkeypatch.setattr(pg_pool, "IDLE_PING_SECONDS", 3600.0)
    sa.event.listen(pg_store.db.sa, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: statements.append(statement))
    try:
        for _ in range(3):
            assert pg_store.settings.get("k") == 1
        assert len(statements) == 3  # three reads, no ping in between
        assert _terminate_others(database_url) >= 1
        with pytest.raises(sa.exc.OperationalError):  # not pinged: the dead connection fails once
            pg_store.settings.get("k")
        assert pg_store.settings.get("k") == 1  # and the pool was discarded: the next call works
    finally:
        pg_store.close()

