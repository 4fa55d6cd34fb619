"""Transactional outbox: the side effects of a loop's status change, done exactly once.

A status change that writes ``output.json`` or emits an event records that work as an
``outbox`` row *in the same transaction* as the change (and as the answer that caused it); the
event itself is also added to the store's ``events`` table there, exactly once by construction
(the cursor of ``/_a2i/events`` and webhooks). Right after the commit (on SQLite still holding
the store's lock) the row is delivered by a transaction that takes it (``DELETE ... RETURNING``
of the row, ``SKIP LOCKED`` on PostgreSQL: two processes never deliver one row at once), writes
the output by atomic rename (rewriting identical content is harmless), appends the event unless
the log already holds its ``id`` (a crash between appending and committing), and commits. A
failed side effect rolls the take back and schedules a retry. A row left by a crash is
delivered by the sweeper's first pass at start and by every later pass.

A row that keeps failing is retried with backoff (service clock) up to :data:`MAX_ATTEMPTS`
times; an output that can never be written (invalid path, a document that is not strict JSON)
is not retried at all. Either way the loop then becomes ``Failed`` with ``FailureCode``
``ValidationError`` and a reason, and that change has its own event.

Example:
    >>> with ctx.store.transaction():                                   # doctest: +SKIP
    ...     enqueue(ctx, "loop-1", "Completed", write_output=True, event=event)
"""

from __future__ import annotations

import json
import logging
import os
import signal
from typing import Any

from a2i_kit.service.context import ServiceContext

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_BACKOFF_SECONDS = 300.0
CRASH_POINT_ENV = "A2I_KIT_CRASH_POINT"
_crash_hits: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Test hook: SIGKILL this process at a named point when ``A2I_KIT_CRASH_POINT`` says so.

    The value is ``<name>`` (first time) or ``<name>@<n>`` (the n-th time the point is reached).
    """
    wanted = os.environ.get(CRASH_POINT_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _crash_hits[name] = _crash_hits.get(name, 0) + 1
    if _crash_hits[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


Snapshot = tuple[dict[str, Any], list[dict[str, Any]]]  # (loop after its change, its assignments)


def enqueue(ctx: ServiceContext, loop_name: str, status: str, *, write_output: bool,
            event: dict[str, Any] | None, snapshot: Snapshot | None = None) -> None:
    """Record the side effects of a status change; call inside the transaction that makes it.

    ``snapshot``: the loop as this change leaves it and its assignments, which the delivery right
    after the commit builds ``output.json`` from instead of reading them again (nobody can change
    a finished loop's answers); a delivery by the sweeper reads them.
    """
    store = ctx.store
    now = ctx.clock.now()
    row_id = store.outbox.add(loop_name, status, write_output=write_output,
                              event=json.dumps(event, separators=(",", ":")) if event else None,
                              event_id=event["id"] if event else None, log_offset=ctx.events.size(), created=now)
    published: list[dict[str, Any]] = []
    store.after_commit(lambda: published.extend(deliver(ctx, row_id, snapshot)[1]))
    store.after_commit(lambda: _publish(ctx, published), locked=False)


def pending(ctx: ServiceContext, now: float | None = None) -> list[int]:
    """Ids of rows due for delivery (all rows when ``now`` is None), oldest first."""
    return ctx.store.outbox.due(now)


def deliver_due(ctx: ServiceContext, now: float | None = None) -> int:
    """Deliver every due row (every row when ``now`` is None); returns how many this call delivered."""
    done = 0
    for row_id in pending(ctx, now):
        delivered, events = deliver(ctx, row_id)
        done += delivered
        _publish(ctx, events)
    return done


class _Undelivered(Exception):
    """A side effect failed: the delivery's transaction rolls back (the row is kept) and then
    the row is retried later (``fatal=False``) or its loop fails (``fatal=True``)."""

    def __init__(self, loop: dict[str, Any], exc: Exception, *, fatal: bool) -> None:
        super().__init__(str(exc))
        self.loop, self.exc, self.fatal = loop, exc, fatal


def deliver(ctx: ServiceContext, row_id: int, snapshot: Snapshot | None = None) -> tuple[bool, list[dict[str, Any]]]:
    """Perform one row's side effects and delete it: ``(delivered, events to publish in-process)``.

    One transaction takes the row (deletes it, skipping a row another process is delivering),
    performs the side effects and commits; a crash before the commit leaves the row for the
    sweeper. Call it outside a transaction.
    """
    store = ctx.store
    try:
        with store.transaction():
            row = store.outbox.take(row_id)
            if row is None:
                return False, []  # delivered meanwhile, or being delivered by another process
            return True, _perform(ctx, row, snapshot)
    except _Undelivered as failure:
        with store.transaction():
            row = store.outbox.get(row_id, lock=True)
            if row is not None:
                if failure.fatal:
                    _give_up(ctx, row, failure.loop, f"the output cannot be written: {failure.exc}")
                else:
                    _retry(ctx, row, failure.loop, failure.exc)
        return False, []


def _perform(ctx: ServiceContext, row: dict[str, Any], snapshot: Snapshot | None) -> list[dict[str, Any]]:
    loop, assignments = snapshot if snapshot is not None else (ctx.store.loops.get(row["loop_name"]), None)
    if loop is None:  # the service was reset
        return []
    if row["write_output"]:
        try:
            _write_output(ctx, loop, assignments)
        except ValueError as exc:  # can never succeed: fail the loop now
            raise _Undelivered(loop, exc, fatal=True) from exc
        except Exception as exc:  # OSError, S3 errors: retry with backoff
            raise _Undelivered(loop, exc, fatal=False) from exc
        crash_point("after-output-write")
    event = json.loads(row["event"]) if row["event"] else None
    if event is not None:
        try:
            if not ctx.events.contains(event["id"], row["log_offset"]):
                ctx.events.append(event)
        except OSError as exc:
            raise _Undelivered(loop, exc, fatal=False) from exc
        crash_point("after-event-append")
    if row["attempts"]:
        log.info("human loop %r: its %s output and event were delivered after %d failed attempts",
                 row["loop_name"], row["status"], row["attempts"])
    return [event] if event is not None else []


def _write_output(ctx: ServiceContext, loop: dict[str, Any], assignments: list[dict[str, Any]] | None) -> None:
    from a2i_kit.service.lifecycle import submitted_answers
    from a2i_kit.service.outputs import build_output

    doc = loop["doc"]
    if assignments is None:
        assignments = ctx.store.claims.of_loop(loop["name"])
    try:
        document = build_output(doc, submitted_answers(assignments))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"the loop's input or answers are not valid JSON ({type(exc).__name__})") from exc
    ctx.outputs.write(doc["OutputS3Uri"], document, kms_key_id=doc.get("KmsKeyId"))


def _describe(exc: Exception) -> str:
    """An error without local file paths (they must not reach API answers)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _retry(ctx: ServiceContext, row: dict[str, Any], loop: dict[str, Any], exc: Exception) -> None:
    attempts = row["attempts"] + 1
    reason = _describe(exc)
    if row["write_output"] and attempts >= MAX_ATTEMPTS:
        _give_up(ctx, row, loop, f"the output could not be written after {attempts} attempts ({reason})")
        return
    delay = min(MAX_BACKOFF_SECONDS, 2.0 ** attempts)
    ctx.store.outbox.retry_later(row["id"], attempts, ctx.clock.now() + delay, reason)
    if attempts == 1:  # once per item, not once per pass
        log.warning("human loop %r: the side effects of %s failed (%s); retrying with backoff",
                    row["loop_name"], row["status"], reason)


def _give_up(ctx: ServiceContext, row: dict[str, Any], loop: dict[str, Any], why: str) -> None:
    """The output will not be written: the loop fails visibly, with its own event."""
    from a2i_kit.service.lifecycle import fail_undeliverable

    uri = loop["doc"].get("OutputS3Uri", "")
    reason = f"The human loop's output could not be written to {uri}: {why}"
    log.error("human loop %r failed: %s", row["loop_name"], reason)
    with ctx.store.transaction():
        ctx.store.outbox.delete(row["id"])
        fail_undeliverable(ctx, loop["name"], reason)


def _publish(ctx: ServiceContext, events: list[dict[str, Any]]) -> None:
    for event in events:
        ctx.bus.publish(event)
