"""A worker's answer: checked, timed, stored, and committed together with what it completes.

- the answer of a live claim is stored with ``acceptanceTime`` (the claim, or a simulated
  reviewer's duration placed in the past) and ``submissionTime`` (now); if it is the loop's last
  answer, the completion (status, output.json, event) commits in the same transaction.
- a retried submit of the stored answer succeeds; a different answer from the same worker is a 409.
- a released claim returns its slot to the pool (the same worker may take it again).
- a worker's hidden gold or qualification task (:mod:`a2i_kit.service.quality`) is answered,
  scored and released through the same calls; its answer never reaches a loop, event or output.

Example:
    >>> submit(ctx, worker, "loop-1", {"animal": {"label": "cat"}})     # doctest: +SKIP
    {'humanLoopStatus': 'Completed'}
"""

from __future__ import annotations

import json
from typing import Any

from a2i_kit.service import lifecycle, outbox, quality
from a2i_kit.service.claims import live_claim, load_loop, load_loop_and_team, own_assignment
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.timefmt import iso_ms
from a2i_kit.service.workforce import WorkforceError, identity_data

MAX_ANSWER_BYTES = 1024 * 1024


def _check_answer(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise WorkforceError(400, "InvalidRequest",
                             "answerContent must be a JSON object keyed by element name, "
                             'e.g. {"category": {"label": "cat"}}')
    size = len(json.dumps(answer, separators=(",", ":")).encode())
    if size > MAX_ANSWER_BYTES:
        raise WorkforceError(400, "InvalidRequest",
                             f"answerContent is {size} bytes; the limit is {MAX_ANSWER_BYTES} bytes")
    return answer


def answer_times(loop: dict[str, Any], claim: dict[str, Any], now: float, *,
                 time_spent: float | None = None, acceptance_time: float | None = None) -> tuple[float, float]:
    """(acceptance, submission) of an answer given ``now``: the submission is now, never later.

    A real worker accepted the task when it claimed it. A simulated reviewer's ``time_spent``
    is placed in the past (acceptance = now − time_spent); its ``acceptance_time`` is the
    earliest it may have started. Acceptance never precedes the loop's creation nor follows now.

    >>> answer_times({"creation_time": 100.0}, {"claimed_at": 105.0}, 130.0, time_spent=60)
    (100.0, 130.0)
    """
    if time_spent is not None:
        accepted = now - float(time_spent)
        if acceptance_time is not None:
            accepted = max(accepted, float(acceptance_time))
    elif acceptance_time is not None:
        accepted = float(acceptance_time)
    else:
        accepted = float(claim["claimed_at"])
    return min(max(accepted, float(loop["creation_time"])), now), now


def submit(ctx: ServiceContext, worker: dict[str, Any], loop_name: str, answer: Any, *,
           time_spent: float | None = None, acceptance_time: float | None = None) -> dict[str, Any]:
    """Record this worker's answer; the loop's completion (if it is the last answer) commits with it.

    ``time_spent``/``acceptance_time`` are for simulated reviewers only (the HTTP layer accepts
    them only with the admin token); see :func:`answer_times`. Their answer also echoes the
    ``acceptanceTime``/``submissionTime``/``timeSpentInSeconds`` recorded. Sending the stored answer again
    (a retry after a lost response) succeeds with the loop's current status; a different answer
    from a worker who already answered is a 409.
    """
    answer = _check_answer(answer)
    hidden = quality.hidden_submit(ctx, worker, loop_name, answer, time_spent=time_spent,
                                   acceptance_time=acceptance_time)  # a gold/qualification task: scored, kept apart
    if hidden is not None:
        return hidden
    with ctx.store.transaction():
        loop, team = load_loop_and_team(ctx, worker, loop_name)
        now = ctx.clock.now()
        assignments = ctx.store.claims.of_loop(loop_name)
        simulated = time_spent is not None or acceptance_time is not None
        stored = own_assignment(assignments, worker["name"])
        if stored is not None and stored["status"] == "submitted":
            return _resubmitted(ctx, loop, stored, answer, simulated=simulated)
        mine = live_claim(ctx, loop, worker, now, assignments)
        if loop["status"] not in ("InProgress", "Stopping"):
            raise WorkforceError(409, "Conflict", f"human loop {loop_name!r} is {loop['status']}; "
                                 "it takes no more answers")
        accepted, submitted = answer_times(loop, mine, now, time_spent=time_spent, acceptance_time=acceptance_time)
        doc = {"acceptanceTime": iso_ms(accepted), "submissionTime": iso_ms(submitted),
               "timeSpentInSeconds": round(submitted - accepted, 3), "workerId": worker["name"],
               "workerMetadata": {"identityData": identity_data(ctx, worker, team)},
               "answerContent": answer}
        answered = {**mine, "status": "submitted", "submitted_at": submitted, "doc": doc}
        ctx.store.claims.put(answered)
        quality.after_real_answer(ctx, worker, loop)  # counts toward the worker's next gold task
        ctx.store.after_commit(lambda: outbox.crash_point("after-answer-commit"))
        assignments = [answered if a is mine else a for a in assignments]
        after = lifecycle.finish_if_done(ctx, loop_name, now=now, locked=loop, assignments=assignments) or loop
    return _submitted(after, doc, simulated=simulated)


def _submitted(loop: dict[str, Any], doc: dict[str, Any], *, simulated: bool) -> dict[str, Any]:
    """The answer to a submit; simulated reviewers also learn the times the service recorded."""
    result = {"humanLoopStatus": loop["status"]}
    if simulated:
        result.update({key: doc.get(key) for key in ("acceptanceTime", "submissionTime", "timeSpentInSeconds")})
    return result


def _resubmitted(ctx: ServiceContext, loop: dict[str, Any], stored: dict[str, Any], answer: Any, *,
                 simulated: bool) -> dict[str, Any]:
    """A submit from a worker whose answer is already stored: a retry succeeds, a change is refused."""
    if stored["doc"].get("answerContent") != answer:
        raise WorkforceError(409, "Conflict",
                             f"you already answered human loop {loop['name']!r} at {stored['doc'].get('submissionTime')}; "
                             "each worker answers a loop once and the stored answer is kept")
    after = lifecycle.finish_if_done(ctx, loop["name"]) or loop  # completes a loop a crash left open
    return _submitted(after, stored["doc"], simulated=simulated)


def release(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    """Give the task back to the pool (the worker may claim it again later)."""
    hidden = quality.hidden_release(ctx, worker, loop_name)
    if hidden is not None:
        return hidden
    with ctx.store.transaction():
        loop = load_loop(ctx, worker, loop_name)
        mine = live_claim(ctx, loop, worker, ctx.clock.now())
        ctx.store.claims.put({**mine, "status": "released"})
        lifecycle.finish_if_done(ctx, loop_name)
    return {}
