"""EventBridge subscription and the one event iterator: SQS on the AWS-shaped stack (moto delivers
EventBridge events to SQS targets), the embedded service's log locally — the same dictionaries."""

from __future__ import annotations

import json
import time

import a2i_kit
from a2i_kit.aws import iter_events, subscribe_events
from a2i_kit.service.events import build_event

FLOW = "arn:aws:sagemaker:us-east-1:123456789012:flow-definition/claims"


def _event(name: str, status: str, flow: str = FLOW) -> dict:
    loop = {"HumanLoopName": name, "HumanLoopArn": f"arn:aws:sagemaker:us-east-1:123456789012:human-loop/{name}",
            "FlowDefinitionArn": flow, "OutputS3Uri": f"s3://a2i-kit-data/out/{name}/output.json"}
    return build_event(account="123456789012", region="us-east-1", now=1_790_000_000.0, loop=loop,
                       creation_time=1_789_999_000.5, status=status)


def _put(aws_stack, event: dict) -> None:
    answer = aws_stack.client("events").put_events(Entries=[{
        "Source": event["source"], "DetailType": event["detail-type"], "Resources": event["resources"],
        "Detail": json.dumps(event["detail"])}])
    assert answer["FailedEntryCount"] == 0, answer


def test_subscribe_twice_makes_the_same_resources(aws_stack) -> None:
    session = a2i_kit.connect("aws")
    first = subscribe_events(session, queue_name="a2i-events", rule_name="a2i-status")
    second = subscribe_events(session, queue_name="a2i-events", rule_name="a2i-status")
    assert first == second
    assert first.rule_arn == "arn:aws:events:us-east-1:123456789012:rule/a2i-status"
    assert first.queue_arn == "arn:aws:sqs:us-east-1:123456789012:a2i-events"
    events, sqs = aws_stack.client("events"), aws_stack.client("sqs")
    rule = events.describe_rule(Name="a2i-status")
    assert json.loads(rule["EventPattern"]) == {"source": ["aws.sagemaker"],
                                                "detail-type": ["SageMaker A2I HumanLoop Status Change"]}
    assert events.list_targets_by_rule(Rule="a2i-status")["Targets"] == [{"Id": "a2i-kit-sqs", "Arn": first.queue_arn}]
    assert len(sqs.list_queues()["QueueUrls"]) == 1
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=first.queue_url, AttributeNames=["Policy"])
                        ["Attributes"]["Policy"])
    assert policy["Statement"] == [{
        "Sid": "a2i-kit-a2i-status", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": first.queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": first.rule_arn}}}]


def test_event_put_on_eventbridge_reaches_the_queue_and_iter_events(aws_stack) -> None:
    session = a2i_kit.connect("aws")
    subscription = subscribe_events(session, queue_name="a2i-events")
    sent = _event("loop-1", "Completed")
    _put(aws_stack, sent)
    got = list(iter_events(session, queue_name="a2i-events"))
    assert len(got) == 1
    assert list(got[0]) == list(sent)  # same keys, same order as the service's events
    assert got[0]["detail"] == sent["detail"]
    assert (got[0]["source"], got[0]["detail-type"], got[0]["resources"]) == (
        sent["source"], sent["detail-type"], sent["resources"])
    attributes = aws_stack.client("sqs").get_queue_attributes(
        QueueUrl=subscription.queue_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"  # deleted once read


def test_repeats_are_dropped_and_filters_apply(aws_stack) -> None:
    session = a2i_kit.connect("aws")
    subscribe_events(session, queue_name="a2i-events")
    other = "arn:aws:sagemaker:us-east-1:123456789012:flow-definition/other"
    for event in (_event("loop-1", "Completed"), _event("loop-1", "Completed"), _event("loop-2", "Stopped"),
                  _event("loop-3", "Completed", flow=other)):
        _put(aws_stack, event)
    got = list(iter_events(session, queue_name="a2i-events", flow_definition_arn=FLOW))
    assert sorted((e["detail"]["humanLoopName"], e["detail"]["humanLoopStatus"]) for e in got) == [
        ("loop-1", "Completed"), ("loop-2", "Stopped")]
    assert list(iter_events(session, queue_name="a2i-events")) == []


def test_messages_that_are_not_a2i_events_are_skipped(aws_stack) -> None:
    session = a2i_kit.connect("aws")
    subscription = subscribe_events(session, queue_name="a2i-events")
    sqs = aws_stack.client("sqs")
    sqs.send_message(QueueUrl=subscription.queue_url, MessageBody="not json")
    sqs.send_message(QueueUrl=subscription.queue_url, MessageBody=json.dumps(_event("loop-9", "Failed")))
    got = list(iter_events(session, queue_name="a2i-events"))
    assert [e["detail"]["humanLoopName"] for e in got] == ["loop-9"]


def test_iter_events_locally_yields_the_services_events(tmp_path) -> None:
    session = a2i_kit.connect(data_dir=tmp_path / "local")
    try:
        sm, runtime = session.sagemaker, session.runtime
        team = sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[
            {"OidcMemberDefinition": {"Groups": ["reviewers"]}}])["WorkteamArn"]
        ui = sm.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": (
            "<crowd-form><crowd-input name='a'></crowd-input></crowd-form>")})["HumanTaskUiArn"]
        flow = sm.create_flow_definition(
            FlowDefinitionName="f", RoleArn="arn:aws:iam::111122223333:role/r",
            OutputConfig={"S3OutputPath": "s3://a2i-kit-local/out"}, HumanLoopConfig={
                "WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t", "TaskDescription": "d",
                "TaskCount": 1})["FlowDefinitionArn"]
        runtime.start_human_loop(HumanLoopName="loop-a", FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
        runtime.stop_human_loop(HumanLoopName="loop-a")
        for _ in range(100):
            if runtime.describe_human_loop(HumanLoopName="loop-a")["HumanLoopStatus"] == "Stopped":
                break
            time.sleep(0.1)
        got = list(iter_events(session, flow_definition_arn=flow))
        assert [(e["detail"]["humanLoopName"], e["detail"]["humanLoopStatus"]) for e in got] == [("loop-a", "Stopped")]
        assert list(got[0]) == ["version", "id", "detail-type", "source", "account", "time", "region",
                                "resources", "detail"]
        assert subscribe_events(session).backend == "local"
    finally:
        session.service.stop()


def test_a_stopped_loop_travels_eventbridge_to_sqs_to_iter_events(aws_stack) -> None:
    setup = aws_stack.good_setup()
    session = a2i_kit.connect("aws")
    subscribe_events(session, queue_name="a2i-events", flow_definition_arn=setup["flow_arn"])
    session.runtime.start_human_loop(HumanLoopName="loop-e2e", FlowDefinitionArn=setup["flow_arn"],
                                     HumanLoopInput={"InputContent": json.dumps(setup["sample"])})
    session.runtime.stop_human_loop(HumanLoopName="loop-e2e")
    got = next(iter_events(session, queue_name="a2i-events", follow=True, timeout=30))
    described = session.runtime.describe_human_loop(HumanLoopName="loop-e2e")
    assert got["detail"]["humanLoopName"] == "loop-e2e"
    assert got["detail"]["humanLoopStatus"] == "Stopped"
    assert got["detail"]["humanLoopArn"] == described["HumanLoopArn"]
    assert got["detail"]["flowDefinitionArn"] == setup["flow_arn"]
    assert got["detail"]["humanLoopOutput"] == {"outputS3Uri": described["HumanLoopOutput"]["OutputS3Uri"]}
