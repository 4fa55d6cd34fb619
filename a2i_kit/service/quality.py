"""Reviewer quality control inside the worker API: gold tasks mixed in, qualification first.

The worker API calls these hooks (each costs one cached dict lookup when no flow definition has
quality control, see ``store.quality.configs``):

- :func:`filter_tasks` (task list): real tasks of a job the worker has not qualified for are
  left out and its qualification tasks shown instead (created on first sight); open gold tasks
  are shown among the job's tasks (and alone when the worker has answered the job's last real
  task: the entry is then built from the flow definition).
- :func:`refuse_unqualified` (claim of a real loop): 403 ``QualificationRequired`` with what to do.
- :func:`after_real_answer` (submit of a real loop, same transaction): counts the answer and
  creates the worker's next gold task when it is due: exactly one gold task in each block of
  ``round(1/rate)`` tasks served, at a position drawn per block.
- :func:`hidden_claim`, :func:`hidden_submit`, :func:`hidden_release`: the worker's own hidden
  tasks (:mod:`a2i_kit.service.quality_tasks`); None when the name is not one of them.
- :func:`hidden_amendable`, :func:`hidden_amend`, :func:`hidden_seconds_left`: the same for the
  portal's continuous mode (go back and change an answer; the claim's time left).
- :func:`notices`: one line per job the worker must qualify for or has failed (queue page).

Example:
    >>> tasks = filter_tasks(ctx, worker, list_of_real_tasks)      # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from a2i_kit.service import quality_tasks
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.workforce import WorkforceError

finish_qualification = quality_tasks.finish_qualification
__all__ = ["after_real_answer", "filter_tasks", "finish_qualification", "hidden_amend", "hidden_amendable",
           "hidden_claim", "hidden_release", "hidden_seconds_left", "hidden_submit", "notices", "refuse_unqualified"]

_RNG = random.SystemRandom()


def _configs(ctx: ServiceContext) -> dict[str, dict[str, Any]]:
    return ctx.store.quality.configs()


def filter_tasks(ctx: ServiceContext, worker: dict[str, Any], tasks: list[dict[str, Any]],
                 team_arns: set[str]) -> list[dict[str, Any]]:
    """The task list as this worker may see it (see the module doc)."""
    configs = _configs(ctx)
    if not configs:
        return tasks
    qc, worker_id, now = ctx.store.quality, worker["name"], ctx.clock.now()
    listed = {t["flowDefinitionName"] for t in tasks} & configs.keys()
    firsts: dict[str, dict[str, Any]] = {}
    for task in tasks:
        firsts.setdefault(task["flowDefinitionName"], task)
    blocked = set()
    for flow in sorted(listed):
        if configs[flow]["pass_threshold"] is None:
            continue
        state = qc.state(flow, worker_id)["qualification"]
        if state != "passed":
            blocked.add(flow)
        if state == "none":
            _start_qualification(ctx, flow, worker_id, firsts[flow])
    hidden = [h for h in qc.open_tasks(worker_id) if h["flow_name"] in configs]
    shown = [entry for h in hidden if h["kind"] == "qualification" or h["flow_name"] not in blocked
             if (entry := _hidden_entry(ctx, h, firsts, team_arns, now)) is not None]
    if not shown and not blocked:
        return tasks
    merged = shown + [t for t in tasks if t["flowDefinitionName"] not in blocked]
    merged.sort(key=lambda t: t["creationTime"])  # stable: a hidden task goes first among equal times
    return merged


def _hidden_entry(ctx: ServiceContext, task: dict[str, Any], firsts: dict[str, dict[str, Any]],
                  team_arns: set[str], now: float) -> dict[str, Any] | None:
    """A hidden task's list entry: a copy of a listed real task of its job or, when the job has none
    left (a gold task due after the worker's last real one), one built from the flow definition."""
    template = firsts.get(task["flow_name"]) or quality_tasks.flow_template(ctx, task, team_arns)
    return None if template is None else quality_tasks.summary(task, template, now)


def _start_qualification(ctx: ServiceContext, flow: str, worker_id: str, template: dict[str, Any]) -> None:
    """Create the worker's qualification tasks (once: the racer that moves none → pending does it)."""
    qc = ctx.store.quality
    with ctx.store.transaction():
        if not qc.begin_qualification(flow, worker_id):
            return
        items = qc.items(flow, "qualification")
        _RNG.shuffle(items)
        created = ctx.store.loops.get(template["humanLoopName"])
        at = created["creation_time"] if created else ctx.clock.now()
        for item in items:
            quality_tasks.create(ctx, worker_id, flow, "qualification", item, template["humanLoopName"], at)


def _job_title(ctx: ServiceContext, flow: str) -> str:
    record = ctx.store.flow_definitions.get(flow)
    title = (record or {}).get("doc", {}).get("HumanLoopConfig", {}).get("TaskTitle") if record else None
    return str(title or flow)


def _why_not(ctx: ServiceContext, flow: str, worker_id: str) -> str | None:
    """Why this worker gets no real task of ``flow`` (None when it may work on them)."""
    config = _configs(ctx).get(flow)
    if config is None or config["pass_threshold"] is None:
        return None
    state = ctx.store.quality.state(flow, worker_id)
    title = _job_title(ctx, flow)
    if state["qualification"] == "passed":
        return None
    if state["qualification"] == "failed":
        doc = state["doc"]
        return (f"you did not pass the qualification of job {title!r} ({doc.get('correct')} of {doc.get('answered')} "
                f"right, {doc.get('threshold', 0):.0%} needed), so its tasks are not open to you; "
                "ask your manager to reset your qualification")
    mine = [t for t in ctx.store.quality.tasks_of(flow, worker_id) if t["kind"] == "qualification"]
    done = sum(1 for t in mine if t["status"] == "submitted")
    return (f"job {title!r} needs its qualification first: answer its qualification tasks in your queue "
            f"({done} of {len(mine) or 'all'} done); its other tasks open once you pass")


def refuse_unqualified(ctx: ServiceContext, worker: dict[str, Any], loop: dict[str, Any]) -> None:
    """Raise 403 ``QualificationRequired`` when the worker may not take this real loop yet."""
    configs = _configs(ctx)
    if not configs:
        return
    flow = loop["doc"].get("FlowDefinitionName")
    if flow not in configs:
        return
    reason = _why_not(ctx, flow, worker["name"])
    if reason:
        raise WorkforceError(403, "QualificationRequired", reason)


def notices(ctx: ServiceContext, worker: dict[str, Any]) -> list[str]:
    """One line per job this worker must qualify for or failed, for the queue page."""
    configs = _configs(ctx)
    if not configs:
        return []
    found = []
    for state in ctx.store.quality.states_of(worker["name"]):
        if state["flow_name"] in configs and state["qualification"] in ("pending", "failed"):
            reason = _why_not(ctx, state["flow_name"], worker["name"])
            if reason:
                found.append(reason[0].upper() + reason[1:] + ".")
    return found


def after_real_answer(ctx: ServiceContext, worker: dict[str, Any], loop: dict[str, Any]) -> None:
    """Count a real answer (inside the submit's transaction); create a gold task when one is due."""
    configs = _configs(ctx)
    if not configs:
        return
    flow = loop["doc"].get("FlowDefinitionName")
    config = configs.get(flow)
    if config is None or not config["gold_rate"]:
        return
    qc, worker_id = ctx.store.quality, worker["name"]
    real = qc.count_real_answer(flow, worker_id)["real_answers"]
    golds = [t for t in qc.tasks_of(flow, worker_id) if t["kind"] == "gold"]
    if any(t["status"] != "submitted" for t in golds):
        return  # one open gold task at a time
    block = max(1, round(1 / config["gold_rate"]))
    position = real + len(golds)  # where the next task served to this worker falls
    if len(golds) > position // block or position % block < _offset(worker_id, flow, position // block, block):
        return
    items = qc.items(flow, "gold")
    if items:
        quality_tasks.create(ctx, worker_id, flow, "gold", _least_seen(items, golds), loop["name"],
                             loop["creation_time"])


def _offset(worker_id: str, flow: str, block: int, size: int) -> int:
    """Where in block ``block`` this worker's gold task goes (fixed per worker, flow and block)."""
    digest = hashlib.sha256(f"{worker_id}\0{flow}\0{block}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % size


def _least_seen(items: list[dict[str, Any]], golds: list[dict[str, Any]]) -> dict[str, Any]:
    seen: dict[str, int] = {}
    for task in golds:
        seen[task["item_id"]] = seen.get(task["item_id"], 0) + 1
    fewest = min(seen.get(item["item_id"], 0) for item in items)
    return _RNG.choice([item for item in items if seen.get(item["item_id"], 0) == fewest])


def hidden_claim(ctx: ServiceContext, worker: dict[str, Any], name: str, *,
                 held_only: bool = False) -> dict[str, Any] | None:
    """The claim of this worker's hidden task ``name``; None when it is not one (or QC is off)."""
    if not _configs(ctx):
        return None
    return quality_tasks.claim(ctx, worker, name, held_only=held_only)


def hidden_submit(ctx: ServiceContext, worker: dict[str, Any], name: str, answer: dict[str, Any],
                  **times: Any) -> dict[str, Any] | None:
    if not _configs(ctx):
        return None
    return quality_tasks.submit(ctx, worker, name, answer, **times)


def hidden_release(ctx: ServiceContext, worker: dict[str, Any], name: str) -> dict[str, Any] | None:
    if not _configs(ctx):
        return None
    return quality_tasks.release(ctx, worker, name)


def hidden_amendable(ctx: ServiceContext, worker: dict[str, Any], name: str) -> dict[str, Any] | None:
    if not _configs(ctx):
        return None
    return quality_tasks.amendable(ctx, worker, name)


def hidden_amend(ctx: ServiceContext, worker: dict[str, Any], name: str, answer: dict[str, Any]) -> dict[str, Any] | None:
    if not _configs(ctx):
        return None
    return quality_tasks.amend(ctx, worker, name, answer)


def hidden_seconds_left(ctx: ServiceContext, worker: dict[str, Any], name: str) -> float | None:
    if not _configs(ctx):
        return None
    return quality_tasks.seconds_left(ctx, worker, name)
