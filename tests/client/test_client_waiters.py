"""Waiters against the embedded service: Active flow definitions, finished loops, clear timeouts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from a2i_kit.client import WaiterError, wait_for_flow_definition, wait_for_loop
from a2i_kit.errors import A2IKitError


@pytest.fixture
def slow_service(tmp_path: Path, database_url: str | None) -> Iterator[Any]:
    """A service whose flow definitions stay Initializing for a minute."""
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    thread = ServiceThread(ServiceConfig(data_dir=tmp_path / "slow", database_url=database_url,
                                         flow_definition_init_seconds=60.0))
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


def test_active_flow_definition_by_name_or_arn(make_flow: Any, sagemaker_client: Any) -> None:
    flow = make_flow("ready")
    by_name = wait_for_flow_definition(sagemaker_client, "ready", timeout=5)
    by_arn = wait_for_flow_definition(sagemaker_client, flow["flow_definition_arn"], timeout=5)
    assert by_name["FlowDefinitionStatus"] == by_arn["FlowDefinitionStatus"] == "Active"
    assert by_arn["FlowDefinitionArn"] == flow["flow_definition_arn"]


def test_flow_definition_timeout_names_state_and_fix(slow_service: Any) -> None:
    sm = boto3.client("sagemaker", endpoint_url=slow_service.url, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing",
                      config=Config(retries={"max_attempts": 1}))
    ui = sm.create_human_task_ui(HumanTaskUiName="ui-slow", UiTemplate={"Content": "<p>{{ task.input.text }}</p>"})
    team = sm.create_workteam(WorkteamName="team-slow", Description="t", MemberDefinitions=[
        {"CognitoMemberDefinition": {"UserPool": "us-east-1_Test1234", "UserGroup": "g",
                                     "ClientId": "c"}}])["WorkteamArn"]
    sm.create_flow_definition(
        FlowDefinitionName="slow", RoleArn="arn:aws:iam::111122223333:role/r",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                         "TaskDescription": "d", "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://a2i-kit-tests/o"})
    with pytest.raises(WaiterError) as info:
        wait_for_flow_definition(sm, "slow", timeout=0.3, poll_seconds=0.1)
    assert str(info.value) == ("flow definition 'slow' is still Initializing after 0.3 s, not Active; "
                               "wait longer (timeout=) or check describe_flow_definition")
    assert isinstance(info.value, A2IKitError)
    assert isinstance(info.value, TimeoutError)


def test_missing_flow_definition_raises_the_aws_error(sagemaker_client: Any) -> None:
    with pytest.raises(sagemaker_client.exceptions.ResourceNotFound) as info:
        wait_for_flow_definition(sagemaker_client, "nope", timeout=1)
    assert info.value.response["Error"]["Code"] == "ResourceNotFound"
    assert "nope" in info.value.response["Error"]["Message"]


def test_loop_waiter_returns_when_stopped_and_times_out_while_open(make_flow: Any,
                                                                   runtime_client: Any) -> None:
    flow = make_flow("loops")
    for name in ("open-1", "stop-1"):
        runtime_client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                                        HumanLoopInput={"InputContent": json.dumps({"text": name})})
    with pytest.raises(WaiterError) as info:
        wait_for_loop(runtime_client, "open-1", timeout=0.2, poll_seconds=0.05)
    assert str(info.value) == ("human loop 'open-1' is still InProgress after 0.2 s; wait longer "
                               "(timeout=), or stop it with stop_human_loop")
    runtime_client.stop_human_loop(HumanLoopName="stop-1")
    done = wait_for_loop(runtime_client, "stop-1", timeout=10, poll_seconds=0.05)
    assert done["HumanLoopStatus"] == "Stopped"
