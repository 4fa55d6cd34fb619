"""Time-driven rules: claims time out, loops expire, Stopping loops end, state survives restarts."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from a2i_kit.review import AdminClient, WorkerApiError, WorkerClient
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.sweeper import Sweeper


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceThread]:
    """The shared fixture's service, but with the background sweeper idle: tests sweep by hand."""
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "a2i-data", sweep_interval_seconds=3600)) as svc:
        yield svc


def _statuses(service: Any, loop: str) -> dict[str, str]:
    return {a["worker_id"]: a["status"] for a in service.context.store.claims.of_loop(loop)}


def _events(service: Any) -> list[dict[str, Any]]:
    path = service.context.config.events_log
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_an_expired_claim_returns_to_the_pool(service: Any, make_flow: Any, start_loops: Any,
                                              add_worker: Any) -> None:
    [loop] = start_loops(make_flow(TaskTimeLimitInSeconds=60))
    alice, bob = add_worker("alice"), add_worker("bob")
    alice.claim(loop)
    service.context.advance_clock(61)

    with pytest.raises(WorkerApiError) as late:
        alice.submit(loop, {"sentiment": {"label": "positive"}})
    assert late.value.status == 409
    assert "expired at" in str(late.value)
    assert "TaskTimeLimitInSeconds" in str(late.value)
    assert bob.claim(loop)["humanLoopName"] == loop  # even before a sweep marks it

    Sweeper(service.context).sweep_once()
    assert _statuses(service, loop) == {alice.info["workerId"]: "expired", bob.info["workerId"]: "claimed"}
    assert bob.submit(loop, {"sentiment": {"label": "negative"}}) == {"humanLoopStatus": "Completed"}


def test_a_loop_nobody_finished_in_its_lifetime_fails_as_expired(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any) -> None:
    [loop] = start_loops(make_flow(task_count=2, TaskAvailabilityLifetimeInSeconds=120))
    alice, bob = add_worker("alice"), add_worker("bob")
    alice.claim(loop)
    alice.submit(loop, {"sentiment": {"label": "positive"}})
    service.context.advance_clock(121)

    with pytest.raises(WorkerApiError) as gone:
        bob.claim(loop)
    assert gone.value.status == 409
    assert "TaskAvailabilityLifetimeInSeconds ended" in str(gone.value)

    sweeper = Sweeper(service.context)
    counts = sweeper.sweep_once()
    assert counts["loops_expired"] == 1
    described = runtime_client.describe_human_loop(HumanLoopName=loop)
    assert described["HumanLoopStatus"] == "Failed"
    assert described["FailureCode"] == "Expired"
    assert "1 of 2 workers answered" in described["FailureReason"]
    assert sweeper.sweep_once()["loops_expired"] == 0  # idempotent
    failed = [e for e in _events(service) if e["detail"]["humanLoopName"] == loop]
    assert [(e["detail"]["humanLoopStatus"], e["detail"]["failureCode"]) for e in failed] == [("Failed", "Expired")]
    assert not list(service.context.config.mirror_dir.rglob("output.json"))  # partial answers stay internal


def test_a_live_claim_keeps_an_overdue_loop_open_until_it_ends(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any) -> None:
    [loop, other] = start_loops(make_flow(TaskAvailabilityLifetimeInSeconds=120, TaskTimeLimitInSeconds=60), 2)
    alice = add_worker("alice")
    service.context.advance_clock(100)
    alice.claim(loop)
    alice.claim(other)
    service.context.advance_clock(30)  # lifetime over, claims still live

    sweeper = Sweeper(service.context)
    assert sweeper.sweep_once()["loops_expired"] == 0
    assert alice.submit(loop, {"sentiment": {"label": "neutral"}}) == {"humanLoopStatus": "Completed"}

    service.context.advance_clock(31)  # the other claim ran out too
    assert sweeper.sweep_once() == {"claims_expired": 1, "loops_expired": 1, "loops_finished": 0}
    assert runtime_client.describe_human_loop(HumanLoopName=other)["FailureCode"] == "Expired"


def test_a_stopping_loop_stops_when_its_last_claim_expires(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any) -> None:
    [loop] = start_loops(make_flow(TaskTimeLimitInSeconds=60))
    alice = add_worker("alice")
    alice.claim(loop)
    runtime_client.stop_human_loop(HumanLoopName=loop)
    service.context.advance_clock(61)
    counts = Sweeper(service.context).sweep_once()
    assert counts == {"claims_expired": 1, "loops_expired": 0, "loops_finished": 1}
    assert runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] == "Stopped"
    assert [e["detail"]["humanLoopStatus"] for e in _events(service)] == ["Stopped"]


def test_deleting_a_flow_definition_completes_once_the_claim_expires(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, sagemaker_client: Any) -> None:
    flow = make_flow(TaskTimeLimitInSeconds=60, task_count=2)
    [loop] = start_loops(flow)
    add_worker("alice").claim(loop)
    sagemaker_client.delete_flow_definition(FlowDefinitionName=flow["name"])
    assert service.context.store.flow_definitions.get(flow["name"])["status"] == "Deleting"
    bob = add_worker("bob")
    assert bob.tasks() == []
    with pytest.raises(WorkerApiError, match="is being deleted") as refused:
        bob.claim(loop)
    assert refused.value.status == 409

    service.context.advance_clock(61)
    Sweeper(service.context).sweep_once()
    assert service.context.store.flow_definitions.get(flow["name"]) is None


def test_the_background_sweeper_runs_on_its_own(tmp_path: Path) -> None:
    config = ServiceConfig(data_dir=tmp_path / "data", sweep_interval_seconds=0.05)
    with ServiceThread(config) as service:
        ctx = service.context
        ctx.store.loops.put({"name": "l", "arn": "arn:l", "status": "InProgress", "creation_time": ctx.clock.now(),
                                "flow_definition_arn": "arn:f", "doc": _loop_doc("l", lifetime=1)})
        ctx.advance_clock(2)
        received: list[dict[str, Any]] = []
        ctx.bus.subscribe(received.append)
        for _ in range(200):  # polls the outcome; no timing is asserted
            if received:
                break
            time.sleep(0.05)
        assert [e["detail"]["failureCode"] for e in received] == ["Expired"]


def _loop_doc(name: str, lifetime: int) -> dict[str, Any]:
    return {"HumanLoopName": name, "HumanLoopArn": f"arn:aws:sagemaker:us-east-1:111122223333:human-loop/{name}",
            "FlowDefinitionArn": "arn:f", "FlowDefinitionName": "f", "InputContent": "{}",
            "OutputS3Uri": f"s3://b/o/{name}/output.json", "TaskCount": 1,
            "TaskAvailabilityLifetimeInSeconds": lifetime, "WorkteamArn": "arn:t"}


def test_claims_and_partial_answers_survive_a_restart(tmp_path: Path) -> None:
    config = ServiceConfig(data_dir=tmp_path / "durable")

    def clients(service: ServiceThread) -> tuple[Any, Any]:
        options = {"endpoint_url": service.url, "region_name": "us-east-1",
                   "aws_access_key_id": "t", "aws_secret_access_key": "t"}
        return boto3.client("sagemaker", **options), boto3.client("sagemaker-a2i-runtime", **options)

    with ServiceThread(config) as first:
        sm, runtime = clients(first)
        team = sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[{
            "CognitoMemberDefinition": {"UserPool": "us-east-1_Abc123", "UserGroup": "reviewers",
                                        "ClientId": "c"}}])["WorkteamArn"]
        ui = sm.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={
            "Content": '<crowd-form><crowd-input name="note"></crowd-input></crowd-form>'})["HumanTaskUiArn"]
        flow = sm.create_flow_definition(
            FlowDefinitionName="durable", RoleArn="arn:aws:iam::111122223333:role/r",
            HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t",
                             "TaskDescription": "d", "TaskCount": 2},
            OutputConfig={"S3OutputPath": "s3://a2i-durable/out"})["FlowDefinitionArn"]
        runtime.start_human_loop(HumanLoopName="keep", FlowDefinitionArn=flow,
                                 HumanLoopInput={"InputContent": '{"x": 1}'})
        with AdminClient(first.url, first.admin_token) as admin:
            alice, bob = admin.add_worker("alice", ["reviewers"]), admin.add_worker("bob", ["reviewers"])
        WorkerClient(first.url, alice["token"]).claim("keep")
        WorkerClient(first.url, alice["token"]).submit("keep", {"note": "first"})
        held = WorkerClient(first.url, bob["token"]).claim("keep")

    with ServiceThread(config) as second:
        _, runtime = clients(second)
        assert runtime.describe_human_loop(HumanLoopName="keep")["HumanLoopStatus"] == "InProgress"
        bob_client = WorkerClient(second.url, bob["token"])  # tokens survive too
        again = bob_client.claim("keep")
        assert again["deadline"] == held["deadline"]
        assert bob_client.submit("keep", {"note": "second"}) == {"humanLoopStatus": "Completed"}
        uri = runtime.describe_human_loop(HumanLoopName="keep")["HumanLoopOutput"]["OutputS3Uri"]
        bucket, _, key = uri[5:].partition("/")
        output = json.loads((config.mirror_dir / bucket / key).read_text())
        assert [a["answerContent"] for a in output["humanAnswers"]] == [{"note": "first"}, {"note": "second"}]
        assert [a["workerId"] for a in output["humanAnswers"]] == [alice["workerId"], bob["workerId"]]


def test_a_rule_failing_on_one_loop_is_logged_once_and_the_others_go_on(
        service: Any, caplog: pytest.LogCaptureFixture) -> None:
    ctx = service.context
    now = ctx.clock.now()
    broken = {**_loop_doc("broken", lifetime=1), "TaskCount": "many"}  # written by a buggy older version
    for name, doc in (("broken", broken), ("fine", _loop_doc("fine", lifetime=1))):
        ctx.store.loops.put({"name": name, "arn": doc["HumanLoopArn"], "status": "InProgress",
                                "creation_time": now, "flow_definition_arn": "arn:f", "doc": doc})
    ctx.advance_clock(2)
    caplog.set_level(logging.ERROR, logger="a2i_kit.service.sweeper")
    sweeper = Sweeper(ctx)
    assert sweeper.sweep_once()["loops_expired"] == 1
    for _ in range(5):
        assert sweeper.sweep_once()["loops_expired"] == 0
    assert ctx.store.loops.get("fine")["status"] == "Failed"
    assert ctx.store.loops.get("broken")["status"] == "InProgress"
    failures = [r for r in caplog.records if "expire_loop failed" in r.getMessage()]
    assert len(failures) == 1
    assert "broken" in failures[0].getMessage()
