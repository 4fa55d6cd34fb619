"""CreateFlowDefinition / Describe / List / Delete, including the Initializing and Deleting states."""

from __future__ import annotations

import json

import pytest

ROLE = "arn:aws:iam::111122223333:role/a2i-kit-test"
OUTPUT = {"S3OutputPath": "s3://bucket/out"}
SOURCE = "AWS/Rekognition/DetectModerationLabels/Image/V3"
CONDITIONS = {"Conditions": [{"ConditionType": "ModerationLabelConfidenceCheck",
                              "ConditionParameters": {"ModerationLabelName": "*", "ConfidenceLessThan": 90}}]}


def loop_config(flow, **changes):
    config = {"WorkteamArn": flow["workteam_arn"], "HumanTaskUiArn": flow["task_ui_arn"], "TaskTitle": "t",
              "TaskDescription": "d", "TaskCount": 1}
    config.update(changes)
    return config


def test_describe_echoes_the_request(sagemaker_client, make_flow):
    flow = make_flow("fd-1", TaskTimeLimitInSeconds=600)
    described = sagemaker_client.describe_flow_definition(FlowDefinitionName="fd-1")
    assert described["FlowDefinitionArn"] == flow["flow_definition_arn"]
    assert described["FlowDefinitionStatus"] == "Active"
    assert described["HumanLoopConfig"]["TaskTimeLimitInSeconds"] == 600
    assert described["OutputConfig"] == {"S3OutputPath": "s3://a2i-kit-tests/output"}


def test_built_in_flow_with_activation_conditions_round_trips(sagemaker_client, make_flow):
    flow = make_flow("fd-1")
    sagemaker_client.create_flow_definition(
        FlowDefinitionName="mod", RoleArn=ROLE, OutputConfig=OUTPUT, HumanLoopConfig=loop_config(flow),
        HumanLoopRequestSource={"AwsManagedHumanLoopRequestSource": SOURCE},
        HumanLoopActivationConfig={"HumanLoopActivationConditionsConfig": {
            "HumanLoopActivationConditions": json.dumps(CONDITIONS)}})
    described = sagemaker_client.describe_flow_definition(FlowDefinitionName="mod")
    conditions = described["HumanLoopActivationConfig"]["HumanLoopActivationConditionsConfig"]["HumanLoopActivationConditions"]
    assert json.loads(conditions) == CONDITIONS
    assert described["HumanLoopRequestSource"]["AwsManagedHumanLoopRequestSource"] == SOURCE


def test_flow_without_human_loop_config_is_accepted(sagemaker_client):
    sagemaker_client.create_flow_definition(FlowDefinitionName="bare", RoleArn=ROLE, OutputConfig=OUTPUT)
    assert "HumanLoopConfig" not in sagemaker_client.describe_flow_definition(FlowDefinitionName="bare")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"WorkteamArn": "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/ghost"},
     "The specified Workteam 'arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/ghost' does not "
     "exist or you do not have access to it."),
    ({"HumanTaskUiArn": "arn:aws:sagemaker:us-east-1:111122223333:human-task-ui/ghost"},
     "The specified HumanTaskUi 'arn:aws:sagemaker:us-east-1:111122223333:human-task-ui/ghost' does not exist"),
    ({"WorkteamArn": "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/x"},
     "1 validation error detected: Value 'arn:aws:sagemaker:us-east-1:111122223333:flow-definition/x' at "
     "'humanLoopConfig.workteamArn' failed to satisfy constraint: Member must satisfy regular expression "
     "pattern: arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:workteam/.*"),
    ({"TaskCount": 4}, "1 validation error detected: Value '4' at 'humanLoopConfig.taskCount' failed to "
                       "satisfy constraint: Member must have value less than or equal to 3"),
    ({"TaskKeywords": ["document-review"]},
     "Value 'document-review' at 'humanLoopConfig.taskKeywords.1.member' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [A-Za-z0-9]+( [A-Za-z0-9]+)*"),
    ({"TaskDescription": "line one\nline two"}, "at 'humanLoopConfig.taskDescription' failed to satisfy constraint"),
])
def test_bad_human_loop_config(sagemaker_client, make_flow, aws_error, changes, expected):
    flow = make_flow("fd-1")
    code, message, _ = aws_error(sagemaker_client.create_flow_definition, FlowDefinitionName="bad", RoleArn=ROLE,
                                 OutputConfig=OUTPUT, HumanLoopConfig=loop_config(flow, **changes))
    assert code == "ValidationException"
    assert expected in message


def test_several_problems_are_reported_together(sagemaker_client, make_flow, aws_error):
    flow = make_flow("fd-1")
    code, message, _ = aws_error(sagemaker_client.create_flow_definition, FlowDefinitionName="Bad_Name",
                                 RoleArn=ROLE, OutputConfig={"S3OutputPath": "ftp://x"},
                                 HumanLoopConfig=loop_config(flow, TaskCount=9))
    assert code == "ValidationException"
    assert message.startswith("3 validation errors detected: Value 'Bad_Name' at 'flowDefinitionName'")
    assert message.count("; ") == 2


@pytest.mark.parametrize(("source", "conditions", "expected"), [
    (None, CONDITIONS, "activation conditions are only supported for built-in task types"),
    (SOURCE, {"Conditions": [{"And": [CONDITIONS["Conditions"][0]]}]}, "must contain at least 2 conditions"),
    (SOURCE, {"Conditions": [{"ConditionType": "Sampling", "ConditionParameters": {"RandomSamplingPercentage": 0}}]},
     "RandomSamplingPercentage"),
    (SOURCE, {"Conditions": [{"ConditionType": "MissingImportantFormKey",
                              "ConditionParameters": {"ImportantFormKey": "Name"}}]}, "MissingImportantFormKey"),
])
def test_bad_activation_conditions(sagemaker_client, make_flow, aws_error, source, conditions, expected):
    flow = make_flow("fd-1")
    extra = {"HumanLoopRequestSource": {"AwsManagedHumanLoopRequestSource": source}} if source else {}
    code, message, _ = aws_error(
        sagemaker_client.create_flow_definition, FlowDefinitionName="bad", RoleArn=ROLE, OutputConfig=OUTPUT,
        HumanLoopConfig=loop_config(flow), HumanLoopActivationConfig={"HumanLoopActivationConditionsConfig": {
            "HumanLoopActivationConditions": json.dumps(conditions)}}, **extra)
    assert code == "ValidationException"
    assert expected in message


def test_activation_conditions_that_are_not_json(sagemaker_client, make_flow, aws_error):
    flow = make_flow("fd-1")
    code, message, _ = aws_error(
        sagemaker_client.create_flow_definition, FlowDefinitionName="bad", RoleArn=ROLE, OutputConfig=OUTPUT,
        HumanLoopConfig=loop_config(flow), HumanLoopRequestSource={"AwsManagedHumanLoopRequestSource": SOURCE},
        HumanLoopActivationConfig={"HumanLoopActivationConditionsConfig": {
            "HumanLoopActivationConditions": "{not json"}})
    assert code == "ValidationException"
    assert "not valid JSON" in message


def test_duplicate_name_and_unknown_name(sagemaker_client, make_flow, aws_error):
    make_flow("fd-1")
    code, message, _ = aws_error(sagemaker_client.create_flow_definition, FlowDefinitionName="fd-1",
                                 RoleArn=ROLE, OutputConfig=OUTPUT)
    assert (code, message) == ("ResourceInUse", "FlowDefinition 'fd-1' already exists. Delete it first or pick another name.")
    code, message, _ = aws_error(sagemaker_client.describe_flow_definition, FlowDefinitionName="ghost")
    assert (code, message) == ("ResourceNotFound", "FlowDefinition 'ghost' does not exist.")
    code, message, _ = aws_error(sagemaker_client.delete_flow_definition, FlowDefinitionName="ghost")
    assert (code, message) == ("ResourceNotFound", "FlowDefinition 'ghost' does not exist.")


def test_initializing_then_active_and_delete_only_when_active(custom_service, aws_error):
    service, sm, _ = custom_service(flow_definition_init_seconds=30)
    sm.create_flow_definition(FlowDefinitionName="slow", RoleArn=ROLE, OutputConfig=OUTPUT)
    assert sm.describe_flow_definition(FlowDefinitionName="slow")["FlowDefinitionStatus"] == "Initializing"
    code, message, _ = aws_error(sm.delete_flow_definition, FlowDefinitionName="slow")
    assert code == "ResourceInUse"
    assert message == "FlowDefinition 'slow' is Initializing; only an Active flow definition can be deleted."
    service.context.advance_clock(31)
    assert sm.list_flow_definitions()["FlowDefinitionSummaries"][0]["FlowDefinitionStatus"] == "Active"
    sm.delete_flow_definition(FlowDefinitionName="slow")
    code, _, _ = aws_error(sm.describe_flow_definition, FlowDefinitionName="slow")
    assert code == "ResourceNotFound"


def test_delete_stops_and_deletes_unclaimed_loops_and_frees_the_name(sagemaker_client, runtime_client, make_flow,
                                                                      start_loop, aws_error):
    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    sagemaker_client.delete_flow_definition(FlowDefinitionName="fd-1")
    code, _, _ = aws_error(sagemaker_client.describe_flow_definition, FlowDefinitionName="fd-1")
    assert code == "ResourceNotFound"
    code, message, status = aws_error(runtime_client.describe_human_loop, HumanLoopName="loop-1")
    assert (code, status) == ("ResourceNotFoundException", 404)
    code, message, status = aws_error(runtime_client.list_human_loops, FlowDefinitionArn=flow["flow_definition_arn"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"FlowDefinition '{flow['flow_definition_arn']}' does not exist."
    assert sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"] == []
    sagemaker_client.create_flow_definition(FlowDefinitionName="fd-1", RoleArn=ROLE, OutputConfig=OUTPUT)


def test_delete_waits_for_a_claimed_loop(service, sagemaker_client, runtime_client, make_flow, start_loop):
    flow = make_flow("fd-1")
    start_loop("held", flow["flow_definition_arn"])
    start_loop("free", flow["flow_definition_arn"])
    now = service.context.clock.now()
    service.context.store.claims.put({"loop_name": "held", "worker_id": "w1", "status": "claimed",
                                          "claimed_at": now, "deadline": now + 600, "doc": {}})
    sagemaker_client.delete_flow_definition(FlowDefinitionName="fd-1")
    assert sagemaker_client.describe_flow_definition(FlowDefinitionName="fd-1")["FlowDefinitionStatus"] == "Deleting"
    assert runtime_client.describe_human_loop(HumanLoopName="held")["HumanLoopStatus"] == "InProgress"
    names = [s["HumanLoopName"] for s in runtime_client.list_human_loops(
        FlowDefinitionArn=flow["flow_definition_arn"])["HumanLoopSummaries"]]
    assert names == ["held"]
    service.context.advance_clock(601)  # the claim expires: nothing holds the definition any more
    assert sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"][0]["FlowDefinitionStatus"] == "Deleting"
    with pytest.raises(sagemaker_client.exceptions.ResourceNotFound):
        sagemaker_client.describe_flow_definition(FlowDefinitionName="fd-1")


def test_deleted_task_ui_blocks_new_loops(sagemaker_client, runtime_client, make_flow, aws_error):
    flow = make_flow("fd-1")
    sagemaker_client.delete_human_task_ui(HumanTaskUiName="ui-fd-1")
    code, message, _ = aws_error(runtime_client.start_human_loop, HumanLoopName="l1",
                                 FlowDefinitionArn=flow["flow_definition_arn"], HumanLoopInput={"InputContent": "{}"})
    assert code == "ValidationException"
    assert message.startswith(f"The HumanTaskUi '{flow['task_ui_arn']}' of FlowDefinition 'fd-1' was deleted")
