"""PostgreSQL's fast path: prepared statements and transactions run on psycopg past SQLAlchemy,
reads outside a transaction in autocommit, a failed read-only transaction ends with COMMIT; with
the same errors, locks and recovery as SQLAlchemy's path (``store.base.PgPrepared``,
``core.on_driver``, ``core.Tx``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from a2i_kit.service.store import Store, core, pg_pool, schema
from a2i_kit.service.store.base import PgPrepared, json_copy

LOOP: dict[str, Any] = {"name": "p", "arn": "arn:p", "status": "InProgress", "creation_time": 1.0,
                        "doc": {"TaskCount": 1, "WorkteamArn": "arn:t"}, "flow_definition_arn": "arn:f"}


@pytest.fixture
def pg_store(database_url: str | None) -> Iterator[Store]:
    if database_url is None:
        pytest.skip("PostgreSQL only: SQLite runs its own prepared statements on sqlite3")  # sqlite leg of --store
    store = Store(database_url)
    try:
        yield store
    finally:
        store.close()


class Refused(Exception):
    """What a handler raises inside a transaction (a worker's claim refused with 409)."""


def _ends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each transaction ends on the driver: "commit" or "rollback" (``core.Tx.end``)."""
    ends: list[str] = []
    end = core.Tx.end

    def spy(tx: core.Tx, commit: bool) -> None:
        ends.append("commit" if commit else "rollback")
        end(tx, commit)

    monkeypatch.setattr(core.Tx, "end", spy)
    return ends


def _lock_then_refuse(store: Store, status: str | None = None) -> None:
    with store.transaction():
        assert store.loops.get("p", lock=True) is not None
        if status is not None:
            store.loops.update("p", status=status)
        raise Refused


def test_statements_are_prepared_for_psycopg_unless_sqlalchemy_must_run_them() -> None:
    dialect = postgresql.psycopg.dialect()
    loops = schema.loops
    plain = PgPrepared.of(sa.select(loops).where(loops.c.name == sa.bindparam("name")).with_for_update(), dialect)
    assert isinstance(plain, PgPrepared)
    assert not plain.writes
    assert "FOR UPDATE" in plain.sql
    assert "%(name)s" in plain.sql
    assert PgPrepared.of(sa.update(loops).values(status="x"), dialect).writes
    expanding = sa.select(loops).where(loops.c.name.in_(sa.bindparam("names", expanding=True)))
    assert PgPrepared.of(expanding, dialect) is expanding  # an expanding IN is SQLAlchemy's job
    numeric = sa.select(sa.cast(loops.c.creation_time, sa.Numeric(asdecimal=False)))
    assert PgPrepared.of(numeric, dialect) is numeric  # a result SQLAlchemy converts


def test_json_copy_is_deep() -> None:
    doc = {"a": [{"b": 1}], "c": "d"}
    copied = json_copy(doc)
    copied["a"][0]["b"] = 2
    assert doc == {"a": [{"b": 1}], "c": "d"}


def test_reads_and_writes_on_the_fast_path_match_the_repository_contract(pg_store: Store) -> None:
    assert pg_store.loops.insert(LOOP) is True
    assert pg_store.loops.insert(LOOP) is False  # ON CONFLICT DO NOTHING RETURNING: no row
    assert pg_store.loops.get("p")["doc"] == LOOP["doc"]
    assert pg_store.loops.update("p", updated_time=2.0) == 1
    assert pg_store.loops.update("missing", updated_time=2.0) == 0
    assert pg_store.loops.count_with_status("InProgress") == 1
    row_id = pg_store.outbox.add("p", "Completed", write_output=True, event=None, log_offset=0, created=1.0)
    assert isinstance(row_id, int)
    assert pg_store.outbox.due() == [row_id]


def test_a_failed_read_only_transaction_commits_and_releases_its_row_lock(pg_store: Store, database_url: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pg_store.loops.insert(LOOP)
    ends = _ends(monkeypatch)
    with pytest.raises(Refused):
        _lock_then_refuse(pg_store)
    assert ends == ["commit"]  # same effect as ROLLBACK; psycopg keeps its prepared statements
    other = Store(database_url)
    try:
        with other.transaction() as tx:
            tx.conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            assert other.loops.get("p", lock=True) is not None  # the lock was released
    finally:
        other.close()


def test_a_failed_transaction_that_wrote_rolls_back(pg_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    pg_store.loops.insert(LOOP)
    ends = _ends(monkeypatch)
    with pytest.raises(Refused):
        _lock_then_refuse(pg_store, status="Completed")
    assert ends == ["rollback"]
    assert pg_store.loops.get("p")["status"] == "InProgress"


def test_database_errors_come_out_as_sqlalchemy_errors_and_roll_back(pg_store: Store,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ends = _ends(monkeypatch)
    with pytest.raises(sa.exc.IntegrityError, match="null value"), pg_store.transaction():
        pg_store.claims.put({"loop_name": "p", "worker_id": "w", "status": None, "claimed_at": 1.0, "deadline": 2.0})
    assert ends == ["rollback"]
    with pytest.raises(sa.exc.IntegrityError, match="null value"):  # outside a transaction too
        pg_store.claims.put({"loop_name": "p", "worker_id": "w", "status": None, "claimed_at": 1.0, "deadline": 2.0})
    assert pg_store.claims.all() == []


def test_a_dead_connection_fails_once_then_the_pool_recovers(pg_store: Store, database_url: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pg_store.settings.set("k", 1)
    monkeypatch.setattr(pg_pool, "IDLE_PING_SECONDS", 3600.0)  # no ping: the fast path meets the dead connection
    killer = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with killer.connect() as conn:
            killed = conn.execute(sa.text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t")).scalar()
    finally:
        killer.dispose()
    assert killed >= 1
    with pytest.raises(sa.exc.OperationalError):
        pg_store.settings.get("k")
    assert pg_store.settings.get("k") == 1  # every connection of that generation was replaced
    with pg_store.transaction():
        assert pg_store.settings.get("k") == 1


@pytest.mark.parametrize("fails", [False, True])
def test_sqlalchemy_statements_join_the_drivers_transaction(pg_store: Store, fails: bool) -> None:
    """A transaction runs on psycopg; a statement only SQLAlchemy can run (``tx.conn``) joins it,
    before or after prepared ones, and commits or rolls back with them."""
    settings = schema.metadata.tables["settings"]
    with pytest.raises(Refused) if fails else _nothing(), pg_store.transaction() as tx:
        pg_store.settings.set("before", 1)
        tx.conn.execute(sa.insert(settings).values(key="sa", value="2"))
        pg_store.loops.insert(LOOP)
        if fails:
            raise Refused
    expected = None if fails else 1
    assert pg_store.settings.get("before") == expected
    assert (pg_store.loops.get("p") is None) == fails
    with pg_store.connection() as conn:
        assert conn.execute(sa.select(settings.c.key).where(settings.c.key == "sa")).scalar() == (None if fails else "sa")


def _nothing() -> Any:
    import contextlib

    return contextlib.nullcontext()
