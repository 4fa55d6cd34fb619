"""``loops.start_checks``' bound of InProgress loops on PostgreSQL: a count serves for
``RECOUNT_SECONDS`` (raised by this process's own starts), so a start does not count every open
loop, yet one process never exceeds the quota and another process's loops are seen next count."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from a2i_kit.service.store import Store, loops


def loop(name: str) -> dict:
    return {"name": name, "arn": f"arn:loop/{name}", "status": "InProgress", "creation_time": 1.0,
            "flow_definition_arn": "arn:flow/f", "doc": {"TaskCount": 1}}


@pytest.fixture
def stores(tmp_path: Path, database_url: str | None) -> Iterator[tuple[Store, Store]]:
    """This process's store and another process's (SQLite: a second connection to the same file)."""
    target = database_url or tmp_path / "a2i.sqlite3"
    mine, other = Store(target), Store(target)
    try:
        mine.flow_definitions.put({"name": "f", "arn": "arn:flow/f", "status": "Active", "creation_time": 1.0,
                                   "doc": {}})
        yield mine, other
    finally:
        mine.close()
        other.close()


def busy(store: Store, quota: int = 10) -> int:
    row = store.loops.start_checks("f", "ui", "arn:ui", quota)
    assert row is not None
    return int(row["busy"])


def test_the_bound_never_falls_below_this_processes_open_loops(stores: tuple[Store, Store]) -> None:
    mine, _ = stores
    for k in range(12):
        assert busy(mine, quota=1000) >= k
        assert mine.loops.insert(loop(f"l{k}"))
    mine.loops.update("l0", status="Completed")  # a finished loop may keep the bound high, never low
    assert busy(mine, quota=1000) >= 11


def test_near_the_quota_every_start_counts(stores: tuple[Store, Store]) -> None:
    mine, other = stores
    assert busy(mine, quota=5) == 0
    for k in range(3):
        assert other.loops.insert(loop(f"x{k}"))  # another process's starts
    assert busy(mine, quota=5) >= 3 or mine.dialect == "postgresql"  # within RECOUNT_SECONDS: maybe unseen
    assert busy(mine, quota=1) >= 1  # bound + 1 reaches this quota: counted (capped at the quota)


def test_a_count_older_than_recount_seconds_is_taken_again(stores: tuple[Store, Store],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    mine, other = stores
    assert busy(mine) == 0
    assert other.loops.insert(loop("x0"))
    monkeypatch.setattr(loops, "RECOUNT_SECONDS", 0.0)
    assert busy(mine) >= 1
