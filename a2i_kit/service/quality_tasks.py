"""Hidden tasks: one worker's gold or qualification task, served exactly like a human loop.

A hidden task is a row of ``quality_tasks``, never a loop: ListHumanLoops, DescribeHumanLoop,
events, webhooks and output.json cannot see it. To the worker it is one more task of the job:
its name is shaped like the job's loop names (digits and hex runs re-drawn), its list entry is a
copy of a real task's entry of the same job, its page is the job's template rendered with the
item's input, and claim, submit, release and their errors read the same as a real loop's.

Example:
    >>> import random
    >>> mimic_name("invoice-0042", random.Random(1))
    'invoice-2914'
    >>> mimic_name("reviews-ticket-42-bn6f3hnrxmqn", random.Random(1))
    'reviews-ticket-29-eqh746yng7by'
"""

from __future__ import annotations

import json
import random
import secrets
from typing import Any

from a2i_kit.service.claims import available_until, task_count
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.quality_config import score
from a2i_kit.service.timefmt import iso_ms
from a2i_kit.service.workforce import WorkforceError

_DIGITS = "0123456789"
_ALPHABETS = ("0123456789abcdef", "abcdefghijklmnopqrstuvwxyz234567", "0123456789abcdefghijklmnopqrstuvwxyz",
              "0123456789ABCDEF", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_RNG = random.SystemRandom()
DEFAULT_TIME_LIMIT = 3600


def mimic_name(template: str, rng: random.Random | None = None) -> str:
    """A name of the same shape: the last number (its last 4 digits) and the last hash-like part
    (8+ letters and digits) among the hyphen-separated parts are re-drawn; the rest stays."""
    rng = rng or _RNG
    parts = template.split("-")
    number = next((k for k in reversed(range(len(parts))) if parts[k].isdigit()), None)
    hashlike = next((k for k in reversed(range(len(parts))) if len(parts[k]) >= 8 and not parts[k].isdigit()
                     and any(ch.isdigit() for ch in parts[k]) and any(ch.isalpha() for ch in parts[k])), None)
    if number is not None:
        part, keep = parts[number], max(0, len(parts[number]) - 4)
        parts[number] = part[:keep] + "".join(rng.choice(_DIGITS) for _ in part[keep:])
    if hashlike is not None:
        alphabet = next(a for a in _ALPHABETS if set(parts[hashlike]) <= set(a))
        parts[hashlike] = "".join(rng.choice(alphabet) for _ in parts[hashlike])
    return "-".join(parts)


def unused_name(ctx: ServiceContext, template: str) -> str:
    """A mimic of ``template`` that is neither a loop nor a hidden task (a suffix when the shape is tight)."""
    for attempt in range(40):
        base = template if attempt < 20 else f"{template[:56]}-{secrets.randbelow(10**6):06d}"
        name = mimic_name(base)
        if ctx.store.loops.get(name) is None and ctx.store.quality.task(name) is None:
            return name
    return f"{template[:40]}-{secrets.token_hex(8)}"


def create(ctx: ServiceContext, worker_id: str, flow_name: str, kind: str, item: dict[str, Any],
           template_name: str, creation_time: float) -> dict[str, Any]:
    record = {"name": unused_name(ctx, template_name), "worker_id": worker_id, "flow_name": flow_name,
              "kind": kind, "item_id": item["item_id"], "status": "open", "creation_time": creation_time,
              "claimed_at": None, "deadline": None, "submitted_at": None, "correct": None,
              "doc": {k: item["doc"][k] for k in ("input", "answer", "paths")}}
    ctx.store.quality.put_task(record)
    return record


def is_held(task: dict[str, Any], now: float) -> bool:
    return task["status"] == "claimed" and (task["deadline"] or 0) > now


def summary(task: dict[str, Any], template: dict[str, Any], now: float) -> dict[str, Any]:
    """The task-list entry: a real entry of the same job with this task's own fields."""
    entry = {k: v for k, v in template.items() if k != "claimDeadline"}
    held = is_held(task, now)
    entry.update(humanLoopName=task["name"], creationTime=iso_ms(task["creation_time"]), submittedCount=0,
                 claimedByMe=held, humanLoopStatus="InProgress")
    if held:
        entry["claimDeadline"] = iso_ms(task["deadline"])
    return entry


def flow_template(ctx: ServiceContext, task: dict[str, Any], team_arns: set[str]) -> dict[str, Any] | None:
    """The list entry a real loop of the task's job would have, built from its flow definition (for
    a hidden task whose job has no real task left in the list); None when the flow definition is
    gone or is not for one of the worker's teams.

    Example:
        >>> flow_template(ctx, gold_task, {team_arn})["taskTitle"]   # doctest: +SKIP
        'Classify the review'
    """
    flow = ctx.store.flow_definitions.get(task["flow_name"])
    config = dict(flow["doc"].get("HumanLoopConfig") or {}) if flow else {}
    if config.get("WorkteamArn") not in team_arns:
        return None
    loop = {"creation_time": task["creation_time"], "doc": config}
    return {"humanLoopName": task["name"], "flowDefinitionName": task["flow_name"],
            "taskTitle": config.get("TaskTitle"), "taskDescription": config.get("TaskDescription"),
            "creationTime": iso_ms(task["creation_time"]), "availableUntil": iso_ms(available_until(loop)),
            "taskCount": task_count(loop), "submittedCount": 0, "claimedByMe": False,
            "humanLoopStatus": "InProgress"}


def own_task(ctx: ServiceContext, worker: dict[str, Any], name: str) -> dict[str, Any] | None:
    task = ctx.store.quality.task(name)
    return task if task is not None and task["worker_id"] == worker["name"] else None


def _flow_config(ctx: ServiceContext, task: dict[str, Any]) -> dict[str, Any]:
    flow = ctx.store.flow_definitions.get(task["flow_name"])
    if flow is None:
        raise WorkforceError(404, "NotFound", f"human loop {task['name']!r} does not exist")
    return dict(flow["doc"].get("HumanLoopConfig") or {})


def _answered(name: str) -> WorkforceError:
    return WorkforceError(409, "Conflict", f"you already answered human loop {name!r}; each worker answers a loop once")


def _no_claim(name: str) -> WorkforceError:
    return WorkforceError(409, "Conflict", f"you hold no claim on human loop {name!r}; claim it first")


def claim(ctx: ServiceContext, worker: dict[str, Any], name: str, *, held_only: bool = False) -> dict[str, Any] | None:
    """Claim (or re-open) a hidden task of this worker; None when ``name`` is not one."""
    with ctx.store.transaction():
        task = own_task(ctx, worker, name)
        if task is None:
            return None
        now = ctx.clock.now()
        config = _flow_config(ctx, task)
        if not is_held(task, now):
            if task["status"] == "submitted":
                raise _answered(name)
            if held_only:
                raise _no_claim(name)
            limit = float(config.get("TaskTimeLimitInSeconds") or DEFAULT_TIME_LIMIT)
            task.update(status="claimed", claimed_at=now, deadline=now + limit)
            ctx.store.quality.put_task(task)
    from a2i_kit.service.worker_api import render_task

    ui_name = str(config.get("HumanTaskUiArn", "")).rsplit("/", 1)[-1]
    html = render_task(ctx, {"name": name, "doc": {"InputContent": json.dumps(task["doc"]["input"]),
                                                   "HumanTaskUiName": ui_name}})
    return {"humanLoopName": name, "taskTitle": config.get("TaskTitle"), "taskDescription": config.get("TaskDescription"),
            "claimedAt": iso_ms(task["claimed_at"]), "deadline": iso_ms(task["deadline"]),
            "timeLimitSeconds": round(task["deadline"] - task["claimed_at"], 3), "html": html}


def submit(ctx: ServiceContext, worker: dict[str, Any], name: str, answer: dict[str, Any], *,
           time_spent: float | None = None, acceptance_time: float | None = None) -> dict[str, Any] | None:
    """Score and store the answer to a hidden task; None when ``name`` is not one of this worker's."""
    from a2i_kit.service.worker_answers import answer_times

    simulated = time_spent is not None or acceptance_time is not None
    with ctx.store.transaction():
        task = own_task(ctx, worker, name)
        if task is None:
            return None
        config = _flow_config(ctx, task)
        now = ctx.clock.now()
        if task["status"] == "submitted":
            if task["doc"].get("answerContent") != answer:
                raise WorkforceError(409, "Conflict", f"you already answered human loop {name!r} at "
                                     f"{task['doc'].get('submissionTime')}; each worker answers a loop once "
                                     "and the stored answer is kept")
            return _result(config, task["doc"], simulated)
        if task["status"] != "claimed":
            raise _no_claim(name)
        if task["deadline"] <= now:
            raise WorkforceError(409, "Conflict", f"your claim on human loop {name!r} expired at "
                                 f"{iso_ms(task['deadline'])} (TaskTimeLimitInSeconds); claim it again")
        accepted, submitted = answer_times({"creation_time": task["creation_time"]}, task, now,
                                           time_spent=time_spent, acceptance_time=acceptance_time)
        task["doc"].update(answerContent=answer, acceptanceTime=iso_ms(accepted), submissionTime=iso_ms(submitted),
                           timeSpentInSeconds=round(submitted - accepted, 3))
        task.update(status="submitted", submitted_at=submitted,
                    correct=int(score(answer, task["doc"]["answer"], task["doc"]["paths"])))
        ctx.store.quality.put_task(task)
        if task["kind"] == "qualification":
            finish_qualification(ctx, task["flow_name"], worker["name"])
    return _result(config, task["doc"], simulated)


def finish_qualification(ctx: ServiceContext, flow: str, worker_id: str) -> None:
    """After a qualification answer: when all are answered, record passed or failed."""
    qc = ctx.store.quality
    mine = [t for t in qc.tasks_of(flow, worker_id) if t["kind"] == "qualification"]
    if not mine or any(t["status"] != "submitted" for t in mine):
        return
    config = qc.config(flow) or {}
    threshold = config.get("pass_threshold") or 1.0
    correct = sum(int(t["correct"] or 0) for t in mine)
    state = qc.state(flow, worker_id)
    passed = correct >= threshold * len(mine) - 1e-9
    qc.put_state({**state, "qualification": "passed" if passed else "failed",
                  "doc": {**state["doc"], "correct": correct, "answered": len(mine), "threshold": threshold}})


def _result(config: dict[str, Any], doc: dict[str, Any], simulated: bool) -> dict[str, Any]:
    """What a real loop of this job answers: Completed when one answer completes it."""
    result: dict[str, Any] = {"humanLoopStatus": "Completed" if int(config.get("TaskCount") or 1) == 1 else "InProgress"}
    if simulated:
        result.update({k: doc.get(k) for k in ("acceptanceTime", "submissionTime", "timeSpentInSeconds")})
    return result


def release(ctx: ServiceContext, worker: dict[str, Any], name: str) -> dict[str, Any] | None:
    """Give a hidden task back (it stays this worker's); None when ``name`` is not one."""
    with ctx.store.transaction():
        task = own_task(ctx, worker, name)
        if task is None:
            return None
        if not is_held(task, ctx.clock.now()):
            raise _no_claim(name)
        task.update(status="open", claimed_at=None, deadline=None)
        ctx.store.quality.put_task(task)
    return {}


def _closed(task: dict[str, Any], config: dict[str, Any]) -> WorkforceError | None:
    """A real loop of TaskCount 1 closes with its answer: a hidden task of such a job does too."""
    count = int(config.get("TaskCount") or 1)
    if count > 1:
        return None
    return WorkforceError(409, "AnswerClosed", f"your answer to human loop {task['name']!r} can no longer be changed: "
                          f"all its answers are in (TaskCount {count}), so it closed; your answer of "
                          f"{task['doc'].get('submissionTime')} was kept")


def _answered_task(ctx: ServiceContext, worker: dict[str, Any], name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    task = own_task(ctx, worker, name)
    if task is None:
        return None
    if task["status"] != "submitted":
        raise WorkforceError(409, "Conflict", f"you have not answered human loop {name!r}, so there is no "
                             "answer to change; claim it and submit an answer")
    config = _flow_config(ctx, task)
    closed = _closed(task, config)
    if closed is not None:
        raise closed
    return task, config


def amendable(ctx: ServiceContext, worker: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The stored answer of a hidden task with its page, as for a real loop; None when not one."""
    found = _answered_task(ctx, worker, name)
    if found is None:
        return None
    task, config = found
    from a2i_kit.service.worker_api import render_task

    ui_name = str(config.get("HumanTaskUiArn", "")).rsplit("/", 1)[-1]
    html = render_task(ctx, {"name": name, "doc": {"InputContent": json.dumps(task["doc"]["input"]),
                                                   "HumanTaskUiName": ui_name}})
    return {"humanLoopName": name, "flowDefinitionName": task["flow_name"], "taskTitle": config.get("TaskTitle"),
            "taskDescription": config.get("TaskDescription"), "answerContent": task["doc"].get("answerContent"),
            "submissionTime": task["doc"].get("submissionTime"), "html": html}


def amend(ctx: ServiceContext, worker: dict[str, Any], name: str, answer: dict[str, Any]) -> dict[str, Any] | None:
    """Replace the answer of a hidden task (re-scored); None when ``name`` is not one."""
    with ctx.store.transaction():
        found = _answered_task(ctx, worker, name)
        if found is None:
            return None
        task, _config = found
        task["doc"]["answerContent"] = answer
        task["correct"] = int(score(answer, task["doc"]["answer"], task["doc"]["paths"]))
        ctx.store.quality.put_task(task)
        if task["kind"] == "qualification":
            finish_qualification(ctx, task["flow_name"], worker["name"])
    return {"humanLoopName": name, "humanLoopStatus": "InProgress", "amended": True}


def seconds_left(ctx: ServiceContext, worker: dict[str, Any], name: str) -> float | None:
    """Seconds left on this worker's claim of a hidden task (None when it is not one)."""
    task = own_task(ctx, worker, name)
    if task is None or task["deadline"] is None:
        return None
    return float(task["deadline"]) - ctx.clock.now()
