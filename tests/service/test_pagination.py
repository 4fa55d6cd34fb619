"""List* paging: sort orders, creation-time filters, MaxResults, NextToken across a restart."""

from __future__ import annotations

import datetime as dt

import pytest

ROLE = "arn:aws:iam::111122223333:role/r"
OUTPUT = {"S3OutputPath": "s3://bkt/o"}


def _loops(service, make_flow, start_loop, count):
    flow = make_flow("fd-1")
    for index in range(count):
        start_loop(f"loop-{index:02d}", flow["flow_definition_arn"])
        service.context.advance_clock(1)  # distinct creation times
    return flow


def test_human_loops_paginator_walks_every_loop_once(service, runtime_client, make_flow, start_loop):
    flow = _loops(service, make_flow, start_loop, 7)
    pages = list(runtime_client.get_paginator("list_human_loops").paginate(
        FlowDefinitionArn=flow["flow_definition_arn"], SortOrder="Ascending", PaginationConfig={"PageSize": 3}))
    assert [len(p["HumanLoopSummaries"]) for p in pages] == [3, 3, 1]
    names = [s["HumanLoopName"] for p in pages for s in p["HumanLoopSummaries"]]
    assert names == [f"loop-{i:02d}" for i in range(7)]


def test_default_order_is_newest_first(service, runtime_client, make_flow, start_loop):
    flow = _loops(service, make_flow, start_loop, 3)
    names = [s["HumanLoopName"] for s in runtime_client.list_human_loops(
        FlowDefinitionArn=flow["flow_definition_arn"])["HumanLoopSummaries"]]
    assert names == ["loop-02", "loop-01", "loop-00"]


def test_creation_time_filters(service, runtime_client, make_flow, start_loop):
    flow = _loops(service, make_flow, start_loop, 4)
    times = {s["HumanLoopName"]: s["CreationTime"] for s in runtime_client.list_human_loops(
        FlowDefinitionArn=flow["flow_definition_arn"])["HumanLoopSummaries"]}
    after, before = times["loop-01"], times["loop-03"]
    names = [s["HumanLoopName"] for s in runtime_client.list_human_loops(
        FlowDefinitionArn=flow["flow_definition_arn"], CreationTimeAfter=after - dt.timedelta(milliseconds=1),
        CreationTimeBefore=before, SortOrder="Ascending")["HumanLoopSummaries"]]
    assert names == ["loop-01", "loop-02"]


def test_max_results_bounds(runtime_client, make_flow, aws_error):
    flow = make_flow("fd-1")
    code, message, _ = aws_error(runtime_client.list_human_loops, FlowDefinitionArn=flow["flow_definition_arn"],
                                 MaxResults=101)
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                       "Member must have value less than or equal to 100")


def test_bad_sort_order_names_the_enum(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.list_flow_definitions, SortOrder="Newest")
    assert code == "ValidationException"
    assert message.endswith("Member must satisfy enum value set: [Ascending, Descending]")


@pytest.mark.parametrize("token", ["garbage!!", "eyJ4IjoxfQ"])
def test_garbled_token_is_a_validation_error(runtime_client, make_flow, aws_error, token):
    flow = make_flow("fd-1")
    code, message, _ = aws_error(runtime_client.list_human_loops, FlowDefinitionArn=flow["flow_definition_arn"],
                                 NextToken=token)
    assert code == "ValidationException"
    assert message.startswith("The NextToken is not valid for this request")


def test_token_of_another_list_is_refused(service, sagemaker_client, runtime_client, make_flow, start_loop, aws_error):
    flow = _loops(service, make_flow, start_loop, 3)
    token = runtime_client.list_human_loops(FlowDefinitionArn=flow["flow_definition_arn"], MaxResults=1)["NextToken"]
    code, _, _ = aws_error(sagemaker_client.list_flow_definitions, NextToken=token)
    assert code == "ValidationException"
    code, _, _ = aws_error(runtime_client.list_human_loops, FlowDefinitionArn=flow["flow_definition_arn"],
                           MaxResults=1, NextToken=token, SortOrder="Ascending")
    assert code == "ValidationException"


@pytest.mark.parametrize(("create", "lister", "key"), [
    ("create_human_task_ui", "list_human_task_uis", "HumanTaskUiSummaries"),
    ("create_flow_definition", "list_flow_definitions", "FlowDefinitionSummaries"),
])
def test_sagemaker_lists_page(service, sagemaker_client, create, lister, key):
    for index in range(5):
        if create == "create_human_task_ui":
            sagemaker_client.create_human_task_ui(HumanTaskUiName=f"r-{index}", UiTemplate={"Content": "<p/>"})
        else:
            sagemaker_client.create_flow_definition(FlowDefinitionName=f"r-{index}", RoleArn=ROLE, OutputConfig=OUTPUT)
        service.context.advance_clock(1)
    first = getattr(sagemaker_client, lister)(MaxResults=2, SortOrder="Ascending")
    second = getattr(sagemaker_client, lister)(MaxResults=2, SortOrder="Ascending", NextToken=first["NextToken"])
    names = [next(v for k, v in s.items() if k.endswith("Name")) for s in first[key] + second[key]]
    assert names == ["r-0", "r-1", "r-2", "r-3"]
    newest = getattr(sagemaker_client, lister)(CreationTimeAfter=first[key][1]["CreationTime"], SortOrder="Ascending")
    assert len(newest[key]) == 4


def test_tokens_stay_valid_across_a_restart(tmp_path, custom_service):
    data = tmp_path / "data"
    service, sm, _ = custom_service(data_dir=data)
    for index in range(4):
        sm.create_human_task_ui(HumanTaskUiName=f"t-{index}", UiTemplate={"Content": "<p/>"})
        service.context.advance_clock(1)
    first = sm.list_human_task_uis(MaxResults=2)
    service.stop()
    _, sm2, _ = custom_service(data_dir=data)
    second = sm2.list_human_task_uis(MaxResults=2, NextToken=first["NextToken"])
    assert [s["HumanTaskUiName"] for s in first["HumanTaskUiSummaries"] + second["HumanTaskUiSummaries"]] == [
        "t-3", "t-2", "t-1", "t-0"]
    assert "NextToken" not in second


@pytest.mark.parametrize("lister", ["list_human_task_uis", "list_flow_definitions", "list_workteams"])
def test_every_sagemaker_list_caps_max_results(sagemaker_client, aws_error, lister):
    code, message, _ = aws_error(getattr(sagemaker_client, lister), MaxResults=101)
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                       "Member must have value less than or equal to 100")
