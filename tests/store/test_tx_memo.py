"""PostgreSQL: a loop locked by a transaction (and its assignments) is read from the database
once in that transaction; writes keep what later reads return exact; callers get copies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from a2i_kit.service.store import Store


@pytest.fixture
def pg_store(database_url: str | None) -> Iterator[Store]:
    if database_url is None:
        pytest.skip("PostgreSQL only: SQLite reads are not memoised")  # the sqlite leg of --store
    store = Store(database_url)
    try:
        yield store
    finally:
        store.close()


def _count(store: Store) -> list[str]:
    seen: list[str] = []
    sa.event.listen(store.db.sa, "before_cursor_execute", lambda _c, _cur, statement, *_a: seen.append(statement))
    return seen


LOOP: dict[str, Any] = {"name": "m", "arn": "arn:m", "status": "InProgress", "creation_time": 1.0,
                        "doc": {"TaskCount": 2, "WorkteamArn": "arn:t"}, "flow_definition_arn": "arn:f"}
CLAIM = {"loop_name": "m", "worker_id": "w1", "status": "claimed", "claimed_at": 5.0, "deadline": 65.0}


def test_locked_loop_and_claims_are_read_once(pg_store: Store) -> None:
    pg_store.loops.insert(LOOP)
    pg_store.claims.put(CLAIM)
    seen = _count(pg_store)
    with pg_store.transaction():
        first = pg_store.loops.get("m", lock=True)
        first["doc"]["TaskCount"] = 99  # a caller's change to its copy is not seen by others
        assert pg_store.loops.get("m", lock=True)["doc"]["TaskCount"] == 2
        assert pg_store.loops.get("m")["status"] == "InProgress"
        assert [a["worker_id"] for a in pg_store.claims.of_loop("m")] == ["w1"]
        assert [a["worker_id"] for a in pg_store.claims.of_loop("m")] == ["w1"]
        assert len(seen) == 2  # one locked loop read, one assignments read
        pg_store.claims.put({**CLAIM, "worker_id": "w0", "claimed_at": 1.0})
        assert [a["worker_id"] for a in pg_store.claims.of_loop("m")] == ["w0", "w1"]
        pg_store.loops.update("m", status="Completed")
        assert pg_store.loops.get("m")["status"] == "Completed"
    assert [a["worker_id"] for a in pg_store.claims.of_loop("m")] == ["w0", "w1"]  # as stored
    assert pg_store.loops.get("m")["status"] == "Completed"


def test_unlocked_reads_are_not_memoised(pg_store: Store) -> None:
    pg_store.loops.insert(LOOP)
    seen = _count(pg_store)
    with pg_store.transaction():
        pg_store.loops.get("m")
        pg_store.loops.get("m")
        pg_store.claims.of_loop("m")
        pg_store.claims.of_loop("m")
    assert len(seen) == 4
