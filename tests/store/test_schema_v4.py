"""Schema version 4: ``loops.summary``, the fields a worker's task list shows, on both stores.

A loop carries them as a small JSON text written with the loop and backfilled from each ``doc``
when a version-3 store is upgraded, so that a task list never parses a loop's document (whose
``InputContent`` may be megabytes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from a2i_kit.service.store import SCHEMA_VERSION, Store, upgrade

BIG_INPUT = json.dumps({"text": "x" * 200_000})


def loop(name: str, created: float, status: str = "InProgress", **doc: Any) -> dict[str, Any]:
    return {"name": name, "arn": f"arn:{name}", "status": status, "creation_time": created,
            "flow_definition_arn": "arn:flow",
            "doc": {"HumanLoopName": name, "WorkteamArn": "arn:team", "InputContent": BIG_INPUT, **doc}}


FULL = {"FlowDefinitionName": "flow", "TaskTitle": "Is it a cat?", "TaskDescription": "Look closely",
        "TaskCount": 2, "TaskAvailabilityLifetimeInSeconds": 600}
LOOPS = [loop("full", 1.0, **FULL), loop("bare", 2.0, "Stopping", TaskCount=1),
         loop("finished", 3.0, "Completed", **FULL)]
SLIM = {"full": {**FULL, "WorkteamArn": "arn:team"}, "bare": {"TaskCount": 1, "WorkteamArn": "arn:team"}}


@pytest.fixture
def target(tmp_path: Path, database_url: str | None) -> str | Path:
    return database_url or tmp_path / "a2i.sqlite3"


def _open_docs(store: Store) -> dict[str, dict[str, Any]]:
    return {row["name"]: row["doc"] for row in store.loops.open_for_teams(["arn:team"])}


def test_task_lists_read_the_summary_not_the_document(target: str | Path) -> None:
    store = Store(target)
    try:
        for record in LOOPS:
            assert store.loops.insert(record)
        assert _open_docs(store) == SLIM
        stored = {row["name"]: json.loads(row["summary"]) for row in store.query("SELECT name, summary FROM loops")}
        assert stored["bare"] == {"FlowDefinitionName": None, "TaskTitle": None, "TaskDescription": None,
                                  "TaskCount": 1, "TaskAvailabilityLifetimeInSeconds": None}
    finally:
        store.close()


def test_upgrade_from_version_3_backfills_each_summary(target: str | Path) -> None:
    store = Store(target)
    try:
        for record in LOOPS:
            store.loops.insert(record)
        with store.transaction() as tx:  # what a version-3 store looks like
            tx.conn.exec_driver_sql("ALTER TABLE loops DROP COLUMN summary")
            tx.conn.exec_driver_sql("DELETE FROM schema_version")
            tx.conn.exec_driver_sql("INSERT INTO schema_version (version, upgraded_at) VALUES (3, 0)")
    finally:
        store.close()
    assert upgrade(target) == (3, SCHEMA_VERSION)
    store = Store(target)
    try:
        assert _open_docs(store) == SLIM
        assert store.query("SELECT COUNT(*) AS n FROM loops WHERE summary IS NULL")[0]["n"] == 0
    finally:
        store.close()
