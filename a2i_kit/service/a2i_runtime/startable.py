"""StartHumanLoop's checks on the store, at constant cost per request.

- :func:`startable_flow`: the flow definition must exist under that exact ARN, be Active, have a
  HumanLoopConfig and a task UI that still exists, and fewer than ``max_in_progress_loops`` loops
  may be InProgress. One query (``store.loops.start_checks``) answers all of it for an Active
  definition; its document (immutable once created) is parsed once and kept, keyed by its stored
  text, so a replaced or deleted definition can never be served from the cache. Anything not
  Active goes through ``flow_definitions.find_by_arn`` (which moves Initializing to Active and
  finishes pending deletions).
- :func:`last_startable`: the record of the flow definition a loop last started on, for a start
  in one statement (``store.loops.insert_if_startable``), which falls back to the checks above.
- :func:`iso_ms_fast`: ``CreationTime`` of a page of loops without one ``strftime`` per loop.
- :func:`check_quota`: the exact in-progress quota check, once the bound that comes with the
  flow (on SQLite the number of rows) reaches the quota.

Example:
    >>> flow = startable_flow(ctx, flow_arn)                          # doctest: +SKIP
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from a2i_kit.service.context import ServiceContext
from a2i_kit.service.protocol import ServiceQuotaExceededException, ValidationException
from a2i_kit.service.sagemaker import flow_definitions
from a2i_kit.service.timefmt import iso_ms

CACHE_SIZE = 256
_docs: dict[str, dict[str, Any]] = {}
_ui_of: dict[str, tuple[str, str]] = {}  # flow definition name -> (name, ARN) of the task UI it last named
_started_on: dict[str, dict[str, Any]] = {}  # flow definition name -> its record a loop last started on


def _parsed(doc_text: str) -> dict[str, Any]:
    """The flow document for this stored text (parsed once; callers must not modify it)."""
    doc = _docs.get(doc_text)
    if doc is None:
        if len(_docs) >= CACHE_SIZE:
            _docs.clear()
        doc = _docs[doc_text] = json.loads(doc_text)
    return doc


def flow_record(ctx: ServiceContext, arn: str) -> dict[str, Any] | None:
    """``flow_definitions.find_by_arn`` with one query and no parsing for an Active definition."""
    name = flow_definitions.name_from_arn(arn)
    if not name:
        return None
    row = ctx.store.flow_definitions.raw(name)
    if row is not None and row["status"] == "Active":
        record = {"name": row["name"], "arn": row["arn"], "status": "Active",
                  "creation_time": row["creation_time"], "doc": _parsed(row["doc_text"])}
        return record if record["arn"] == arn else None
    return flow_definitions.find_by_arn(ctx, arn) if row is not None else None


def startable_flow(ctx: ServiceContext, arn: str) -> dict[str, Any]:
    """The flow definition record loops can start on, or the error saying why not (ValidationException,
    then ServiceQuotaExceededException): flow, task UI and quota in one query of the store.

    Which task UI to look for is taken from the flow's document the last time it was read; a
    document that names another one (the definition was replaced) is checked with a second read.
    """
    name = flow_definitions.name_from_arn(arn)
    if not name:
        raise _missing(arn)
    quota = ctx.config.max_in_progress_loops
    guess = _ui_of.get(name, ("", ""))
    row = ctx.store.loops.start_checks(name, *guess, quota)
    if row is None or row["arn"] != arn:
        raise _missing(arn)
    if row["status"] == "Active":
        flow = {"name": row["name"], "arn": row["arn"], "status": "Active",
                "creation_time": row["creation_time"], "doc": _parsed(row["doc_text"])}
    else:  # Initializing becomes Active, a pending deletion finishes (see find_by_arn)
        found = flow_definitions.find_by_arn(ctx, arn)
        if found is None:
            raise _missing(arn)
        flow = found
        if flow["status"] != "Active":
            raise ValidationException(
                f"FlowDefinition '{flow['name']}' is {flow['status']}; loops can only be started on an Active "
                "flow definition. Poll DescribeFlowDefinition until FlowDefinitionStatus is Active.")
    config = flow["doc"].get("HumanLoopConfig")
    if not config:
        raise ValidationException(f"FlowDefinition '{flow['name']}' has no HumanLoopConfig, so it cannot "
                                  "start human loops. Create a flow definition with a HumanLoopConfig.")
    ui_arn = config["HumanTaskUiArn"]
    ui = (ui_arn.rsplit("/", 1)[-1], ui_arn)
    if len(_ui_of) >= CACHE_SIZE:
        _ui_of.clear()
    _ui_of[name] = ui
    if not (row["ui_exists"] if ui == guess else ctx.store.task_uis.has(*ui)):
        raise ValidationException(
            f"The HumanTaskUi '{ui_arn}' of FlowDefinition '{flow['name']}' was deleted; "
            "new loops cannot start. Create a flow definition with an existing worker task template.")
    if int(row["busy"]) >= quota:
        check_quota(ctx)
    if len(_started_on) >= CACHE_SIZE:
        _started_on.clear()
    _started_on[name] = flow
    return flow


def last_startable(arn: str) -> dict[str, Any] | None:
    """The flow definition record a loop last started on under this ARN (its document never
    changes; ``store.loops.insert_if_startable`` checks that it is still the Active one)."""
    flow = _started_on.get(flow_definitions.name_from_arn(arn) or "")
    return flow if flow is not None and flow["arn"] == arn else None


def forget_startable(arn: str) -> None:
    _started_on.pop(flow_definitions.name_from_arn(arn) or "", None)


def _missing(arn: str) -> ValidationException:
    return ValidationException(f"FlowDefinition '{arn}' does not exist. Check the ARN (region and "
                               "account included) or create it with CreateFlowDefinition.")


def check_quota(ctx: ServiceContext) -> None:
    """Raise ServiceQuotaExceededException when ``max_in_progress_loops`` loops are InProgress."""
    quota = ctx.config.max_in_progress_loops
    if not ctx.store.loops.in_progress_at_least(quota):
        return
    in_progress = ctx.store.loops.count_with_status("InProgress")
    raise ServiceQuotaExceededException(
        f"You have {in_progress} human loops in progress, the quota of this service "
        f"(max_in_progress_loops={quota}). Wait for loops to finish or stop some before starting more.")


@lru_cache(maxsize=1024)
def _second(epoch_second: int) -> str:
    return datetime.fromtimestamp(epoch_second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.")


def iso_ms_fast(epoch: float) -> str:
    """Exactly ``timefmt.iso_ms`` (a list page formats 100 of them), with the seconds part cached.

    Loops started together share their second; near a second's end (where the microsecond
    rounding of ``datetime`` may carry into the next second) it defers to ``iso_ms``.

    >>> iso_ms_fast(1709647329.417) == iso_ms(1709647329.417) == "2024-03-05T14:02:09.417Z"
    True
    """
    second = int(epoch)
    if 0 <= epoch - second < 0.999999:
        return f"{_second(second)}{int(epoch * 1000) % 1000:03d}Z"
    return iso_ms(epoch)
