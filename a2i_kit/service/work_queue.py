"""Continuous work on a job (a flow definition): the next task, skips, and amending an answer.

Built on the worker API's ``list_tasks``, ``claim`` and ``submit`` (:mod:`a2i_kit.service.worker_api`),
so every rule of claims (teams, ``TaskCount``, availability, quality checks) stays in one place:

- ``jobs``: the worker's tasks grouped by flow definition, with the job's title and counts.
- ``next_task``: the live claim the worker holds in the job first, else the oldest task it can
  claim; tasks skipped in this run are passed in by the caller (the service keeps no per-run
  state, so any process can answer); a task taken meanwhile is passed over.
- ``skip``: release the claim (the slot returns to the pool), then the next task.
- ``amend``: replace the worker's own answer while the loop is still open (``InProgress``: it
  waits for more answers); once the loop closed, a 409 says so and the stored answer is kept.

Example:
    >>> step = next_task(ctx, worker, "invoices")              # doctest: +SKIP
    >>> step["task"]["humanLoopName"], step["left"]            # doctest: +SKIP
    ('loop-1', 3)
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from a2i_kit.service import quality, worker_api
from a2i_kit.service.claims import CLAIMABLE, load_loop, own_assignment, task_count
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.worker_answers import _check_answer
from a2i_kit.service.workforce import WorkforceError, member_teams

__all__ = ["FLOW_NAME", "MAX_SKIPPED", "advance", "amend", "amendable", "job_info", "job_state", "jobs",
           "next_task",
           "parse_step", "skip"]

FLOW_NAME = re.compile(r"[a-z0-9](-*[a-z0-9]){0,62}")
LOOP_NAME = re.compile(r"[A-Za-z0-9](-*[A-Za-z0-9]){0,62}")
MAX_SKIPPED = 500
_TRIES = 20   # tasks taken by others between our list and our claim, passed over before giving up


def check_flow_name(name: str) -> str:
    """A flow definition name from a path, refused (400) when it cannot be one.

    >>> check_flow_name("invoices-2")
    'invoices-2'
    """
    if len(name) > 63 or not FLOW_NAME.fullmatch(name):
        shown = name[:64].encode("utf-8", "backslashreplace").decode()
        raise WorkforceError(400, "InvalidRequest", f"{shown!r} is not a flow definition name: 1-63 lowercase "
                             "letters, digits and hyphens (the job's name in GET /_a2i/worker/jobs)")
    return name


def jobs(ctx: ServiceContext, worker: dict[str, Any]) -> list[dict[str, Any]]:
    """The worker's tasks grouped by job, oldest job first: title, description, counts, tasks."""
    tasks = worker_api.list_tasks(ctx, worker)
    grouped: dict[str, dict[str, Any]] = {}
    for task in tasks:
        flow = task.get("flowDefinitionName") or ""
        job = grouped.setdefault(flow, {
            "flowDefinitionName": flow, "taskTitle": task.get("taskTitle") or flow,
            "taskDescription": task.get("taskDescription"), "available": 0, "claimedByMe": 0, "tasks": []})
        job["available"] += 1
        job["claimedByMe"] += bool(task.get("claimedByMe"))
        job["tasks"].append(task)
    if grouped:
        arns = sorted({team["arn"] for team in member_teams(ctx, worker)})
        open_counts: dict[str, int] = {}
        for row in ctx.store.loops.open_for_teams(arns):
            if row["status"] == CLAIMABLE:
                name = row["doc"].get("FlowDefinitionName")
                open_counts[name] = open_counts.get(name, 0) + 1
        for flow, job in grouped.items():
            job["open"] = max(open_counts.get(flow, 0), job["available"])
    return list(grouped.values())


def job_info(ctx: ServiceContext, worker: dict[str, Any], flow: str) -> dict[str, Any]:
    """Name, title and description of a job this worker's teams review (404 unknown, 403 another team's)."""
    record = ctx.store.flow_definitions.get(check_flow_name(flow))
    if record is None:
        raise WorkforceError(404, "NotFound", f"flow definition {flow!r} does not exist; "
                             "GET /_a2i/worker/jobs lists your jobs")
    config = record["doc"].get("HumanLoopConfig") or {}
    if config.get("WorkteamArn") not in {team["arn"] for team in member_teams(ctx, worker)}:
        raise WorkforceError(403, "Forbidden", f"worker {worker['doc']['name']!r} is not a member of the workteam "
                             f"that reviews flow definition {flow!r}; add one of the team's groups to the worker")
    return {"flowDefinitionName": flow, "taskTitle": config.get("TaskTitle") or flow,
            "taskDescription": config.get("TaskDescription")}


def job_state(ctx: ServiceContext, worker: dict[str, Any], flow: str) -> dict[str, Any]:
    """A job as this worker sees it now: ``{"job", "held" (loop in hand or None), "available"}``."""
    job = job_info(ctx, worker, flow)
    mine = [t for t in worker_api.list_tasks(ctx, worker) if t.get("flowDefinitionName") == flow]
    held = next((t["humanLoopName"] for t in mine if t.get("claimedByMe")), None)
    return {"job": job, "held": held, "available": len(mine)}


def next_task(ctx: ServiceContext, worker: dict[str, Any], flow: str, *,
              skipped: Collection[str] = ()) -> dict[str, Any]:
    """Claim the job's next task: ``{"job", "task" (claim() result, or None when done), "left", "skipped"}``.

    ``left`` counts the tasks of the job this worker can still do in this run, the served one
    included; ``skipped`` is how many open tasks were left out because they were skipped.
    """
    job = job_info(ctx, worker, flow)
    skip_set = set(skipped)
    mine = [t for t in worker_api.list_tasks(ctx, worker) if t.get("flowDefinitionName") == flow]
    candidates = [t for t in mine if t["humanLoopName"] not in skip_set]
    candidates.sort(key=lambda t: not t.get("claimedByMe"))   # the task in hand first (stable: oldest next)
    passed = 0
    for task in candidates[:_TRIES]:
        try:
            claimed = worker_api.claim(ctx, worker, task["humanLoopName"])
        except WorkforceError as exc:
            if exc.status != 409:   # taken meanwhile, closed, or failed to render: try the next one
                raise
            passed += 1
            continue
        return {"job": job, "task": claimed, "left": len(candidates) - passed,
                "skipped": len(mine) - len(candidates)}
    return {"job": job, "task": None, "left": 0, "skipped": len(mine) - len(candidates) - passed}


def skip(ctx: ServiceContext, worker: dict[str, Any], flow: str, loop_name: str, *,
         skipped: Collection[str] = ()) -> dict[str, Any]:
    """Give the task back (its slot returns to the pool) and claim the next one, skipping it in this run."""
    worker_api.release(ctx, worker, loop_name)
    return next_task(ctx, worker, flow, skipped={*skipped, loop_name})


def parse_step(body: dict[str, Any]) -> dict[str, Any]:
    """Check the body of a "next" call: at most one of ``answer``/``amend`` (``{humanLoopName,
    answerContent}``) or ``skip`` (a loop name), plus ``skipped`` (loop names skipped in this run).

    >>> parse_step({"skip": "loop-1", "skipped": ["loop-0"]})
    {'skip': 'loop-1', 'skipped': ['loop-0']}
    """
    unknown = sorted(set(body) - {"answer", "amend", "skip", "skipped"})
    if unknown:
        raise WorkforceError(400, "InvalidRequest", f"unknown field {unknown[0]!r}: a next call takes answer, "
                             "amend or skip, and skipped")
    actions = [key for key in ("answer", "amend", "skip") if body.get(key) is not None]
    if len(actions) > 1:
        raise WorkforceError(400, "InvalidRequest", f"send one of answer, amend or skip, not {' and '.join(actions)}")
    step: dict[str, Any] = {}
    for key in actions:
        value = body[key]
        if key == "skip":
            step["skip"] = _loop_name(value, "skip")
        elif not isinstance(value, dict) or "answerContent" not in value:
            raise WorkforceError(400, "InvalidRequest", f'{key} must be {{"humanLoopName": "...", '
                                 '"answerContent": {...}} (the crowd-form answer object)')
        else:
            step[key] = (_loop_name(value.get("humanLoopName"), f"{key}.humanLoopName"), value["answerContent"])
    skipped = body.get("skipped") or []
    if not isinstance(skipped, list) or len(skipped) > MAX_SKIPPED:
        raise WorkforceError(400, "InvalidRequest", f"skipped must be a list of at most {MAX_SKIPPED} human loop names")
    step["skipped"] = [_loop_name(name, "skipped[]") for name in skipped]
    return step


def _loop_name(value: Any, label: str) -> str:
    if not isinstance(value, str) or len(value) > 63 or not LOOP_NAME.fullmatch(value):
        raise WorkforceError(400, "InvalidRequest", f"{label} must be a human loop name: 1-63 letters, digits "
                             "and hyphens, starting and ending with a letter or digit")
    return value


def advance(ctx: ServiceContext, worker: dict[str, Any], flow: str, step: dict[str, Any]) -> dict[str, Any]:
    """Do a parsed step (submit, amend or skip), then claim the job's next task (see :func:`next_task`).

    The answer commits before the next claim: if claiming fails, the answer is still stored.
    """
    done: dict[str, Any] = {}
    skipped = list(step.get("skipped", ()))
    if "answer" in step:
        loop, content = step["answer"]
        done["submitted"] = {"humanLoopName": loop, **worker_api.submit(ctx, worker, loop, content)}
    elif "amend" in step:
        done["amended"] = amend(ctx, worker, *step["amend"])
    elif "skip" in step:
        worker_api.release(ctx, worker, step["skip"])
        done["released"] = {"humanLoopName": step["skip"]}
        skipped.append(step["skip"])
    return {**done, **next_task(ctx, worker, flow, skipped=skipped), "skippedLoops": skipped}


def amendable(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    """The worker's stored answer to a loop that is still open, with the task to show again.

    409 when the worker has not answered it, or when the loop closed (the answer is kept).
    """
    hidden = quality.hidden_amendable(ctx, worker, loop_name)   # a gold task reads like any loop
    if hidden is not None:
        return hidden
    with ctx.store.transaction():
        loop = load_loop(ctx, worker, loop_name)
        mine = _own_answer(ctx, loop, worker)
    html = worker_api.render_task(ctx, loop)
    doc = loop["doc"]
    return {"humanLoopName": loop_name, "flowDefinitionName": doc.get("FlowDefinitionName"),
            "taskTitle": doc.get("TaskTitle"), "taskDescription": doc.get("TaskDescription"),
            "answerContent": mine["doc"].get("answerContent"), "submissionTime": mine["doc"].get("submissionTime"),
            "html": html}


def amend(ctx: ServiceContext, worker: dict[str, Any], loop_name: str, answer: Any) -> dict[str, Any]:
    """Replace this worker's answer while the loop waits for more answers; times stay those of the answer."""
    answer = _check_answer(answer)
    hidden = quality.hidden_amend(ctx, worker, loop_name, answer)
    if hidden is not None:
        return hidden
    with ctx.store.transaction():
        loop = load_loop(ctx, worker, loop_name)
        mine = _own_answer(ctx, loop, worker)
        ctx.store.claims.put({**mine, "doc": {**mine["doc"], "answerContent": answer}})
    return {"humanLoopName": loop_name, "humanLoopStatus": loop["status"], "amended": True}


def _own_answer(ctx: ServiceContext, loop: dict[str, Any], worker: dict[str, Any]) -> dict[str, Any]:
    """This worker's submitted assignment of a loop that still takes answers (inside the loop's lock)."""
    name = loop["name"]
    mine = own_assignment(ctx.store.claims.of_loop(name), worker["name"])
    if mine is None or mine["status"] != "submitted":
        raise WorkforceError(409, "Conflict", f"you have not answered human loop {name!r}, so there is no "
                             "answer to change; claim it and submit an answer")
    if loop["status"] != CLAIMABLE:
        closed = "all its answers are in" if loop["status"] == "Completed" else f"it is {loop['status']}"
        raise WorkforceError(409, "AnswerClosed", f"your answer to human loop {name!r} can no longer be changed: "
                             f"{closed} (TaskCount {task_count(loop)}), so it closed; your answer of "
                             f"{mine['doc'].get('submissionTime')} was kept")
    return mine
