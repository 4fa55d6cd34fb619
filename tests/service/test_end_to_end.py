"""A loop's whole life through the public surfaces: boto3 + the worker API, output.json, events."""

from __future__ import annotations

import json

from a2i_kit.review import WorkerClient, add_worker
from a2i_kit.service.outputs import OutputWriter


def test_two_reviewers_complete_a_loop_and_its_output_lands(service, runtime_client, make_flow, start_loop):
    flow = make_flow("e2e", task_count=2)
    start_loop("item-1", flow["flow_definition_arn"], {"text": "works well"})
    for name in ("alice", "bob"):
        worker = add_worker(service.url, service.admin_token, name, ["reviewers"])
        with WorkerClient(service.url, worker["token"]) as client:
            client.claim("item-1")
            client.submit("item-1", {"sentiment": {"label": "positive"}})
    described = runtime_client.describe_human_loop(HumanLoopName="item-1")
    assert described["HumanLoopStatus"] == "Completed"
    output = OutputWriter(service.config).read(described["HumanLoopOutput"]["OutputS3Uri"])
    assert output["humanLoopName"] == "item-1"
    assert output["inputContent"] == {"text": "works well"}
    assert [a["answerContent"] for a in output["humanAnswers"]] == [{"sentiment": {"label": "positive"}}] * 2
    events = [json.loads(line) for line in service.config.events_log.read_text().splitlines()]
    assert [e["detail"]["humanLoopStatus"] for e in events] == ["Completed"]


def test_deleting_flow_is_purged_when_its_last_claimed_loop_completes(service, sagemaker_client, make_flow,
                                                                        start_loop):
    flow = make_flow("purge")
    start_loop("held", flow["flow_definition_arn"])
    worker = add_worker(service.url, service.admin_token, "carol", ["reviewers"])
    with WorkerClient(service.url, worker["token"]) as client:
        client.claim("held")
        sagemaker_client.delete_flow_definition(FlowDefinitionName="purge")
        assert service.context.store.flow_definitions.get("purge")["status"] == "Deleting"
        client.submit("held", {"sentiment": {"label": "neutral"}})
    assert service.context.store.flow_definitions.get("purge") is None  # purged by the status-change event
    assert sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"] == []
