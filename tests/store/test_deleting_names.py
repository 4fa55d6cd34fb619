"""``flow_definitions.deleting_names``: which flow definitions are being deleted, read at most
once per ``max_age`` by a process (a loop event asks on every completion), and seen at once
when this process changes a definition."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from a2i_kit.service.store import Store


def flow(name: str, status: str = "Active") -> dict:
    return {"name": name, "arn": f"arn:flow/{name}", "status": status, "creation_time": 1.0, "doc": {}}


@pytest.fixture
def store(tmp_path: Path, database_url: str | None) -> Iterator[Store]:
    store = Store(database_url or tmp_path / "a2i.sqlite3")
    try:
        store.flow_definitions.put(flow("kept"))
        store.flow_definitions.put(flow("going", "Deleting"))
        yield store
    finally:
        store.close()


def test_a_recent_read_is_reused_within_max_age(store: Store) -> None:
    assert store.flow_definitions.deleting_names(60) == {"going"}
    store.execute("UPDATE flow_definitions SET status = 'Deleting' WHERE name = 'kept'")  # another process
    assert store.flow_definitions.deleting_names(60) == {"going"}
    assert store.flow_definitions.deleting_names(0) == {"going", "kept"}


@pytest.mark.parametrize("change", ["update", "put", "delete"])
def test_a_change_through_the_repository_is_seen_at_once(store: Store, change: str) -> None:
    assert store.flow_definitions.deleting_names(60) == {"going"}
    if change == "update":
        store.flow_definitions.update("kept", status="Deleting")
        expected = {"going", "kept"}
    elif change == "put":
        store.flow_definitions.put(flow("going"))
        expected = set()
    else:
        store.flow_definitions.delete("going")
        expected = set()
    assert store.flow_definitions.deleting_names(60) == expected
