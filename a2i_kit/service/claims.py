"""The rules of claims, shared by the worker API's task, claim and answer functions.

- a claim holds the task for ``TaskTimeLimitInSeconds``; one claim per worker per loop;
  at most ``TaskCount`` live claims plus submissions per loop; a worker answers a loop once.
- only ``InProgress`` loops can be claimed (and not after ``TaskAvailabilityLifetimeInSeconds``).

Example:
    >>> available_until({"creation_time": 100.0, "doc": {"TaskAvailabilityLifetimeInSeconds": 60}})
    160.0
"""

from __future__ import annotations

from typing import Any

from a2i_kit.service.context import ServiceContext
from a2i_kit.service.timefmt import iso_ms
from a2i_kit.service.workforce import WorkforceError, matching_definitions

DEFAULT_TIME_LIMIT = 3600
DEFAULT_LIFETIME = 864000
CLAIMABLE = "InProgress"


def available_until(loop: dict[str, Any]) -> float:
    lifetime = loop["doc"].get("TaskAvailabilityLifetimeInSeconds") or DEFAULT_LIFETIME
    return float(loop["creation_time"]) + float(lifetime)


def task_count(loop: dict[str, Any]) -> int:
    return int(loop["doc"].get("TaskCount") or 1)


def is_live(assignment: dict[str, Any], now: float) -> bool:
    return assignment["status"] == "claimed" and assignment["deadline"] > now


def own_assignment(assignments: list[dict[str, Any]], worker_id: str) -> dict[str, Any] | None:
    return next((a for a in assignments if a["worker_id"] == worker_id), None)


def deleting_flows(ctx: ServiceContext) -> set[str]:
    return {row["arn"] for row in ctx.store.flow_definitions.deleting()}


def claim_refusal(loop: dict[str, Any], assignments: list[dict[str, Any]],
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
    taken = sum(1 for a in assignments if a["status"] == "submitted" or is_live(a, now))
    if taken >= task_count(loop):
        return (f"all {task_count(loop)} task slots of human loop {name!r} are claimed or answered; "
                "try again when a claim is released or expires")
    return None


def load_loop(ctx: ServiceContext, worker: dict[str, Any], loop_name: str) -> dict[str, Any]:
    """The loop record (locked) if this worker may see it (404 unknown, 403 another team's)."""
    return load_for_work(ctx, worker, loop_name)[0]


def load_loop_and_team(ctx: ServiceContext, worker: dict[str, Any],
                       loop_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`load_loop` and the workteam record of the loop (through which the worker sees it)."""
    loop, team, _ = load_for_work(ctx, worker, loop_name)
    return loop, team


def load_for_work(ctx: ServiceContext, worker: dict[str, Any],
                  loop_name: str) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
    """:func:`load_loop_and_team` plus the flow definitions being deleted among the loop's (at most
    its own), for :func:`claim_refusal`: all from one read of the store."""
    loop, team, flow_status = ctx.store.loops.lock_for_work(loop_name)
    if loop is None or loop.get("deleted"):
        raise WorkforceError(404, "NotFound", f"human loop {loop_name!r} does not exist")
    if team is None or not matching_definitions(team["doc"], worker["doc"]["groups"]):
        team_name = team["name"] if team else loop["doc"].get("WorkteamArn")
        raise WorkforceError(403, "Forbidden",
                             f"worker {worker['doc']['name']!r} is not a member of workteam {team_name!r} "
                             f"that reviews human loop {loop_name!r}; add one of the team's groups to the worker")
    deleting = {loop["flow_definition_arn"]} if flow_status == "Deleting" else set()
    return loop, team, deleting


def live_claim(ctx: ServiceContext, loop: dict[str, Any], worker: dict[str, Any], now: float,
                assignments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if assignments is None:
        assignments = ctx.store.claims.of_loop(loop["name"])
    held = own_assignment(assignments, worker["name"])
    if held is None or held["status"] != "claimed":
        raise WorkforceError(409, "Conflict", f"you hold no claim on human loop {loop['name']!r}; claim it first")
    if held["deadline"] <= now:
        raise WorkforceError(409, "Conflict", f"your claim on human loop {loop['name']!r} expired at "
                             f"{iso_ms(held['deadline'])} (TaskTimeLimitInSeconds); claim it again")
    return held
