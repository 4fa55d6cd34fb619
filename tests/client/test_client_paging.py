"""Pagination through botocore's paginators against the embedded service, with a page retried."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from a2i_kit.client import (
    A2IClient,
    RetryPolicy,
    iter_flow_definitions,
    iter_human_loops,
    iter_pages,
)


def start_loops(runtime: Any, flow_arn: str, n: int, prefix: str = "pg") -> list[str]:
    names = [f"{prefix}-{k:04d}" for k in range(n)]
    for name in names:
        runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow_arn,
                                 HumanLoopInput={"InputContent": json.dumps({"text": name})})
    return names


def count_calls(client: Any, operation: str) -> list[dict[str, Any]]:
    """The params of every ``operation`` call made through ``client`` from now on."""
    calls: list[dict[str, Any]] = []
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"provide-client-params.{service}.{operation}",
                                lambda params, **_: calls.append(dict(params)))
    return calls


def test_human_loops_over_two_pages_of_100(make_flow: Any, runtime_client: Any) -> None:
    flow = make_flow("paging")
    names = start_loops(runtime_client, flow["flow_definition_arn"], 130)
    calls = count_calls(runtime_client, "ListHumanLoops")
    listed = [s["HumanLoopName"] for s in iter_human_loops(runtime_client, flow["flow_definition_arn"])]
    assert listed == names  # Ascending by creation, every loop once
    assert len(calls) == 2
    assert [c["MaxResults"] for c in calls] == [100, 100]
    assert "NextToken" not in calls[0]
    assert calls[1]["NextToken"]


def test_small_pages_and_filters(make_flow: Any, runtime_client: Any) -> None:
    flow = make_flow("small-pages")
    names = start_loops(runtime_client, flow["flow_definition_arn"], 25)
    pages = list(iter_pages(runtime_client, "list_human_loops", page_size=10,
                            FlowDefinitionArn=flow["flow_definition_arn"], SortOrder="Descending"))
    assert [len(p["HumanLoopSummaries"]) for p in pages] == [10, 10, 5]
    listed = [s["HumanLoopName"] for p in pages for s in p["HumanLoopSummaries"]]
    assert listed == names[::-1]
    assert "NextToken" not in pages[-1]


def test_a_throttled_page_resumes_from_its_token(make_flow: Any, runtime_client: Any) -> None:
    flow = make_flow("throttled")
    names = start_loops(runtime_client, flow["flow_definition_arn"], 25)
    calls = count_calls(runtime_client, "ListHumanLoops")
    failed: list[str] = []

    def throttle_second_page(params: dict[str, Any], **_: Any) -> None:
        if params.get("NextToken") and not failed:
            failed.append(params["NextToken"])
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                              "ListHumanLoops")

    runtime_client.meta.events.register("provide-client-params.sagemaker-a2i-runtime.ListHumanLoops",
                                        throttle_second_page)
    pages = iter_pages(runtime_client, "list_human_loops", page_size=10,
                       retry=RetryPolicy(base_delay=0), FlowDefinitionArn=flow["flow_definition_arn"],
                       SortOrder="Ascending")
    listed = [s["HumanLoopName"] for p in pages for s in p["HumanLoopSummaries"]]
    assert listed == names  # nothing lost, nothing repeated
    assert len(failed) == 1
    assert [c.get("NextToken") for c in calls].count(failed[0]) == 2  # the failed page, asked again
    assert len(calls) == 4


def test_a_non_retryable_error_is_raised_with_its_code(runtime_client: Any) -> None:
    bad = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/missing"
    with pytest.raises(ClientError) as info:
        list(iter_human_loops(runtime_client, bad, retry=RetryPolicy(base_delay=0)))
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert "missing" in info.value.response["Error"]["Message"]
    assert info.value.attempts == 1  # type: ignore[attr-defined]


def test_flow_definitions_and_session_facade(make_flow: Any, sagemaker_client: Any,
                                             runtime_client: Any) -> None:
    made = [make_flow(f"fd-{k}")["name"] for k in range(3)]
    calls = count_calls(sagemaker_client, "ListFlowDefinitions")
    names = [f["FlowDefinitionName"] for f in iter_flow_definitions(sagemaker_client, page_size=2)]
    assert sorted(names) == sorted(made)
    assert len(calls) == 2

    class FakeSession:  # the two clients a Session holds
        sagemaker, runtime = sagemaker_client, runtime_client

    a2i = A2IClient(FakeSession())  # type: ignore[arg-type]
    assert sorted(f["FlowDefinitionName"] for f in a2i.flow_definitions()) == sorted(made)
    assert sorted(u["HumanTaskUiName"] for u in a2i.human_task_uis()) == sorted(f"ui-{n}" for n in made)
