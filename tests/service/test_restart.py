"""Durability: stop the service, start it on the same data dir, everything is still there."""

from __future__ import annotations

import json


def test_everything_survives_a_restart(tmp_path, custom_service):
    data = tmp_path / "data"
    service, sm, rt = custom_service(data_dir=data)
    token = service.admin_token
    sm.create_workteam(WorkteamName="team", Description="d", MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}])
    team = sm.describe_workteam(WorkteamName="team")["Workteam"]
    ui = sm.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": "<p>{{ task.input.a }}</p>"})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName="fd", RoleArn="arn:aws:iam::111122223333:role/r", OutputConfig={"S3OutputPath": "s3://a2i-restart/o"},
        HumanLoopConfig={"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui, "TaskTitle": "t",
                         "TaskDescription": "d", "TaskCount": 2})["FlowDefinitionArn"]
    rt.start_human_loop(HumanLoopName="keep", FlowDefinitionArn=flow, HumanLoopInput={"InputContent": json.dumps({"a": 1})})
    rt.start_human_loop(HumanLoopName="stop", FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
    rt.stop_human_loop(HumanLoopName="stop")
    service.context.advance_clock(100)
    before = rt.describe_human_loop(HumanLoopName="keep")
    service.stop()

    service2, sm2, rt2 = custom_service(data_dir=data)
    assert service2.admin_token == token
    assert abs(service2.context.clock.offset - 100) < 1e-6
    assert sm2.describe_workteam(WorkteamName="team")["Workteam"]["SubDomain"] == team["SubDomain"]
    assert sm2.describe_flow_definition(FlowDefinitionName="fd")["HumanLoopConfig"]["TaskCount"] == 2
    assert sm2.describe_human_task_ui(HumanTaskUiName="ui")["HumanTaskUiArn"] == ui
    after = rt2.describe_human_loop(HumanLoopName="keep")
    assert {k: v for k, v in after.items() if k != "ResponseMetadata"} == {
        k: v for k, v in before.items() if k != "ResponseMetadata"}
    assert rt2.describe_human_loop(HumanLoopName="stop")["HumanLoopStatus"] == "Stopped"
    same = rt2.start_human_loop(HumanLoopName="keep", FlowDefinitionArn=flow,
                                HumanLoopInput={"InputContent": json.dumps({"a": 1})})
    assert same["HumanLoopArn"].endswith("human-loop/keep")
