"""Schema version 2: ``loops.expires_at`` and ``loops.workteam_arn`` on SQLite and PostgreSQL.

A loop carries its expiry time and workteam as indexed columns, written with the loop and
backfilled from each ``doc`` when a version-1 store is upgraded; the sweeper's overdue scan and
the worker task lists read them instead of parsing documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from a2i_kit.service.store import SCHEMA_VERSION, Store, upgrade


def loop(name: str, created: float, doc: dict[str, Any], status: str = "InProgress") -> dict[str, Any]:
    return {"name": name, "arn": f"arn:{name}", "status": status, "creation_time": created,
            "doc": {"HumanLoopName": name, "TaskCount": 1, **doc}, "flow_definition_arn": "arn:flow"}


LOOPS = [
    loop("short", 100.0, {"TaskAvailabilityLifetimeInSeconds": 60, "WorkteamArn": "arn:team-a"}),
    loop("default", 100.0, {"WorkteamArn": "arn:team-b"}),  # A2I's default lifetime: 864000 s
    loop("done", 0.0, {"TaskAvailabilityLifetimeInSeconds": 1, "WorkteamArn": "arn:team-a"}, "Completed"),
    loop("stopping", 50.0, {"TaskAvailabilityLifetimeInSeconds": 1, "WorkteamArn": "arn:team-a"}, "Stopping"),
]


@pytest.fixture
def target(tmp_path: Path, database_url: str | None) -> str | Path:
    return database_url or tmp_path / "a2i.sqlite3"


def _columns(store: Store) -> dict[str, tuple[Any, Any]]:
    rows = store.query("SELECT name, expires_at, workteam_arn FROM loops")
    return {row["name"]: (row["expires_at"], row["workteam_arn"]) for row in rows}


EXPECTED = {"short": (160.0, "arn:team-a"), "default": (864100.0, "arn:team-b"),
            "done": (1.0, "arn:team-a"), "stopping": (51.0, "arn:team-a")}


def test_new_loops_carry_expiry_and_team(target: str | Path) -> None:
    store = Store(target)
    try:
        for record in LOOPS:
            assert store.loops.insert(record)
        assert _columns(store) == EXPECTED
        assert [r["name"] for r in store.loops.expired(159.9)] == []
        assert [r["name"] for r in store.loops.expired(160.0)] == ["short"]  # InProgress only, inclusive
        assert [r["name"] for r in store.loops.expired(1e9)] == ["default", "short"]
        assert store.loops.expired(160.0)[0]["doc"]["TaskAvailabilityLifetimeInSeconds"] == 60
        assert [r["name"] for r in store.loops.open_for_teams(["arn:team-a"])] == ["stopping", "short"]
        assert [r["name"] for r in store.loops.open_for_teams(["arn:team-b", "arn:x"])] == ["default"]
        store.loops.put({**LOOPS[0], "creation_time": 200.0})  # a replaced record is recomputed
        assert _columns(store)["short"] == (260.0, "arn:team-a")
    finally:
        store.close()


def _as_version_1(store: Store) -> None:
    """What a version-1 store looks like: no v2 columns or indexes, v1's status index, schema_version 1."""
    with store.transaction() as tx:
        for index in ("loops_expiring", "loops_by_team"):
            tx.conn.exec_driver_sql(f"DROP INDEX {index}")
        for column in ("expires_at", "workteam_arn", "summary"):  # summary: version 4
            tx.conn.exec_driver_sql(f"ALTER TABLE loops DROP COLUMN {column}")
        tx.conn.exec_driver_sql("CREATE INDEX loops_by_status ON loops (status)")  # v1's, redundant in v2
        tx.conn.exec_driver_sql("DELETE FROM schema_version")
        tx.conn.exec_driver_sql("INSERT INTO schema_version (version, upgraded_at) VALUES (1, 0)")


def test_upgrade_from_version_1_backfills_from_each_doc(target: str | Path) -> None:
    store = Store(target)
    try:
        for record in LOOPS:
            store.loops.insert(record)
        _as_version_1(store)
    finally:
        store.close()
    assert upgrade(target) == (1, SCHEMA_VERSION)
    assert upgrade(target) == (SCHEMA_VERSION, SCHEMA_VERSION)
    store = Store(target)
    try:
        assert _columns(store) == EXPECTED
        assert [r["name"] for r in store.loops.expired(160.0)] == ["short"]
        indexes = {i["name"] for i in sa.inspect(store.db.sa).get_indexes("loops")}
        assert {"loops_expiring", "loops_by_team"} <= indexes
        assert "loops_by_status" not in indexes
    finally:
        store.close()
