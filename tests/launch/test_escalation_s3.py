"""Escalation when outputs live in S3 (moto's server), as on AWS: the follow-up's input is read from
the original's output.json in the bucket, and consolidation reads both flows' outputs from S3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from a2i_kit.launch import Ledger, escalate, followup_loop_name
from a2i_kit.results.escalated import EscalatedResults
from a2i_kit.review import AdminClient, WorkerClient
from a2i_kit.session import Session

BUCKET = "a2i-kit-tests"  # the bucket conftest's make_flow writes to


@pytest.fixture
def s3(moto_s3: dict[str, Any]) -> Any:
    httpx.post(f"{moto_s3['endpoint']}/moto-api/reset").raise_for_status()
    client = boto3.client("s3", endpoint_url=moto_s3["endpoint"], region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def service(tmp_path: Path, s3: Any, moto_s3: dict[str, Any],  # noqa: ARG001 - s3 resets moto first
            database_url: str | None) -> Iterator[Any]:
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    thread = ServiceThread(ServiceConfig(data_dir=tmp_path / "a2i-data", output_mode="s3", database_url=database_url,
                                         s3_endpoint_url=moto_s3["endpoint"], sweep_interval_seconds=0.2))
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


def answer(worker: WorkerClient, loop: str, label: str) -> None:
    worker.claim(loop)
    worker.submit(loop, {"sentiment": {"label": label}})


def wait_for_output(s3: Any, loop: str) -> None:
    """The outbox writes output.json to S3 shortly after the submit."""
    import time

    for _ in range(200):
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        if any(f"/{loop}/output.json" in k for k in keys):
            return
        time.sleep(0.05)
    raise AssertionError(f"no output.json of {loop} in s3://{BUCKET}: {keys}")


def test_escalation_reads_and_consolidates_from_s3(service, s3, make_flow, runtime_client, sagemaker_client,
                                                   tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # Results' S3 cache: not the user's
    flow = make_flow("s3esc", task_count=2)
    body = {"item_id": "a", "text": "dinner was fine", "extra": {"k": [1, 2]}}
    runtime_client.start_human_loop(HumanLoopName="loop-a", FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": json.dumps(body)})
    with AdminClient(service.url, service.admin_token) as admin:
        people = [WorkerClient(service.url, admin.add_worker(n, ["reviewers"])["token"]) for n in ("a", "b", "c")]
    answer(people[0], "loop-a", "positive")
    answer(people[1], "loop-a", "negative")
    wait_for_output(s3, "loop-a")
    session = Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                      s3=s3, service=service, endpoint_url=service.url, data_dir=service.context.config.data_dir)
    ledger = tmp_path / "ledger.sqlite3"

    found = escalate(session, "s3esc", field="sentiment", ledger=ledger)
    fu = followup_loop_name("loop-a")
    assert found[["human_loop_name", "followup_loop_name", "status"]].values.tolist() == [["loop-a", fu, "started"]]
    stored = service.context.store.loops.get(fu)["doc"]["InputContent"]
    assert json.loads(stored) == body
    assert escalate(session, "s3esc", field="sentiment", ledger=ledger)["status"].tolist() == ["already_escalated"]

    answer(people[2], fu, "negative")
    wait_for_output(s3, fu)
    res = EscalatedResults.from_session(session, "s3esc", ledger=Ledger(ledger), item_key="item_id",
                                        label_field="sentiment", cache_dir=tmp_path / "results").sync()
    assert res.problems.empty, res.problems
    assert res.loops["human_loop_name"].tolist() == ["loop-a"]
    out = res.consolidated()
    assert out.loc["a"].tolist() == ["negative", 2, 3, fu, "negative"]
    for person in people:
        person.close()
