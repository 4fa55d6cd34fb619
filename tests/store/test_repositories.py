"""The store's repositories on SQLite and PostgreSQL (``--store``): the same behaviour on both,
and exactly-once decisions between two ``Store`` objects on one database (as two processes)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from a2i_kit.service.store import Store


def _open(tmp_path: Path, database_url: str | None) -> Store:
    return Store(database_url or tmp_path / "a2i.sqlite3")


@pytest.fixture
def store(tmp_path: Path, database_url: str | None) -> Iterator[Store]:
    opened = _open(tmp_path, database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def twin(tmp_path: Path, database_url: str | None, store: Store) -> Iterator[Store]:  # noqa: ARG001
    """A second Store on the same database: its own connections, like another process."""
    opened = _open(tmp_path, database_url)
    try:
        yield opened
    finally:
        opened.close()


def loop(name: str, created: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {"name": name, "arn": f"arn:{name}", "status": "InProgress", "creation_time": created,
            "doc": {"HumanLoopName": name, "TaskCount": 1, "WorkteamArn": "arn:team"},
            "flow_definition_arn": "arn:flow", **extra}


def test_resources_round_trip(store: Store) -> None:
    ui = {"name": "ui", "arn": "arn:ui", "status": "Active", "creation_time": 2.5, "doc": {"a": [1, "é"]}}
    assert store.task_uis.insert(ui) is True
    assert store.task_uis.insert({**ui, "arn": "arn:other"}) is False
    assert store.task_uis.get("ui") == ui
    assert store.task_uis.has("ui", "arn:ui")
    assert not store.task_uis.has("ui", "arn:other")
    assert store.task_uis.update("ui", status="Deleting", doc={"b": 2}) == 1
    assert store.task_uis.get("ui")["doc"] == {"b": 2}
    assert [r["name"] for r in store.task_uis.by_arn("arn:ui")] == ["ui"]
    assert store.task_uis.count() == 1
    assert store.task_uis.delete("ui") == 1
    assert store.task_uis.get("ui") is None
    assert store.task_uis.update("ui", status="x") == 0


def test_pages_order_names_byte_wise_and_resume_from_tokens(store: Store) -> None:
    names = ["b", "B", "a", "_x", "é", "A-1"]
    for name in names:
        store.loops.put(loop(name, created=5.0))
    store.loops.put(loop("old", created=1.0))
    seen, token = [], None
    while True:
        page, token = store.loops.page_of_flow("arn:flow", ascending=True, token=token, limit=2, scope="s")
        seen += [r["name"] for r in page]
        if token is None:
            break
    assert seen == ["old", *sorted(names, key=lambda n: n.encode())]
    with pytest.raises(ValueError):
        store.loops.page_of_flow("arn:flow", token=token or store.loops.page_of_flow(
            "arn:flow", limit=1, scope="s")[1], scope="other")


def test_a_failed_transaction_leaves_nothing_and_runs_no_callbacks(store: Store) -> None:
    ran: list[str] = []
    def fail() -> None:
        with store.transaction() as tx:
            store.loops.put(loop("gone"))
            tx.after_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    with store.transaction() as tx:
        store.loops.put(loop("kept"))
        with store.transaction() as inner:  # re-entrant: one transaction
            assert inner is tx
        tx.after_commit(lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]
    assert store.loops.get("gone") is None
    assert store.loops.get("kept") is not None


def test_settings_events_and_outbox(store: Store) -> None:
    store.settings.set("clock_offset", 60.5)
    assert store.settings.get("clock_offset") == 60.5
    assert store.settings.get("none", "d") == "d"
    assert store.settings.add("link:1", 10.0) is True
    assert store.settings.add("link:1", 99.0) is False
    store.settings.add("link:2", 30.0)
    assert store.settings.purge("link:", 20.0) == 1
    assert store.settings.get("link:2") == 30.0

    first = store.events.add({"id": "e1", "n": 1}, loop_name="l", time=1.0)
    assert store.events.add({"id": "e1", "n": 2}, loop_name="l", time=1.0) is None
    second = store.events.add({"id": "e2", "n": 3}, loop_name="l", time=2.0)
    assert first is not None
    assert second is not None
    assert second > first
    assert store.events.after(0) == [(first, {"id": "e1", "n": 1}), (second, {"id": "e2", "n": 3})]
    assert store.events.after(first) == [(second, {"id": "e2", "n": 3})]
    assert store.events.last_seq() == second
    assert store.events.contains("e2")

    row = store.outbox.add("l", "Completed", write_output=True, event=None, log_offset=0, created=1.0)
    assert store.outbox.due(0.0) == [row]
    store.outbox.retry_later(row, 1, 50.0, "OSError: disk full")
    assert store.outbox.due(10.0) == []
    assert store.outbox.due(None) == [row]
    assert store.outbox.get(row)["last_error"] == "OSError: disk full"
    assert store.outbox.delete(row) == 1
    assert store.outbox.all() == []

    # a row that carries its event appends it to the events table, once per event id
    text = '{"id":"e3","n":4}'
    with store.transaction():
        row = store.outbox.add("l", "Completed", write_output=False, event=text, event_id="e3", log_offset=0,
                               created=3.0)
    again = store.outbox.add("l", "Completed", write_output=False, event=text, event_id="e3", log_offset=0,
                             created=3.0)
    assert again != row
    assert [row_["event"] for row_ in store.outbox.all()] == [text, text]
    assert store.events.after(second) == [(store.events.last_seq(), {"id": "e3", "n": 4})]


def test_claims_and_loop_scans(store: Store) -> None:
    store.loops.put(loop("l1", created=1.0))
    store.loops.put(loop("l2", created=2.0, status="Stopping"))
    store.claims.put({"loop_name": "l1", "worker_id": "w1", "status": "claimed", "claimed_at": 1.0, "deadline": 5.0})
    store.claims.put({"loop_name": "l2", "worker_id": "w1", "status": "submitted", "claimed_at": 1.0,
                      "deadline": 50.0, "submitted_at": 3.0, "doc": {"answer": 1}})
    assert [a["doc"] for a in store.claims.of_loop("l2")] == [{"answer": 1}]
    assert [a["loop_name"] for a in store.claims.held_by("w1")] == ["l1"]
    assert len(store.claims.of_open_loops()) == 2
    open_loops = store.loops.open_for_teams(["arn:team"])
    assert [(r["name"], r["doc"]["WorkteamArn"]) for r in open_loops] == [("l1", "arn:team"), ("l2", "arn:team")]
    assert store.loops.names_with_status("Stopping") == ["l2"]
    assert store.loops.in_progress_at_least(1)
    assert not store.loops.in_progress_at_least(2)
    assert store.claims.expire_due(10.0) == {"l1"}
    assert store.claims.of_loop("l1")[0]["status"] == "expired"
    store.loops.update("l1", status="InProgress")
    store.claims.put({"loop_name": "l1", "worker_id": "w2", "status": "submitted", "claimed_at": 1.0,
                      "deadline": 50.0, "submitted_at": 3.0})
    assert store.loops.answered_but_open() == ["l1"]


def _race(stores: list[Store], work: Any, rounds: int = 8) -> list[Any]:
    results: list[Any] = []
    barrier = threading.Barrier(rounds)

    def run(index: int) -> None:
        barrier.wait()
        results.append(work(stores[index % len(stores)], index))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(rounds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_stores_starting_one_loop_name_create_it_once(store: Store, twin: Store) -> None:
    results = _race([store, twin], lambda s, _i: s.loops.insert(loop("same")))
    assert sorted(results) == [False] * 7 + [True]


def test_two_stores_never_hand_out_more_claims_than_task_count(store: Store, twin: Store) -> None:
    store.loops.put(loop("contested"))

    def claim(s: Store, index: int) -> bool:
        with s.transaction():
            s.loops.get("contested", lock=True)  # the row lock serializes every decision on this loop
            taken = [a for a in s.claims.of_loop("contested") if a["status"] == "claimed"]
            if taken:
                return False
            s.claims.put({"loop_name": "contested", "worker_id": f"w{index}", "status": "claimed",
                          "claimed_at": 1.0, "deadline": 100.0})
            return True

    assert sorted(_race([store, twin], claim)) == [False] * 7 + [True]
    assert len(store.claims.of_loop("contested")) == 1


def test_one_sweeper_at_a_time(store: Store, twin: Store) -> None:
    with store.singleton() as mine:
        assert mine is True
        with store.singleton() as again:  # the same process: its other thread waits for the next pass
            assert again is False
        if store.dialect == "postgresql":
            with twin.singleton() as other:
                assert other is False
    with twin.singleton() as other:
        assert other is True


def test_a_row_being_delivered_is_skipped_by_another_store(store: Store, twin: Store) -> None:
    if store.dialect == "sqlite":
        pytest.skip("SQLite transactions exclude every other writer: there is no concurrent delivery to skip")
    row = store.outbox.add("l", "Completed", write_output=True, event=None, log_offset=0, created=1.0)
    with store.transaction():
        assert store.outbox.get(row, lock=True) is not None
        assert twin.outbox.get(row, lock=True) is None  # SKIP LOCKED
        assert twin.outbox.get(row) is not None
