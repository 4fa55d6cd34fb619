"""The one place where a human loop changes status, and what follows from each change.

Transitions (A2I's state machine)::

    InProgress ─► Completed | Failed | Stopping | Stopped
    Stopping   ─► Stopped | Failed

On Completed the output.json is written; on Completed, Failed and Stopped an EventBridge-shaped
event is appended to the events log and published on the context's bus.

Choices where the AWS docs are silent (documented in the README too):
- A loop stopped after some workers submitted keeps their answers: when it reaches Stopped with at
  least one submitted answer, output.json is written with those answers.
- A Stopping loop ends as Stopped even if its last live claim completes TaskCount.

Example:
    >>> live_claims([{"status": "claimed", "deadline": 10.0}], now=5.0)
    1
"""

from __future__ import annotations

from typing import Any

from a2i_kit.service.context import ServiceContext
from a2i_kit.service.events import EVENT_STATUSES, build_event
from a2i_kit.service.outputs import build_output

TRANSITIONS: dict[str, frozenset[str]] = {
    "InProgress": frozenset({"Completed", "Failed", "Stopping", "Stopped"}),
    "Stopping": frozenset({"Stopped", "Failed"}),
    "Completed": frozenset(),
    "Failed": frozenset(),
    "Stopped": frozenset(),
}
FINISHED = frozenset({"Completed", "Failed", "Stopped"})


class InvalidTransition(Exception):
    """A status change the state machine does not allow (a bug in the caller)."""


def live_claims(assignments: list[dict[str, Any]], now: float) -> int:
    """How many claims are still held (claimed and not past their deadline)."""
    return sum(1 for a in assignments if a["status"] == "claimed" and a["deadline"] > now)


def submitted_answers(assignments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``humanAnswers`` items of the submitted assignments, oldest first."""
    done = [a for a in assignments if a["status"] == "submitted"]
    done.sort(key=lambda a: a.get("submitted_at") or 0)
    return [a["doc"] for a in done]


def set_loop_status(ctx: ServiceContext, loop_name: str, status: str, *,
                    failure_code: str | None = None, failure_reason: str | None = None) -> dict[str, Any]:
    """Move a loop to ``status``; returns the updated record. A no-op if it is already there."""
    store = ctx.store
    with store.transaction():
        loop = store.get("loops", loop_name)
        if loop is None:
            raise KeyError(loop_name)
        current = loop["status"]
        if current == status:
            return loop
        if status not in TRANSITIONS.get(current, frozenset()):
            raise InvalidTransition(f"{loop_name}: {current} -> {status}")
        doc = dict(loop["doc"])
        now = ctx.clock.now()
        if status == "Failed":
            doc["FailureCode"] = failure_code or "InternalError"
            doc["FailureReason"] = (failure_reason or "")[:1024]
        answers = submitted_answers(store.assignments(loop_name)) if status in ("Completed", "Stopped") else []
        if status == "Completed" or (status == "Stopped" and answers):
            kms_key = doc.get("KmsKeyId")
            ctx.outputs.write(doc["OutputS3Uri"], build_output(doc, answers), kms_key_id=kms_key)
            doc["OutputWritten"] = True
        if status in FINISHED:
            doc["FinishedTime"] = now
        store.update("loops", loop_name, status=status, doc=doc, updated_time=now)
        loop = {**loop, "status": status, "doc": doc, "updated_time": now}
    if status in EVENT_STATUSES:
        event = build_event(account=ctx.config.account_id, region=ctx.config.region, now=now,
                            loop=doc, creation_time=loop["creation_time"], status=status,
                            failure_code=doc.get("FailureCode"), failure_reason=doc.get("FailureReason"))
        ctx.events.append(event)
        ctx.bus.publish(event)
    return loop


def finish_if_done(ctx: ServiceContext, loop_name: str) -> dict[str, Any] | None:
    """After a submit, release or expiry: complete or stop the loop when nothing is pending."""
    loop = ctx.store.get("loops", loop_name)
    if loop is None or loop["status"] in FINISHED:
        return loop
    assignments = ctx.store.assignments(loop_name)
    submitted = {a["worker_id"] for a in assignments if a["status"] == "submitted"}
    if loop["status"] == "InProgress" and len(submitted) >= int(loop["doc"].get("TaskCount", 1)):
        return set_loop_status(ctx, loop_name, "Completed")
    if loop["status"] == "Stopping" and live_claims(assignments, ctx.clock.now()) == 0:
        return set_loop_status(ctx, loop_name, "Stopped")
    return loop
