"""Worker side of the embedded service: list, claim, submit and release human-loop tasks.

The logic lives in plain functions (``list_tasks``, ``claim``, ``submit``, ``release``) that the
portal and the widgets call directly; :mod:`a2i_kit.service.worker_http` wraps them as thin HTTP
handlers. Rules:

- a claim holds the task for ``TaskTimeLimitInSeconds``; one claim per worker per loop;
  at most ``TaskCount`` live claims plus submissions per loop; a worker answers a loop once.
- only ``InProgress`` loops can be claimed (and not after ``TaskAvailabilityLifetimeInSeconds``);
  a ``Stopping`` loop still takes the answer of a claim held when it was stopped.
- a released or expired claim returns the slot to the pool (the same worker may take it again).

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
from a2i_kit.service import lifecycle, outbox
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.timefmt import iso_ms
from a2i_kit.service.workforce import (
    WorkforceError,
    identity_data,
    member_teams,
    team_by_arn,
)

MAX_ANSWER_BYTES = 1024 * 1024
DEFAULT_TIME_LIMIT = 3600
DEFAULT_LIFETIME = 864000
CLAIMABLE = "InProgress"


def available_until(loop: dict[str, Any]) -> float:
    lifetime = loop["doc"].get("TaskAvailabilityLifetimeInSeconds") or DEFAULT_LIFETIME
    return float(loop["creation_time"]) + float(lifetime)


def task_count(loop: dict[str, Any]) -> int:
    return int(loop["doc"].get("TaskCount") or 1)


def _is_live(assignment: dict[str, Any], now: float) -> bool:
    return assignment["status"] == "claimed" and assignment["deadline"] > now


def _mine(assignments: list[dict[str, Any]], worker_id: str) -> dict[str, Any] | None:
    return next((a for a in assignments if a["worker_id"] == worker_id), None)


def task_summary(loop: dict[str, Any], assignments: list[dict[str, Any]], worker_id: str,
                 now: float) -> dict[str, Any]:
    doc = loop["doc"]
    mine = _mine(assignments, worker_id)
    held = mine is not None and _is_live(mine, now)
    summary = {
        "humanLoopName": loop["name"], "flowDefinitionName": doc.get("FlowDefinitionName"),
        "taskTitle": doc.get("TaskTitle"), "taskDescription": doc.get("TaskDescription"),
        "creationTime": iso_ms(loop["creation_time"]), "availableUntil": iso_ms(available_until(loop)),
        "taskCount": task_count(loop),
        "submittedCount": sum(1 for a in assignments if a["status"] == "submitted"),
        "claimedByMe": held, "humanLoopStatus": loop["status"],
    }
    if held and mine is not None:
        summary["claimDeadline"] = iso_ms(mine["deadline"])
    return summary


def list_tasks(ctx: ServiceContext, worker: dict[str, Any]) -> list[dict[str, Any]]:
    """Tasks this worker can work on, oldest first: InProgress loops of its teams that still need
    its answer, plus loops (also Stopping ones) where it holds a live claim."""
    arns = {team["arn"] for team in member_teams(ctx, worker)}
    if not arns:
        return []
    now = ctx.clock.now()
    loops = _open_loops(ctx, sorted(arns))
    rows = ctx.store.query(
        "SELECT a.loop_name, a.worker_id, a.status, a.claimed_at, a.deadline "
        "FROM assignments a JOIN loops l ON l.name = a.loop_name "
        "WHERE l.status IN ('InProgress', 'Stopping') AND l.deleted = 0")
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
    return tasks


# Only the fields a task list needs: InputContent (up to 3 MiB) never leaves SQLite here.
_SUMMARY_FIELDS = ("WorkteamArn", "FlowDefinitionName", "TaskTitle", "TaskDescription", "TaskCount",
                   "TaskAvailabilityLifetimeInSeconds")


def _open_loops(ctx: ServiceContext, team_arns: list[str]) -> list[dict[str, Any]]:
    """InProgress/Stopping loops of these teams, oldest first, with a slim ``doc``."""
    fields = ", ".join(f"json_extract(doc, '$.{f}') AS f_{f}" for f in _SUMMARY_FIELDS)
    marks = ",".join("?" * len(team_arns))
    rows = ctx.store.query(
        f"SELECT name, status, creation_time, flow_definition_arn, {fields} FROM loops "
        f"WHERE status IN ('InProgress', 'Stopping') AND deleted = 0 "
        f"AND json_extract(doc, '$.WorkteamArn') IN ({marks}) ORDER BY creation_time, name", team_arns)
    return [{**{k: row[k] for k in ("name", "status", "creation_time", "flow_definition_arn")},
             "doc": {f: row[f"f_{f}"] for f in _SUMMARY_FIELDS if row[f"f_{f}"] is not None}}
            for row in rows]


def _deleting_flows(ctx: ServiceContext) -> set[str]:
    return {row["arn"] for row in ctx.store.query("SELECT arn FROM flow_definitions WHERE status = 'Deleting'")}


def _claim_refusal(loop: dict[str, Any], assignments: list[dict[str, Any]],
                   mine: dict[str, Any] | None, now: float, deleting: set[str]) -> str | None:
    """Why a new claim is impossible, or None when the worker may claim."""
    name = loop["name"]
    if loop["status"] != CLAIMABLE:
        return f"human loop {name!r} is {loop['status']}; only InProgress loops take new claims"
    if loop["flow_definition_arn"] in deleting:
        return f"the flow definition of human loop {name!r} is being deleted; it takes no new claims"
    if mine is not None and mine["status"] == "submitted":
        return f"you already answered human loop {name!r}; each worker answers a loop once"
    if now >= available_until(loop):
        return (f"human loop {name!r} is no longer available: its TaskAvailabilityLifetimeInSeconds "
                f"ended at {iso_ms(available_until(loop))}")
    taken = sum(1 for a in assignments if a["status"] == "submitted" or _is_live(a, now))
    if taken >= task_count(loop):
        return (f"all {task_count(loop)} task slots of human loop {name!r} are claimed or answered; "
                "try again when a claim is released or expires")
    return None


def _load_loop(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    loop = ctx.store.get("loops", loop_name)
    if loop is None or loop.get("deleted"):
        raise WorkforceError(404, "NotFound", f"human loop {loop_name!r} does not exist")
    team_arn = loop["doc"].get("WorkteamArn")
    if team_arn not in {team["arn"] for team in member_teams(ctx, worker)}:
        team = team_by_arn(ctx, team_arn) if team_arn else None
        team_name = team["name"] if team else team_arn
        raise WorkforceError(403, "Forbidden",
                             f"worker {worker['doc']['name']!r} is not a member of workteam {team_name!r} "
                             f"that reviews human loop {loop_name!r}; add one of the team's groups to the worker")
    return loop


def load_loop(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    """The loop record if this worker may see it (404 unknown, 403 another team's)."""
    return _load_loop(ctx, worker, loop_name)


def held_claim(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    """Re-open the live claim this worker holds (never takes a new one); 409 when there is none."""
    with ctx.store.transaction():
        loop = _load_loop(ctx, worker, loop_name)
        _live_claim(ctx, loop, worker, ctx.clock.now())
    return claim(ctx, worker, loop_name)


def claim(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    """Take (or re-open) this worker's claim on a loop; returns the task with its rendered html."""
    worker_id = worker["name"]
    with ctx.store.transaction():
        loop = _load_loop(ctx, worker, loop_name)
        now = ctx.clock.now()
        assignments = ctx.store.assignments(loop_name)
        mine = _mine(assignments, worker_id)
        if mine is None or not _is_live(mine, now):
            refusal = _claim_refusal(loop, assignments, mine, now, _deleting_flows(ctx))
            if refusal:
                raise WorkforceError(409, "Conflict", refusal)
            limit = float(loop["doc"].get("TaskTimeLimitInSeconds") or DEFAULT_TIME_LIMIT)
            mine = {"loop_name": loop_name, "worker_id": worker_id, "status": "claimed",
                    "claimed_at": now, "deadline": now + limit, "submitted_at": None, "doc": {}}
            ctx.store.put_assignment(mine)
    html = _render_or_fail(ctx, loop, mine)
    doc = loop["doc"]
    return {"humanLoopName": loop_name, "taskTitle": doc.get("TaskTitle"),
            "taskDescription": doc.get("TaskDescription"), "claimedAt": iso_ms(mine["claimed_at"]),
            "deadline": iso_ms(mine["deadline"]),
            "timeLimitSeconds": round(mine["deadline"] - mine["claimed_at"], 3), "html": html}


def template_content(ctx: ServiceContext, loop: dict[str, Any]) -> str:
    """The loop's worker task template (read from its human task UI at render time)."""
    ui_name = loop["doc"].get("HumanTaskUiName") or str(loop["doc"].get("HumanTaskUiArn", "")).rsplit("/", 1)[-1]
    ui = ctx.store.get("task_uis", ui_name) if ui_name else None
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
            ctx.store.put_assignment({**assignment, "status": "released"})
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


def _live_claim(ctx: ServiceContext, loop: dict[str, Any], worker: dict[str, Any], now: float,
                assignments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if assignments is None:
        assignments = ctx.store.assignments(loop["name"])
    mine = _mine(assignments, worker["name"])
    if mine is None or mine["status"] != "claimed":
        raise WorkforceError(409, "Conflict", f"you hold no claim on human loop {loop['name']!r}; claim it first")
    if mine["deadline"] <= now:
        raise WorkforceError(409, "Conflict", f"your claim on human loop {loop['name']!r} expired at "
                             f"{iso_ms(mine['deadline'])} (TaskTimeLimitInSeconds); claim it again")
    return mine


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
    with ctx.store.transaction():
        loop = _load_loop(ctx, worker, loop_name)
        now = ctx.clock.now()
        assignments = ctx.store.assignments(loop_name)
        simulated = time_spent is not None or acceptance_time is not None
        stored = _mine(assignments, worker["name"])
        if stored is not None and stored["status"] == "submitted":
            return _resubmitted(ctx, loop, stored, answer, simulated=simulated)
        mine = _live_claim(ctx, loop, worker, now, assignments)
        if loop["status"] not in ("InProgress", "Stopping"):
            raise WorkforceError(409, "Conflict", f"human loop {loop_name!r} is {loop['status']}; "
                                 "it takes no more answers")
        accepted, submitted = answer_times(loop, mine, now, time_spent=time_spent, acceptance_time=acceptance_time)
        team = team_by_arn(ctx, loop["doc"].get("WorkteamArn", ""))
        doc = {"acceptanceTime": iso_ms(accepted), "submissionTime": iso_ms(submitted),
               "timeSpentInSeconds": round(submitted - accepted, 3), "workerId": worker["name"],
               "workerMetadata": {"identityData": identity_data(ctx, worker, team)},
               "answerContent": answer}
        ctx.store.put_assignment({**mine, "status": "submitted", "submitted_at": submitted, "doc": doc})
        ctx.store.after_commit(lambda: outbox.crash_point("after-answer-commit"))
        after = lifecycle.finish_if_done(ctx, loop_name, now=now) or loop
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
    with ctx.store.transaction():
        loop = _load_loop(ctx, worker, loop_name)
        mine = _live_claim(ctx, loop, worker, ctx.clock.now())
        ctx.store.put_assignment({**mine, "status": "released"})
        lifecycle.finish_if_done(ctx, loop_name)
    return {}


def _answer_shape() -> Any:
    """``a2i_kit.templates.answer_shape`` (the function, also while only its module is exported)."""
    import a2i_kit.templates as templates

    found = templates.answer_shape
    return getattr(found, "answer_shape", found)


def task_details(ctx: ServiceContext, loop_name: str) -> dict[str, Any]:
    """Admin view of a loop for simulated reviewers: input, template and inferred answer shape."""
    loop = ctx.store.get("loops", loop_name)
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
