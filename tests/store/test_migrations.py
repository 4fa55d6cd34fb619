"""A data directory of the schema before versions (0) is upgraded and keeps every loop, claim,
answer, event and pending outbox row: found again through boto3 and the worker API.

The fixture's tables are created with the exact DDL of ``store.py`` as it was on main before
schema versions; their rows are made by a running service (so documents have their real shape)
and copied into that file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from a2i_kit.review import AdminClient, WorkerClient
from a2i_kit.service import ServiceThread, lifecycle
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.store import SCHEMA_VERSION, MigrationError, Store, upgrade

# The schema of a2i_kit/service/store.py on main before schema versions (version 0), verbatim.
V0_SCHEMA = """
CREATE TABLE IF NOT EXISTS task_uis (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flow_definitions (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workteams (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workers (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS loops (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL,
    flow_definition_arn TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
    updated_time REAL NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS loops_by_flow ON loops (flow_definition_arn, deleted, creation_time, name);
CREATE INDEX IF NOT EXISTS loops_by_status ON loops (status);
CREATE TABLE IF NOT EXISTS assignments (
    loop_name TEXT NOT NULL, worker_id TEXT NOT NULL, status TEXT NOT NULL,
    claimed_at REAL NOT NULL, deadline REAL NOT NULL, submitted_at REAL,
    doc TEXT NOT NULL, PRIMARY KEY (loop_name, worker_id));
CREATE INDEX IF NOT EXISTS assignments_by_status ON assignments (status, deadline);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, loop_name TEXT NOT NULL, status TEXT NOT NULL,
    write_output INTEGER NOT NULL, event TEXT, log_offset INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT, created REAL NOT NULL);
"""
V0_TABLES = ("task_uis", "flow_definitions", "workteams", "workers", "loops", "assignments", "settings", "outbox")
TEMPLATE = "<p>{{ task.input.text }}</p>"
EXPECTED = {"done": "Completed", "waiting": "InProgress", "claimed": "InProgress", "stopping": "Stopping",
            "stopped": "Stopped", "failed": "Failed", "pending": "Completed"}


def aws(url: str, name: str) -> Any:
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))


def _fill(service: ServiceThread) -> dict[str, Any]:
    """Loops in every status, claims, an answer waiting for a second worker, events, an outbox row."""
    sm, rt = aws(service.url, "sagemaker"), aws(service.url, "sagemaker-a2i-runtime")
    team = sm.create_workteam(WorkteamName="team", Description="d", MemberDefinitions=[
        {"OidcMemberDefinition": {"Groups": ["reviewers"]}}])["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": TEMPLATE})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName="flow", RoleArn="arn:aws:iam::111122223333:role/r",
        OutputConfig={"S3OutputPath": "s3://bucket/out"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t", "TaskDescription": "d",
                         "TaskCount": 2})["FlowDefinitionArn"]
    for name in EXPECTED:
        rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow,
                            HumanLoopInput={"InputContent": json.dumps({"text": f"text of {name}"})})
    with AdminClient(service.url, service.admin_token) as admin:
        alice = admin.add_worker("alice", ["reviewers"])
        bob = admin.add_worker("bob", ["reviewers"])
    with WorkerClient(service.url, alice["token"]) as a, WorkerClient(service.url, bob["token"]) as b:
        for name in ("done", "pending"):
            a.claim(name), b.claim(name)
            a.submit(name, {"x": f"alice {name}"}), b.submit(name, {"x": f"bob {name}"})
        a.claim("waiting"), a.submit("waiting", {"x": "alice waiting"})
        b.claim("claimed")
        a.claim("stopping")
    rt.stop_human_loop(HumanLoopName="stopping")
    rt.stop_human_loop(HumanLoopName="stopped")
    lifecycle.set_loop_status(service.context, "failed", "Failed", failure_code="Expired", failure_reason="late")
    uri = service.context.store.loops.get("pending")["doc"]["OutputS3Uri"]
    return {"flow": flow, "alice": alice, "bob": bob, "pending_uri": uri,
            "pending_path": service.context.outputs.local_path(uri)}


def _to_v0(path: Path) -> None:
    """Rewrite the service's file as a version-0 store: the old DDL, the same rows."""
    old = path.with_name("current.sqlite3")
    shutil.move(path, old)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(V0_SCHEMA)
    conn.execute("ATTACH DATABASE ? AS cur", (str(old),))
    for table in V0_TABLES:
        columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM cur.{table}")
    # A crash between the completion's commit and its delivery: the row is still there, no output.
    conn.execute("INSERT INTO outbox (loop_name, status, write_output, event, created) "
                 "VALUES ('pending', 'Completed', 1, NULL, 1.0)")
    conn.commit()
    conn.execute("DETACH DATABASE cur")
    conn.close()
    old.unlink()


@pytest.fixture(scope="module")
def v0_data_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data = tmp_path_factory.mktemp("v0") / "a2i-data"
    with ServiceThread(ServiceConfig(data_dir=data)) as service:
        made = _fill(service)
    Path(made["pending_path"]).unlink()
    _to_v0(data / "a2i.sqlite3")
    return data, made


def _copy(v0: Path, tmp_path: Path) -> Path:
    data = tmp_path / "a2i-data"
    shutil.copytree(v0, data)
    return data


def test_the_fixture_is_version_0(v0_data_dir: tuple[Path, dict[str, Any]]) -> None:
    data, _ = v0_data_dir
    conn = sqlite3.connect(data / "a2i.sqlite3")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables - {"sqlite_sequence"} == set(V0_TABLES)
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (1,)
    assert conn.execute("SELECT COUNT(*) FROM assignments WHERE status = 'submitted'").fetchone() == (5,)
    conn.close()
    assert len((data / "events.jsonl").read_text().splitlines()) == 4  # done, pending, stopped, failed


def test_upgrade_reports_versions_and_is_idempotent(v0_data_dir: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    data = _copy(v0_data_dir[0], tmp_path)
    assert upgrade(data / "a2i.sqlite3") == (0, SCHEMA_VERSION)
    assert upgrade(data / "a2i.sqlite3") == (SCHEMA_VERSION, SCHEMA_VERSION)
    store = Store(data / "a2i.sqlite3")
    try:
        logged = [json.loads(line)["id"] for line in (data / "events.jsonl").read_text().splitlines()]
        assert [event["id"] for _, event in store.events.after(0)] == logged
        assert [row["loop_name"] for row in store.outbox.all()] == ["pending"]
    finally:
        store.close()


@pytest.mark.parametrize("how", ["upgrade", "start"])
def test_everything_is_found_after_the_upgrade(v0_data_dir: tuple[Path, dict[str, Any]], tmp_path: Path,
                                              how: str) -> None:
    data = _copy(v0_data_dir[0], tmp_path)
    made = v0_data_dir[1]
    if how == "upgrade":
        upgrade(data / "a2i.sqlite3")
    with ServiceThread(ServiceConfig(data_dir=data)) as service:  # "start": upgraded automatically
        sm, rt = aws(service.url, "sagemaker"), aws(service.url, "sagemaker-a2i-runtime")
        assert sm.describe_flow_definition(FlowDefinitionName="flow")["FlowDefinitionStatus"] == "Active"
        ui = sm.describe_human_task_ui(HumanTaskUiName="ui")["UiTemplate"]
        assert ui["ContentSha256"] == hashlib.sha256(TEMPLATE.encode()).hexdigest()
        assert sm.describe_workteam(WorkteamName="team")["Workteam"]["WorkteamName"] == "team"
        listed = rt.list_human_loops(FlowDefinitionArn=made["flow"], SortOrder="Ascending")["HumanLoopSummaries"]
        assert {s["HumanLoopName"]: s["HumanLoopStatus"] for s in listed} == EXPECTED
        failed = rt.describe_human_loop(HumanLoopName="failed")
        assert (failed["FailureCode"], failed["FailureReason"]) == ("Expired", "late")
        # the pending outbox row was delivered at start: the output is there, with both answers
        out = service.context.outputs.read(made["pending_uri"])
        assert [a["answerContent"] for a in out["humanAnswers"]] == [{"x": "alice pending"}, {"x": "bob pending"}]
        with WorkerClient(service.url, made["bob"]["token"]) as bob, \
                WorkerClient(service.url, made["alice"]["token"]) as alice:
            listed_tasks = {t["humanLoopName"]: t for t in bob.tasks()}
            assert set(listed_tasks) == {"waiting", "claimed"}
            shown = listed_tasks["waiting"]  # the summary fields (v4) were filled from each doc
            assert (shown["taskTitle"], shown["taskDescription"], shown["taskCount"], shown["flowDefinitionName"]) == \
                ("t", "d", 2, "flow")
            assert bob.submit("claimed", {"x": "bob claimed"}) == {"humanLoopStatus": "InProgress"}
            bob.claim("waiting")
            assert bob.submit("waiting", {"x": "bob waiting"}) == {"humanLoopStatus": "Completed"}
            assert alice.submit("stopping", {"x": "alice stopping"}) == {"humanLoopStatus": "Stopped"}
        waiting = rt.describe_human_loop(HumanLoopName="waiting")
        out = service.context.outputs.read(waiting["HumanLoopOutput"]["OutputS3Uri"])
        assert [a["answerContent"] for a in out["humanAnswers"]] == [{"x": "alice waiting"}, {"x": "bob waiting"}]
        events = [event for _, event in service.context.store.events.after(0)]
        assert [e["detail"]["humanLoopName"] for e in events] == [
            "done", "pending", "stopped", "failed", "waiting", "stopping"]
        assert len({e["id"] for e in events}) == 6


def test_a_newer_schema_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "a2i.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version (version, upgraded_at) VALUES (?, 0)", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(MigrationError) as caught:
        Store(path)
    assert str(caught.value) == (f"the database's schema is version {SCHEMA_VERSION + 1}, newer than this a2i-kit "
                                 f"understands ({SCHEMA_VERSION}): upgrade a2i-kit (pip install -U a2i-kit)")
