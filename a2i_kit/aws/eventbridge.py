"""A2I human-loop status changes through EventBridge and SQS on AWS, from the service locally.

:func:`subscribe_events` creates (idempotently) the EventBridge rule for A2I's status-change
events, an SQS queue, the queue policy that lets that rule send to it, and the target.
:func:`iter_events` yields the same event dictionaries on both backends: from the queue on AWS
(long poll, each message deleted once the consumer asks for the next event), from the embedded
service's event log locally. Delivery is at-least-once: repeats are dropped by
(humanLoopArn, humanLoopStatus). The queue belongs to one reader: messages filtered out by
``flow_definition_arn``/``statuses`` are deleted too (subscribe per flow definition instead).

Example:
    >>> subscribe_events(session, queue_name="a2i-events")                     # doctest: +SKIP
    >>> for event in iter_events(session, queue_name="a2i-events", follow=True, timeout=600):  # doctest: +SKIP
    ...     print(event["detail"]["humanLoopName"], event["detail"]["humanLoopStatus"])
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from a2i_kit.aws.policy_merge import merge_statements
from a2i_kit.client.arns import resource_name

if TYPE_CHECKING:
    from a2i_kit.session import Session

__all__ = ["DEFAULT_QUEUE", "DEFAULT_RULE", "DETAIL", "DETAIL_TYPE", "ENVELOPE", "SOURCE", "TARGET_ID",
           "Subscription", "event_from_body", "event_pattern", "iter_events", "queue_policy_statement",
           "subscribe_events"]

SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker A2I HumanLoop Status Change"
DEFAULT_QUEUE = "a2i-kit-human-loop-events"
DEFAULT_RULE = "a2i-kit-human-loop-status"
TARGET_ID = "a2i-kit-sqs"
ENVELOPE = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
DETAIL = ("creationTime", "failureCode", "failureReason", "flowDefinitionArn", "humanLoopArn", "humanLoopName",
          "humanLoopOutput", "humanLoopStatus")


@dataclass(frozen=True)
class Subscription:
    """Where the events arrive: the rule and queue on AWS (empty strings on the local backend)."""

    backend: str
    rule_arn: str = ""
    queue_url: str = ""
    queue_arn: str = ""


def event_pattern(flow_definition_arn: str | None = None) -> dict[str, Any]:
    """The EventBridge pattern of A2I status changes, optionally of one flow definition.

    >>> event_pattern()["detail-type"]
    ['SageMaker A2I HumanLoop Status Change']
    """
    pattern: dict[str, Any] = {"source": [SOURCE], "detail-type": [DETAIL_TYPE]}
    if flow_definition_arn:
        pattern["detail"] = {"flowDefinitionArn": [flow_definition_arn]}
    return pattern


def queue_policy_statement(queue_arn: str, rule_arn: str) -> dict[str, Any]:
    """Let EventBridge send to the queue, only on behalf of this rule."""
    return {"Sid": f"a2i-kit-{resource_name(rule_arn)}", "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}


def subscribe_events(session: Session, *, queue_name: str = DEFAULT_QUEUE, rule_name: str = DEFAULT_RULE,
                     flow_definition_arn: str | None = None) -> Subscription:
    """Create or confirm the rule → queue subscription; calling it again changes nothing."""
    if session.backend != "aws":
        return Subscription(backend=session.backend)
    events, sqs = session.client("events"), session.client("sqs")
    rule_arn = events.put_rule(Name=rule_name, EventPattern=json.dumps(event_pattern(flow_definition_arn)),
                               State="ENABLED", Description="Amazon A2I human loop status changes (a2i-kit)")["RuleArn"]
    queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn", "Policy"])["Attributes"]
    queue_arn = attributes["QueueArn"]
    existing = json.loads(attributes["Policy"]) if attributes.get("Policy") else None
    wanted = queue_policy_statement(queue_arn, rule_arn)
    policy = merge_statements(existing, [wanted], what=f"queue policy of {queue_name}")
    if policy != existing:
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    targets = events.list_targets_by_rule(Rule=rule_name)["Targets"]
    if not any(t["Id"] == TARGET_ID and t["Arn"] == queue_arn for t in targets):
        events.put_targets(Rule=rule_name, Targets=[{"Id": TARGET_ID, "Arn": queue_arn}])
    return Subscription(backend="aws", rule_arn=rule_arn, queue_url=queue_url, queue_arn=queue_arn)


def event_from_body(body: str) -> dict[str, Any] | None:
    """An SQS message body as the event dictionary the local service emits (None if not an A2I event)."""
    try:
        raw = json.loads(body)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("detail-type") != DETAIL_TYPE or not isinstance(raw.get("detail"), dict):
        return None
    event = {key: raw.get(key) for key in ENVELOPE}
    event["detail"] = {key: raw["detail"].get(key) for key in DETAIL}
    return event


def iter_events(session: Session, *, queue_name: str = DEFAULT_QUEUE, queue_url: str | None = None,
                follow: bool = False, timeout: float | None = None, flow_definition_arn: str | None = None,
                statuses: Iterable[str] | None = None, dedupe: bool = True) -> Iterator[dict[str, Any]]:
    """Yield status-change events; without ``follow`` stop when none is waiting, else at ``timeout``."""
    from a2i_kit.monitor.events import Deduper, matches
    from a2i_kit.monitor.events import iter_events as local_events

    if session.backend != "aws":
        yield from local_events(session, follow=follow, timeout=timeout, flow_definition_arn=flow_definition_arn,
                                statuses=statuses, dedupe=dedupe)
        return
    sqs = session.client("sqs")
    url = queue_url or sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    wanted = set(statuses) if statuses is not None else None
    deadline = None if timeout is None else time.monotonic() + timeout
    first_time = Deduper()
    while True:
        remaining = 20.0 if deadline is None else deadline - time.monotonic()
        wait = int(max(0, min(20, remaining))) if follow else 1
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
        for message in messages:
            event = event_from_body(message["Body"])
            if event is not None and matches(event, flow_definition_arn, wanted) and (
                    not dedupe or first_time(event)):
                yield event
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if (not follow and not messages) or (follow and deadline is not None and time.monotonic() >= deadline):
            return
