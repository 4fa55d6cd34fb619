"""Worker side of the embedded service: list, claim, submit and release human-loop tasks.

The logic lives in plain functions (``list_tasks``, ``claim``, ``submit``, ``release``) that the
portal and the widgets call directly; :mod:`a2i_kit.service.worker_http` wraps them as thin HTTP
handlers. The rules of claims live in :mod:`a2i_kit.service.claims`, answers (submit, release,
answer times, idempotent retries) in :mod:`a2i_kit.service.worker_answers`; both are re-exported
here. Rules:

- a claim holds the task for ``TaskTimeLimitInSeconds``; one claim per worker per loop;
  at most ``TaskCount`` live claims plus submissions per loop; a worker answers a loop once.
- only ``InProgress`` loops can be claimed (and not after ``TaskAvailabilityLifetimeInSeconds``);
  a ``Stopping`` loop still takes the answer of a claim held when it was stopped.
- a released or expired claim returns the slot to the pool (the same worker may take it again).
- an answer and the completion it causes commit together; a retried submit of the stored answer
  succeeds.

Example:
    >>> worker = authenticate(ctx, token)                                   # doctest: +SKIP
    >>> task = claim(ctx, worker, "loop-1")                                 # doctest: +SKIP
    >>> submit(ctx, worker, "loop-1", {"animal": {"label": "cat"}})         # doctest: +SKIP
    {'humanLoopStatus': 'Completed'}
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from a2i_kit.errors import TemplateError
from a2i_kit.service import lifecycle, quality
from a2i_kit.service.a2i_runtime.startable import iso_ms_fast
from a2i_kit.service.claims import (
    CLAIMABLE,
    DEFAULT_LIFETIME,
    DEFAULT_TIME_LIMIT,
    available_until,
    load_for_work,
    load_loop,
    task_count,
)
from a2i_kit.service.claims import claim_refusal as _claim_refusal
from a2i_kit.service.claims import deleting_flows as _deleting_flows
from a2i_kit.service.claims import is_live as _is_live
from a2i_kit.service.claims import live_claim as _live_claim
from a2i_kit.service.claims import load_loop as _load_loop
from a2i_kit.service.claims import own_assignment as _mine
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.timefmt import iso_ms
from a2i_kit.service.worker_answers import MAX_ANSWER_BYTES, answer_times, release, submit
from a2i_kit.service.workforce import WorkforceError, member_teams

__all__ = ["CLAIMABLE", "DEFAULT_LIFETIME", "DEFAULT_TIME_LIMIT", "MAX_ANSWER_BYTES", "answer_times",
           "available_until", "claim", "held_claim", "list_tasks", "load_loop", "release", "render_task",
           "submit", "task_details", "task_summary", "template_content"]

def task_summary(loop: dict[str, Any], assignments: list[dict[str, Any]], worker_id: str,
                 now: float) -> dict[str, Any]:
    doc = loop["doc"]
    mine = _mine(assignments, worker_id)
    held = mine is not None and _is_live(mine, now)
    summary = {
        "humanLoopName": loop["name"], "flowDefinitionName": doc.get("FlowDefinitionName"),
        "taskTitle": doc.get("TaskTitle"), "taskDescription": doc.get("TaskDescription"),
        "creationTime": iso_ms_fast(loop["creation_time"]), "availableUntil": iso_ms_fast(available_until(loop)),
        "taskCount": task_count(loop),
        "submittedCount": sum(1 for a in assignments if a["status"] == "submitted"),
        "claimedByMe": held, "humanLoopStatus": loop["status"],
    }
    if held and mine is not None:
        summary["claimDeadline"] = iso_ms_fast(mine["deadline"])
    return summary


def list_tasks(ctx: ServiceContext, worker: dict[str, Any]) -> list[dict[str, Any]]:
    """Tasks this worker can work on, oldest first: InProgress loops of its teams that still need
    its answer, plus loops (also Stopping ones) where it holds a live claim."""
    with ctx.store.snapshot():  # PostgreSQL: one pool checkout for the four reads
        arns = sorted({team["arn"] for team in member_teams(ctx, worker)})
        if not arns:
            return []
        now = ctx.clock.now()
        loops = ctx.store.loops.open_for_teams(arns)  # slim docs: InputContent stays in the database
        rows = ctx.store.claims.of_open_loops(arns)
        deleting = _deleting_flows(ctx)
    by_loop: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_loop.setdefault(row["loop_name"], []).append(row)
    tasks = []
    for loop in loops:
        assignments = by_loop.get(loop["name"], [])
        mine = _mine(assignments, worker["name"])
        held = mine is not None and _is_live(mine, now)
        if held or _claim_refusal(loop, assignments, mine, now, deleting) is None:
            tasks.append(task_summary(loop, assignments, worker["name"], now))
    return quality.filter_tasks(ctx, worker, tasks, set(arns))  # gold and qualification tasks


def held_claim(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    """Re-open the live claim this worker holds (never takes a new one); 409 when there is none."""
    hidden = quality.hidden_claim(ctx, worker, loop_name, held_only=True)  # a hidden task
    if hidden is not None:
        return hidden
    with ctx.store.transaction():
        loop = _load_loop(ctx, worker, loop_name)
        _live_claim(ctx, loop, worker, ctx.clock.now())
    return claim(ctx, worker, loop_name)


def claim(ctx: ServiceContext, worker: dict[str, Any], loop_name: str, *,
          with_input: bool = False) -> dict[str, Any]:
    """Take (or re-open) this worker's claim on a loop; returns the task with its rendered html.

    ``with_input`` (simulated reviewers, admin token only) adds the task's ``input`` and
    ``requestSource``, which a real worker sees only through the rendered page.
    """
    hidden = quality.hidden_claim(ctx, worker, loop_name)  # this worker's gold/qualification task
    if hidden is not None:
        return hidden
    worker_id = worker["name"]
    with ctx.store.transaction():
        loop, _, deleting = load_for_work(ctx, worker, loop_name)
        quality.refuse_unqualified(ctx, worker, loop)  # 403 until the worker qualifies
        now = ctx.clock.now()
        assignments = ctx.store.claims.of_loop(loop_name)
        mine = _mine(assignments, worker_id)
        if mine is None or not _is_live(mine, now):
            refusal = _claim_refusal(loop, assignments, mine, now, deleting)
            if refusal:
                raise WorkforceError(409, "Conflict", refusal)
            limit = float(loop["doc"].get("TaskTimeLimitInSeconds") or DEFAULT_TIME_LIMIT)
            mine = {"loop_name": loop_name, "worker_id": worker_id, "status": "claimed",
                    "claimed_at": now, "deadline": now + limit, "submitted_at": None, "doc": {}}
            ctx.store.claims.put(mine)
    html = _render_or_fail(ctx, loop, mine)
    doc = loop["doc"]
    task = {"humanLoopName": loop_name, "taskTitle": doc.get("TaskTitle"),
            "taskDescription": doc.get("TaskDescription"), "claimedAt": iso_ms(mine["claimed_at"]),
            "deadline": iso_ms(mine["deadline"]),
            "timeLimitSeconds": round(mine["deadline"] - mine["claimed_at"], 3), "html": html}
    if with_input:
        task.update(input=json.loads(doc["InputContent"]), requestSource=doc.get("AwsManagedHumanLoopRequestSource"))
    return task


def template_content(ctx: ServiceContext, loop: dict[str, Any]) -> str:
    """The loop's worker task template (read from its human task UI at render time)."""
    ui_name = loop["doc"].get("HumanTaskUiName") or str(loop["doc"].get("HumanTaskUiArn", "")).rsplit("/", 1)[-1]
    ui = ctx.store.task_uis.get_cached(ui_name) if ui_name else None
    if ui is None:
        raise TemplateError(f"human task UI {ui_name!r} of this loop no longer exists")
    return ui["doc"]["UiTemplate"]["Content"]


def render_task(ctx: ServiceContext, loop: dict[str, Any]) -> str:
    from a2i_kit.service.objects import mirror_signer
    from a2i_kit.templates import render

    task_input = json.loads(loop["doc"]["InputContent"])
    return render(template_content(ctx, loop), task_input, signer=mirror_signer(ctx))


def _render_or_fail(ctx: ServiceContext, loop: dict[str, Any], assignment: dict[str, Any]) -> str:
    """Render the task; a template that cannot render fails the loop as A2I does."""
    try:
        return render_task(ctx, loop)
    except TemplateError as exc:
        reason = _failure_reason(exc)
        with ctx.store.transaction():
            ctx.store.claims.put({**assignment, "status": "released"})
            # A loop that finished meanwhile (e.g. stopped) keeps that status.
            with contextlib.suppress(lifecycle.InvalidTransition):
                lifecycle.set_loop_status(ctx, loop["name"], "Failed", failure_code="ValidationError",
                                          failure_reason=reason)
        raise WorkforceError(409, "Conflict", f"human loop {loop['name']!r} failed: {reason}") from exc


def _failure_reason(exc: TemplateError) -> str:
    """A2I's FailureReason for a task that cannot render (``Task failed to render: [ … ]``)."""
    from a2i_kit.templates import TemplateRenderError, failure_reason

    if isinstance(exc, TemplateRenderError):
        return failure_reason(exc)
    message = str(exc).replace("\n", " ")
    return f"Task failed to render: [ InvalidParameters: '{message}' ]"


def _answer_shape() -> Any:
    """``a2i_kit.templates.answer_shape`` (the function, also while only its module is exported)."""
    import a2i_kit.templates as templates

    found = templates.answer_shape
    return getattr(found, "answer_shape", found)


def task_details(ctx: ServiceContext, loop_name: str) -> dict[str, Any]:
    """Admin view of a loop for simulated reviewers: input, template and inferred answer shape."""
    loop = ctx.store.loops.get(loop_name)
    if loop is None or loop.get("deleted"):
        raise WorkforceError(404, "NotFound", f"human loop {loop_name!r} does not exist")
    details: dict[str, Any] = {"humanLoopName": loop_name, "humanLoopStatus": loop["status"],
                               "taskCount": task_count(loop),
                               "input": json.loads(loop["doc"]["InputContent"]),
                               "requestSource": loop["doc"].get("AwsManagedHumanLoopRequestSource")}
    try:
        details["template"] = template_content(ctx, loop)
    except TemplateError:
        details["template"] = None
    details["answerShape"] = None
    if details["template"]:
        try:
            details["answerShape"] = _answer_shape()(details["template"])
        except Exception as exc:  # an unparsable template: simulated reviewers fall back
            details["answerShapeError"] = str(exc)
    return details


# -- HTTP ----------------------------------------------------------------------------------------
