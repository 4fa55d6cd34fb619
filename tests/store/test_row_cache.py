"""The row cache of workers and task UIs (``store.row_cache``): every request authenticates its
worker and every claim renders its task UI, so on PostgreSQL those rows are kept per process;
a change made through a repository reaches every process's cache by NOTIFY when it commits, and
nothing is cached while a process is not listening. On SQLite every read goes to the file."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from a2i_kit.service.store import Store
from a2i_kit.service.store.row_cache import RowCache


def worker(doc: dict[str, Any]) -> dict[str, Any]:
    return {"name": "w-1", "arn": "arn:worker/w-1", "status": "Active", "creation_time": 1.0, "doc": doc}


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 15
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


def raw_update(store: Store, doc: dict[str, Any]) -> None:
    """A change around the repositories (so not announced), as another tool would make it."""
    text = json.dumps(doc).replace("'", "''")
    store.execute(f"UPDATE workers SET doc = '{text}' WHERE name = 'w-1'")


@pytest.fixture
def stores(tmp_path: Path, database_url: str | None) -> Iterator[tuple[Store, Store]]:
    """This process's store and another process's, on one database."""
    target = database_url or tmp_path / "a2i.sqlite3"
    mine, other = Store(target), Store(target)
    try:
        other.workers.put(worker({"v": 1}))
        yield mine, other
    finally:
        mine.close()
        other.close()


def cached_doc(store: Store) -> Any:
    record = store.workers.get_cached("w-1")
    return None if record is None else record["doc"]


def listening(store: Store) -> None:
    cached_doc(store)  # the first cached read starts the listener
    eventually(lambda: store.db.row_cache.live, "the listener connected")


def test_a_change_in_another_process_reaches_the_cache_when_it_commits(stores: tuple[Store, Store]) -> None:
    mine, other = stores
    if mine.dialect == "sqlite":
        raw_update(other, {"v": 2})
        assert cached_doc(mine) == {"v": 2}  # SQLite: every read goes to the file
        return
    listening(mine)
    assert cached_doc(mine) == {"v": 1}
    raw_update(other, {"v": 2})
    assert cached_doc(mine) == {"v": 1}  # cached: an unannounced change is not seen at once
    other.workers.update("w-1", doc={"v": 3})
    eventually(lambda: cached_doc(mine) == {"v": 3}, "the update reached the other process")
    with other.transaction():
        other.workers.update("w-1", doc={"v": 4})
        time.sleep(0.2)  # NOTIFY is delivered at the commit, never before
        assert cached_doc(mine) == {"v": 3}
    eventually(lambda: cached_doc(mine) == {"v": 4}, "the committed update reached the other process")
    other.workers.delete("w-1")
    eventually(lambda: cached_doc(mine) is None, "the removal reached the other process")


def test_a_change_in_this_process_is_seen_at_once(stores: tuple[Store, Store]) -> None:
    mine, _ = stores
    if mine.dialect != "sqlite":
        listening(mine)
    assert cached_doc(mine) == {"v": 1}
    mine.workers.update("w-1", doc={"v": 2})
    assert cached_doc(mine) == {"v": 2}
    mine.reset(("workers",))
    assert cached_doc(mine) is None


def test_nothing_is_cached_while_the_listener_is_cut_off(stores: tuple[Store, Store]) -> None:
    mine, other = stores
    if mine.dialect == "sqlite":
        pytest.skip("PostgreSQL only: SQLite caches nothing")
    listening(mine)
    assert cached_doc(mine) == {"v": 1}
    other.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE query = 'LISTEN a2i_rows' AND pid <> pg_backend_pid()")
    eventually(lambda: not mine.db.row_cache.live, "the cut was noticed")
    raw_update(other, {"v": 2})
    assert cached_doc(mine) == {"v": 2}
    raw_update(other, {"v": 3})
    assert cached_doc(mine) == {"v": 3}  # read each time while cut off
    eventually(lambda: mine.db.row_cache.live, "the listener reconnected")
    assert cached_doc(mine) == {"v": 3}


def test_a_row_read_while_it_is_dropped_is_not_kept() -> None:
    cache = RowCache(None)
    cache.live = True  # as if listening
    reads: list[int] = []

    def read(value: int, *, dropped: bool = False) -> int:
        reads.append(value)
        if dropped:  # a NOTIFY arrives between the read and the store
            cache.drop("workers", "w-1")
        return value

    assert cache.get("workers", "w-1", lambda: read(1, dropped=True)) == 1
    assert cache.get("workers", "w-1", lambda: read(2)) == 2  # read again: 1 was not kept
    assert cache.get("workers", "w-1", lambda: read(3)) == 2  # kept
    assert reads == [1, 2]
    cache.drop("workers", "*")
    assert cache.get("workers", "w-1", lambda: read(4)) == 4


def test_an_entry_is_read_again_after_max_age(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound on a lost notice: every entry is read again after MAX_AGE_SECONDS."""
    from a2i_kit.service.store import row_cache

    cache = RowCache(None)
    cache.live = True
    assert cache.get("workers", "w-1", lambda: 1) == 1
    assert cache.get("workers", "w-1", lambda: 2) == 1
    monkeypatch.setattr(row_cache, "MAX_AGE_SECONDS", 0.0)
    assert cache.get("workers", "w-1", lambda: 3) == 3


def test_without_a_listener_every_get_reads() -> None:
    cache = RowCache(None)
    assert [cache.get("task_uis", "ui", lambda k=k: k) for k in range(3)] == [0, 1, 2]


def test_a_token_rotated_in_another_process_works_before_the_notice_arrives(
        stores: tuple[Store, Store]) -> None:
    """The cached record does not match the new token: the database is asked once more."""
    from types import SimpleNamespace

    from a2i_kit.service.workforce import authenticate, make_token, token_digest

    mine, other = stores
    wid = "0123456789abcdef"
    old, new = make_token(wid), make_token(wid)
    other.workers.put({**worker({"tokenSha256": token_digest(old)}), "name": wid})
    ctx: Any = SimpleNamespace(store=mine)
    if mine.dialect != "sqlite":
        mine.workers.get_cached(wid)
        eventually(lambda: mine.db.row_cache.live, "the listener connected")
    assert authenticate(ctx, old)["name"] == wid
    text = json.dumps({"tokenSha256": token_digest(new)})
    other.execute(f"UPDATE workers SET doc = '{text}' WHERE name = '{wid}'")  # the notice is not here yet
    assert authenticate(ctx, new)["name"] == wid
    assert authenticate(ctx, old) is None
