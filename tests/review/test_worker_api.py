"""Worker API over real HTTP: claim, submit, release, TaskCount, output.json, stop, errors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from a2i_kit.review import WorkerApiError


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_claim_and_submit_complete_the_loop_with_the_reference_output(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any, read_output: Any) -> None:
    flow = make_flow()
    [loop] = start_loops(flow, inputs=[{"text": "great phone", "label": "positive"}])
    alice = add_worker("alice")

    task = alice.claim(loop)
    assert task["humanLoopName"] == loop
    assert task["taskTitle"] == f"Review {flow['name']}"
    assert task["timeLimitSeconds"] == 3600
    assert "great phone" in task["html"]
    assert "crowd-classifier" in task["html"]
    assert _epoch(task["deadline"]) - _epoch(task["claimedAt"]) == pytest.approx(3600, abs=0.002)

    service.context.advance_clock(42.5)
    assert alice.submit(loop, {"sentiment": {"label": "positive"}}) == {"humanLoopStatus": "Completed"}

    described = runtime_client.describe_human_loop(HumanLoopName=loop)
    assert described["HumanLoopStatus"] == "Completed"
    output = read_output(loop)
    assert set(output) == {"flowDefinitionArn", "humanLoopName", "humanAnswers", "inputContent"}
    assert output["flowDefinitionArn"] == flow["flow_definition_arn"]
    assert output["humanLoopName"] == loop
    assert output["inputContent"] == {"text": "great phone", "label": "positive"}
    [answer] = output["humanAnswers"]
    assert set(answer) == {"answerContent", "acceptanceTime", "submissionTime", "timeSpentInSeconds",
                           "workerId", "workerMetadata"}
    assert answer["answerContent"] == {"sentiment": {"label": "positive"}}
    assert answer["acceptanceTime"] == task["claimedAt"]
    assert 42.5 <= answer["timeSpentInSeconds"] < 42.5 + 60  # moved clock + real request time
    assert _epoch(answer["submissionTime"]) - _epoch(answer["acceptanceTime"]) == pytest.approx(
        answer["timeSpentInSeconds"], abs=0.002)
    assert answer["workerId"] == alice.info["workerId"]
    assert len(answer["workerId"]) == 16
    assert int(answer["workerId"], 16) >= 0
    assert answer["workerMetadata"] == {"identityData": {
        "identityProviderType": "Cognito",
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test1234",
        "sub": alice.info["sub"]}}


def test_me_and_task_list_show_the_workers_teams_and_open_work(
        make_flow: Any, start_loops: Any, add_worker: Any) -> None:
    flow = make_flow(task_count=2)
    loops = start_loops(flow, 2)
    alice, bob = add_worker("alice"), add_worker("bob")
    outsider = add_worker("carol", groups=["other-team"])

    assert alice.me()["workteams"] == [flow["workteam_arn"]]
    assert outsider.me()["workteams"] == []
    assert outsider.tasks() == []
    assert [t["humanLoopName"] for t in alice.tasks()] == loops

    alice.claim(loops[0])
    alice.submit(loops[0], {"sentiment": {"label": "neutral"}})
    bob.claim(loops[1])
    mine = {t["humanLoopName"]: t for t in bob.tasks()}
    assert mine[loops[0]]["submittedCount"] == 1
    assert not mine[loops[0]]["claimedByMe"]
    assert mine[loops[1]]["claimedByMe"]
    assert mine[loops[1]]["taskCount"] == 2
    # alice already answered loop 0: it is no longer offered to her
    assert [t["humanLoopName"] for t in alice.tasks()] == [loops[1]]


def test_claiming_again_returns_the_same_claim(service: Any, make_flow: Any, start_loops: Any,
                                               add_worker: Any) -> None:
    [loop] = start_loops(make_flow())
    alice = add_worker("alice")
    first = alice.claim(loop)
    service.context.advance_clock(10)
    again = alice.claim(loop)
    assert (again["claimedAt"], again["deadline"]) == (first["claimedAt"], first["deadline"])


def test_release_returns_the_slot_to_the_pool(make_flow: Any, start_loops: Any, add_worker: Any) -> None:
    [loop] = start_loops(make_flow())
    alice, bob = add_worker("alice"), add_worker("bob")
    alice.claim(loop)
    with pytest.raises(WorkerApiError) as taken:
        bob.claim(loop)
    assert (taken.value.status, taken.value.code) == (409, "Conflict")
    assert "all 1 task slots" in str(taken.value)

    assert alice.release(loop) == {}
    assert bob.claim(loop)["humanLoopName"] == loop
    with pytest.raises(WorkerApiError) as released:
        alice.submit(loop, {"sentiment": {"label": "negative"}})
    assert released.value.status == 409
    assert "no claim" in str(released.value)


@pytest.mark.parametrize("task_count", [2, 3])
def test_task_count_needs_distinct_workers_then_writes_every_answer(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any, read_output: Any,
        task_count: int) -> None:
    [loop] = start_loops(make_flow(task_count=task_count))
    workers = [add_worker(f"w{i}") for i in range(task_count)]
    for index, worker in enumerate(workers):
        worker.claim(loop)
        status = worker.submit(loop, {"sentiment": {"label": f"label-{index}"}})["humanLoopStatus"]
        done = index == task_count - 1
        assert status == ("Completed" if done else "InProgress")
        if not done:
            with pytest.raises(WorkerApiError) as twice:
                worker.claim(loop)
            assert twice.value.status == 409
            assert "already answered" in str(twice.value)
            uri = runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopOutput"]["OutputS3Uri"]
            assert not list(service.context.config.mirror_dir.rglob("output.json")), uri

    output = read_output(loop)
    answers = output["humanAnswers"]
    assert len(answers) == task_count
    assert sorted(a["workerId"] for a in answers) == sorted(w.info["workerId"] for w in workers)
    assert [a["answerContent"]["sentiment"]["label"] for a in answers] == [
        f"label-{i}" for i in range(task_count)]


def test_stop_while_a_claim_is_live_waits_for_the_submit(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any, read_output: Any) -> None:
    [loop] = start_loops(make_flow(task_count=2))
    alice, bob = add_worker("alice"), add_worker("bob")
    alice.claim(loop)
    runtime_client.stop_human_loop(HumanLoopName=loop)
    assert runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] == "Stopping"

    with pytest.raises(WorkerApiError) as refused:
        bob.claim(loop)
    assert refused.value.status == 409
    assert "Stopping" in str(refused.value)
    assert [t["humanLoopName"] for t in alice.tasks()] == [loop]  # she can still finish it

    assert alice.submit(loop, {"sentiment": {"label": "negative"}}) == {"humanLoopStatus": "Stopped"}
    # Our choice (lifecycle.py): a stopped loop with answers still writes them to output.json.
    output = read_output(loop)
    assert [a["workerId"] for a in output["humanAnswers"]] == [alice.info["workerId"]]
    events = [json.loads(line) for line in service.context.config.events_log.read_text().splitlines()]
    assert [e["detail"]["humanLoopStatus"] for e in events] == ["Stopped"]


def test_a_template_that_cannot_render_fails_the_loop_like_a2i(
        make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any) -> None:
    template = '<crowd-form><img src="{{ task.input.image | grant_read_access }}"></crowd-form>'
    [loop] = start_loops(make_flow(template=template), inputs=[{"image": " "}])
    alice = add_worker("alice")
    with pytest.raises(WorkerApiError) as failed:
        alice.claim(loop)
    assert failed.value.status == 409
    assert "Task failed to render" in str(failed.value)
    described = runtime_client.describe_human_loop(HumanLoopName=loop)
    assert described["HumanLoopStatus"] == "Failed"
    assert described["FailureCode"] == "ValidationError"
    assert described["FailureReason"].startswith("Task failed to render: [ InvalidParameters: '")
    assert "grant_read_access" in described["FailureReason"]


def test_events_route_pages_through_the_log_and_the_bus_delivers_them(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, admin: Any,
        runtime_client: Any) -> None:
    received: list[dict[str, Any]] = []
    service.context.bus.subscribe(received.append)
    loops = start_loops(make_flow(), 3)
    alice = add_worker("alice")
    for loop in loops[:2]:
        alice.claim(loop)
        alice.submit(loop, {"sentiment": {"label": "positive"}})
    runtime_client.stop_human_loop(HumanLoopName=loops[2])

    first = admin.events(after=0, limit=2)
    assert [e["detail"]["humanLoopName"] for e in first["events"]] == loops[:2]
    assert first["next"] == 2
    rest = admin.events(after=first["next"])
    assert [(e["detail"]["humanLoopName"], e["detail"]["humanLoopStatus"]) for e in rest["events"]] == [
        (loops[2], "Stopped")]
    assert rest["next"] == 3
    assert admin.events(after=3) == {"events": [], "next": 3}
    assert [e["detail"]["humanLoopStatus"] for e in received] == ["Completed", "Completed", "Stopped"]
    assert received[0]["detail-type"] == "SageMaker A2I HumanLoop Status Change"


def test_concurrent_claims_never_exceed_task_count(service: Any, make_flow: Any, start_loops: Any,
                                                   add_worker: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    [loop] = start_loops(make_flow(task_count=2))
    workers = [add_worker(f"racer-{i}") for i in range(6)]

    def try_claim(worker: Any) -> int:
        try:
            worker.claim(loop)
        except WorkerApiError as exc:
            return exc.status
        return 200

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = sorted(pool.map(try_claim, workers))
    assert results == [200, 200, 409, 409, 409, 409]
    live = [a for a in service.context.store.claims.of_loop(loop) if a["status"] == "claimed"]
    assert len(live) == 2


def test_held_claim_reopens_but_never_takes(service: Any, make_flow: Any, start_loops: Any,
                                            add_worker: Any) -> None:
    from a2i_kit.service import worker_api
    from a2i_kit.service.workforce import WorkforceError, authenticate

    [loop] = start_loops(make_flow())
    alice = add_worker("alice")
    record = authenticate(service.context, alice.info["token"])
    with pytest.raises(WorkforceError, match="you hold no claim") as none:
        worker_api.held_claim(service.context, record, loop)
    assert none.value.status == 409
    taken = alice.claim(loop)
    assert worker_api.held_claim(service.context, record, loop)["deadline"] == taken["deadline"]


def test_oidc_workers_report_the_local_issuer(sagemaker_client: Any, make_flow: Any,
                                              start_loops: Any, add_worker: Any, read_output: Any) -> None:
    from a2i_kit.service.workforce import LOCAL_OIDC_ISSUER

    team = sagemaker_client.create_workteam(
        WorkteamName="oidc-team", Description="OIDC reviewers",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["sso-reviewers", "sso-leads"]}}])["WorkteamArn"]
    flow = make_flow("oidc-flow")
    ui = sagemaker_client.describe_flow_definition(FlowDefinitionName="oidc-flow")["HumanLoopConfig"]["HumanTaskUiArn"]
    oidc_flow = sagemaker_client.create_flow_definition(
        FlowDefinitionName="oidc-review", RoleArn="arn:aws:iam::111122223333:role/a2i-kit-test",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t", "TaskDescription": "d",
                         "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://a2i-kit-tests/output"})["FlowDefinitionArn"]
    [loop] = start_loops({**flow, "flow_definition_arn": oidc_flow}, prefix="sso")
    erin = add_worker("erin", groups=["sso-leads"], identity_provider="Oidc")
    assert erin.me()["workteams"] == [team]
    erin.claim(loop)
    erin.submit(loop, {"sentiment": {"label": "neutral"}})
    identity = read_output(loop)["humanAnswers"][0]["workerMetadata"]["identityData"]
    assert identity == {"identityProviderType": "Oidc", "issuer": LOCAL_OIDC_ISSUER, "sub": erin.info["sub"]}
