"""Schema version 3: a version-2 store (SQLite or PostgreSQL) upgrades to the quality tables (and
through the later versions) and keeps its loops; the quality repository works on the upgraded store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from a2i_kit.service.store import SCHEMA_VERSION, MigrationError, Store, upgrade
from a2i_kit.service.store.schema import QUALITY_TABLES

LOOP = {"name": "kept", "arn": "arn:kept", "status": "InProgress", "creation_time": 100.0,
        "doc": {"HumanLoopName": "kept", "TaskCount": 1, "WorkteamArn": "arn:team"}, "flow_definition_arn": "arn:flow"}


@pytest.fixture
def target(tmp_path: Path, database_url: str | None) -> str | Path:
    return database_url or tmp_path / "a2i.sqlite3"


def _as_version_2(store: Store) -> None:
    """What a version-2 store looks like: no quality tables (nor v4's loops.summary), schema_version 2."""
    with store.transaction() as tx:
        for table in QUALITY_TABLES:
            tx.conn.exec_driver_sql(f"DROP TABLE {table}")
        tx.conn.exec_driver_sql("ALTER TABLE loops DROP COLUMN summary")
        tx.conn.exec_driver_sql("DELETE FROM schema_version")
        tx.conn.exec_driver_sql("INSERT INTO schema_version (version, upgraded_at) VALUES (2, 0)")


def _tables(store: Store) -> set[str]:
    return set(sa.inspect(store.db.sa).get_table_names())


def test_version_2_store_upgrades_to_3(target: Any) -> None:
    store = Store(target)
    try:
        store.loops.insert(LOOP)
        _as_version_2(store)
        assert not _tables(store) & set(QUALITY_TABLES)
    finally:
        store.close()
    if "://" in str(target):  # PostgreSQL is never upgraded on open: several processes may share it
        with pytest.raises(MigrationError) as info:
            Store(target, upgrade=False)
        assert str(info.value) == (f"the database's schema is version 2; this a2i-kit needs version {SCHEMA_VERSION}: "
                                   "run `a2i-kit db upgrade --database-url URL` first")
    assert upgrade(target) == (2, SCHEMA_VERSION)
    assert upgrade(target) == (SCHEMA_VERSION, SCHEMA_VERSION)
    store = Store(target, upgrade=False)
    try:
        assert set(QUALITY_TABLES) <= _tables(store)
        assert store.loops.get("kept")["doc"]["WorkteamArn"] == "arn:team"
        assert [row["doc"]["TaskCount"] for row in store.loops.open_for_teams(["arn:team"])] == [1]  # v4
        assert store.quality.configs() == {}
        store.quality.set_config("flow", gold_rate=0.1, pass_threshold=0.8, now=1.0)
        assert store.quality.configs()["flow"]["pass_threshold"] == 0.8
        assert store.quality.begin_qualification("flow", "w1") is True
        assert store.quality.begin_qualification("flow", "w1") is False  # exactly one racer starts it
        assert store.quality.count_real_answer("flow", "w1")["real_answers"] == 1
        indexes = {i["name"] for i in sa.inspect(store.db.sa).get_indexes("quality_tasks")}
        assert "quality_tasks_by_worker" in indexes
    finally:
        store.close()
