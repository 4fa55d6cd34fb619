"""Status summary from paginated ListHumanLoops, waiting, stop/delete and cleanup, on the real service."""

from __future__ import annotations

import threading

import pytest

from a2i_kit.errors import A2IKitError
from a2i_kit.monitor import (
    ResourceTracker,
    delete_loops,
    list_loops,
    status_summary,
    stop_loops,
    wait_until_done,
)
from a2i_kit.review import simulate_reviewers


def test_status_summary_pages_through_list_and_never_describes(service, started, runtime_client,
                                                               call_counter):
    flow = started(130)
    simulate_reviewers(service.url, service.admin_token, workers=1, max_tasks=20, seed=1)
    stop_loops(runtime_client, flow["names"][-5:])
    call_counter.clear()
    counts = status_summary(runtime_client, flow["flow_definition_arn"])
    assert counts.to_dict() == {"InProgress": 105, "Completed": 20, "Failed": 0, "Stopping": 0,
                                "Stopped": 5}
    assert call_counter == {"ListHumanLoops": 2}  # 130 loops / 100 per page
    subset = status_summary(runtime_client, flow["flow_definition_arn"], names=flow["names"][-10:])
    assert subset.to_dict() == {"InProgress": 5, "Completed": 0, "Failed": 0, "Stopping": 0, "Stopped": 5}
    table = list_loops(runtime_client, flow["flow_definition_arn"])
    assert len(table) == 130
    assert list(table.columns) == ["loop_name", "status", "creation_time", "failure_reason",
                                   "flow_definition_arn"]


def test_wait_until_done_returns_when_reviewers_finish(service, started, runtime_client):
    flow = started(6)
    crew = threading.Thread(target=simulate_reviewers, args=(service.url, service.admin_token),
                            kwargs={"workers": 2, "seed": 3}, daemon=True)
    crew.start()
    counts = wait_until_done(runtime_client, flow["flow_definition_arn"], timeout=60, poll_seconds=0.1,
                             progress=False)
    crew.join(timeout=30)
    assert counts["Completed"] == 6
    assert counts["InProgress"] == 0


def test_wait_until_done_times_out_with_a_clear_message(started, runtime_client):
    flow = started(3)
    with pytest.raises(A2IKitError, match=r"3 of 3 loops are still open after 0\.2 s \({'InProgress': 3}\)"):
        wait_until_done(runtime_client, flow["flow_definition_arn"], timeout=0.2, poll_seconds=0.05,
                        progress=False)
    counts = wait_until_done(runtime_client, flow["flow_definition_arn"], timeout=0, progress=False,
                             raise_on_timeout=False)
    assert counts["InProgress"] == 3


def test_stop_then_delete(started, runtime_client):
    flow = started(4)
    stopped = stop_loops(runtime_client, [*flow["names"][:2], "no-such-loop"])
    assert stopped["result"].tolist() == ["ok", "ok", "not_found"]
    deleted = delete_loops(runtime_client, flow["names"])  # the two open ones are stopped first
    assert deleted["result"].tolist() == ["ok"] * 4
    assert list_loops(runtime_client, flow["flow_definition_arn"]).empty


def test_tracker_cleans_up_what_the_notebook_created(sagemaker_client, runtime_client, tmp_path):
    tracker = ResourceTracker(sagemaker=sagemaker_client, runtime=runtime_client,
                              path=tmp_path / "created.json")
    team = tracker.create_workteam(
        WorkteamName="nb-team", Description="d",
        MemberDefinitions=[{"CognitoMemberDefinition": {"UserPool": "us-east-1_Test1234",
                                                        "UserGroup": "reviewers", "ClientId": "c"}}])
    ui = tracker.create_human_task_ui(HumanTaskUiName="nb-ui", UiTemplate={
        "Content": "<crowd-form><crowd-input name='x'></crowd-input></crowd-form>"})
    flow = tracker.create_flow_definition(
        FlowDefinitionName="nb-flow", RoleArn="arn:aws:iam::111122223333:role/r",
        HumanLoopConfig={"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui["HumanTaskUiArn"],
                         "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://nb-bucket/o"})
    for k in range(3):
        runtime_client.start_human_loop(HumanLoopName=f"nb-{k}", FlowDefinitionArn=flow["FlowDefinitionArn"],
                                        HumanLoopInput={"InputContent": "{}"})
    reloaded = ResourceTracker(sagemaker=sagemaker_client, runtime=runtime_client,
                               path=tmp_path / "created.json")  # e.g. after a kernel restart
    assert repr(reloaded) == "ResourceTracker(workteams=1, task_uis=1, flow_definitions=1)"
    report = reloaded.cleanup()
    assert report.to_dict("records") == [
        {"kind": "loops", "name": "nb-flow", "result": "3 deleted"},
        {"kind": "flow_definitions", "name": "nb-flow", "result": "deleted"},
        {"kind": "task_uis", "name": "nb-ui", "result": "deleted"},
        {"kind": "workteams", "name": "nb-team", "result": "deleted"}]
    assert sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"] == []
    assert sagemaker_client.list_human_task_uis()["HumanTaskUiSummaries"] == []
    assert not (tmp_path / "created.json").exists()
    assert reloaded.cleanup().empty
