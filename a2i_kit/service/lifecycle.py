"""The one place where a human loop changes status, and what follows from each change.

Transitions (A2I's state machine)::

    InProgress ─► Completed | Failed | Stopping | Stopped
    Stopping   ─► Stopped | Failed

On Completed the output.json is written; on Completed, Failed and Stopped an EventBridge-shaped
event is appended to the events log and published on the context's bus. Both are recorded in the
transactional outbox in the same transaction as the status change, so a crash can neither lose
nor repeat them (``a2i_kit.service.outbox``).

Choices where the AWS docs are silent (documented in the README too):
- A loop stopped after some workers submitted keeps their answers: when it reaches Stopped with at
  least one submitted answer, output.json is written with those answers.
- A Stopping loop ends as Stopped even if its last live claim completes TaskCount.
- A Completed or Stopped loop whose output.json cannot be written (an invalid or unwritable
  output path, after bounded retries) becomes Failed with FailureCode ValidationError.

Example:
    >>> live_claims([{"status": "claimed", "deadline": 10.0}], now=5.0)
    1
"""

from __future__ import annotations

from typing import Any

from a2i_kit.service import outbox
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.events import EVENT_STATUSES, build_event

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
                    failure_code: str | None = None, failure_reason: str | None = None,
                    now: float | None = None) -> dict[str, Any]:
    """Move a loop to ``status``; returns the updated record. A no-op if it is already there.

    The change and its side effects (output.json, event) are one transaction: the side effects
    are recorded in the outbox and performed right after the commit (see ``outbox``). Called
    inside a caller's transaction, they commit (or roll back) with the caller's work.
    """
    store = ctx.store
    with store.transaction():
        loop = store.loops.get(loop_name, lock=True)
        if loop is None:
            raise KeyError(loop_name)
        return _transition(ctx, loop, status, failure_code, failure_reason,
                           ctx.clock.now() if now is None else now)


def _transition(ctx: ServiceContext, loop: dict[str, Any], status: str, failure_code: str | None,
                failure_reason: str | None, now: float) -> dict[str, Any]:
    """``set_loop_status`` on a loop record read under the lock of the current transaction."""
    current = loop["status"]
    if current == status:
        return loop
    if status not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(f"{loop['name']}: {current} -> {status}")
    return _apply(ctx, loop, status, failure_code, failure_reason, now)


def _apply(ctx: ServiceContext, loop: dict[str, Any], status: str, failure_code: str | None,
           failure_reason: str | None, now: float) -> dict[str, Any]:
    """Write the new status and enqueue its side effects (inside a transaction)."""
    doc = dict(loop["doc"])
    if status == "Failed":
        doc["FailureCode"] = failure_code or "InternalError"
        doc["FailureReason"] = (failure_reason or "")[:1024]
    answers = ctx.store.claims.of_loop(loop["name"]) if status in ("Completed", "Stopped") else []
    write_output = status == "Completed" or (status == "Stopped" and any(a["status"] == "submitted" for a in answers))
    doc["OutputWritten"] = write_output
    if status in FINISHED:
        doc["FinishedTime"] = now
    ctx.store.loops.update(loop["name"], status=status, doc=doc, updated_time=now)
    event = None
    if status in EVENT_STATUSES:
        event = build_event(account=ctx.config.account_id, region=ctx.config.region, now=now,
                            loop=doc, creation_time=loop["creation_time"], status=status,
                            failure_code=doc.get("FailureCode"), failure_reason=doc.get("FailureReason"))
    after = {**loop, "status": status, "doc": doc, "updated_time": now}
    if write_output or event is not None:
        outbox.enqueue(ctx, loop["name"], status, write_output=write_output, event=event,
                       snapshot=(after, answers) if write_output else None)
    return after


def fail_undeliverable(ctx: ServiceContext, loop_name: str, reason: str) -> dict[str, Any] | None:
    """A Completed/Stopped loop whose output.json cannot be written becomes Failed (with an event).

    The one move out of a finished status: A2I fails a loop it cannot write the output of.
    """
    with ctx.store.transaction():
        loop = ctx.store.loops.get(loop_name, lock=True)
        if loop is None or loop["status"] == "Failed":
            return loop
        return _apply(ctx, loop, "Failed", "ValidationError", reason, ctx.clock.now())


def finish_if_done(ctx: ServiceContext, loop_name: str, now: float | None = None, *,
                   locked: dict[str, Any] | None = None,
                   assignments: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """After a submit, release or expiry: complete or stop the loop when nothing is pending.

    Call it inside the transaction that changed the assignments, so that the answer and the
    completion it causes commit together. A caller that already holds the loop's lock in this
    transaction passes the record (``locked``) and the loop's current ``assignments``, sparing
    two reads.
    """
    with ctx.store.transaction():
        loop = locked if locked is not None else ctx.store.loops.get(loop_name, lock=True)
        if loop is None or loop["status"] in FINISHED:
            return loop
        now = ctx.clock.now() if now is None else now
        if assignments is None:
            assignments = ctx.store.claims.of_loop(loop_name)
        submitted = {a["worker_id"] for a in assignments if a["status"] == "submitted"}
        if loop["status"] == "InProgress" and len(submitted) >= int(loop["doc"].get("TaskCount") or 1):
            return _transition(ctx, loop, "Completed", None, None, now)
        if loop["status"] == "Stopping" and live_claims(assignments, now) == 0:
            return _transition(ctx, loop, "Stopped", None, None, now)
        return loop
