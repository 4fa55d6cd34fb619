"""Reviewer quality control, the data scientist's side: gold items, gold rate, qualification set.

A *gold item* is a task input with its known answer and the answer paths that must match, e.g.
``{"input": {"text": "great"}, "answer": {"sentiment": {"label": "positive"}},
"paths": ["sentiment.label"]}`` (``paths`` defaults to every leaf of ``answer``; ``itemId``
defaults to a hash of the input). Items are checked when they are added: the flow definition
must exist and its worker task template must render each input.

Settings are per flow definition name: ``gold_rate`` (one hidden gold task in every
``round(1/rate)`` tasks a worker is served) and a qualification set with a pass threshold.

Example:
    >>> score({"sentiment": {"label": "positive"}}, {"sentiment": {"label": "positive"}}, ["sentiment.label"])
    True
    >>> leaf_paths({"a": {"b": 1, "c": [1, 2]}})
    ['a.b', 'a.c']
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from a2i_kit.errors import TemplateError
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.workforce import WorkforceError

KINDS = ("gold", "qualification")
MAX_ITEMS = 500  # per request
MAX_ITEM_BYTES = 256 * 1024
MAX_RATE = 0.5
ITEM_KEYS = frozenset({"itemId", "input", "answer", "paths"})
_ITEM_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_MISSING = object()


def bad(message: str) -> WorkforceError:
    return WorkforceError(400, "InvalidRequest", message)


def leaf_paths(value: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the leaves of a JSON object (a list is one leaf)."""
    if not isinstance(value, dict) or not value:
        return [prefix] if prefix else []
    found: list[str] = []
    for key, inner in value.items():
        found += leaf_paths(inner, f"{prefix}.{key}" if prefix else str(key))
    return found


def resolve(value: Any, path: str) -> Any:
    """The value at a dotted path (digits index lists), or a private marker when it is absent."""
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def score(answer: Any, known: dict[str, Any], paths: list[str]) -> bool:
    """True when the answer holds the known value at every path."""
    return all(resolve(answer, p) is not _MISSING and resolve(answer, p) == resolve(known, p) for p in paths)


def flow_record(ctx: ServiceContext, flow_name: Any) -> dict[str, Any]:
    if not isinstance(flow_name, str) or not flow_name:
        raise bad("name the flow definition, e.g. /_a2i/quality/flows/my-flow")
    flow = ctx.store.flow_definitions.get(flow_name)
    if flow is None or flow["status"] == "Deleting":
        raise WorkforceError(404, "NotFound", f"flow definition {flow_name!r} does not exist: create it with "
                             "CreateFlowDefinition first (quality control is set per flow definition name)")
    return flow


def template_of(ctx: ServiceContext, flow: dict[str, Any]) -> str | None:
    ui_arn = flow["doc"].get("HumanLoopConfig", {}).get("HumanTaskUiArn", "")
    ui = ctx.store.task_uis.get(ui_arn.rsplit("/", 1)[-1]) if ui_arn else None
    return ui["doc"]["UiTemplate"]["Content"] if ui else None


def check_items(ctx: ServiceContext, flow: dict[str, Any], items: Any) -> list[tuple[str, dict[str, Any]]]:
    """``[(item_id, {"input", "answer", "paths"})]`` from request items, or a 400 naming the fix."""
    if not isinstance(items, list) or not items:
        raise bad('"items" must be a non-empty list of {"input": {...}, "answer": {...}, "paths": [...]}')
    if len(items) > MAX_ITEMS:
        raise bad(f'"items" has {len(items)} items; send at most {MAX_ITEMS} per request')
    template = template_of(ctx, flow)
    checked, seen = [], set()
    for n, item in enumerate(items, 1):
        item_id, doc = _check_item(n, item)
        if item_id in seen:
            raise bad(f"item {n}: itemId {item_id!r} appears twice in this request; give each item its own id")
        seen.add(item_id)
        if template is not None:
            _check_renders(ctx, template, n, doc["input"])
        checked.append((item_id, doc))
    return checked


def _check_item(n: int, item: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(item, dict):
        raise bad(f'item {n} must be an object {{"input": {{...}}, "answer": {{...}}}}, not {type(item).__name__}')
    unknown = sorted(set(item) - ITEM_KEYS)
    if unknown:
        raise bad(f"item {n}: unknown key(s) {unknown}; an item has {sorted(ITEM_KEYS)}")
    task_input, answer = item.get("input"), item.get("answer")
    if not isinstance(task_input, dict):
        raise bad(f'item {n}: "input" must be the task input object (what InputContent holds), e.g. {{"text": "..."}}')
    if not isinstance(answer, dict) or not answer:
        raise bad(f'item {n}: "answer" must be the known answerContent object, e.g. {{"sentiment": {{"label": "positive"}}}}')
    size = len(json.dumps(item, separators=(",", ":")).encode())
    if size > MAX_ITEM_BYTES:
        raise bad(f"item {n} is {size} bytes; the limit is {MAX_ITEM_BYTES}: put large data in S3 and pass its URI")
    paths = item.get("paths", leaf_paths(answer))
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
        raise bad(f'item {n}: "paths" must list answer paths that must match, e.g. ["sentiment.label"]')
    missing = [p for p in paths if resolve(answer, p) is _MISSING]
    if missing:
        raise bad(f"item {n}: path(s) {missing} are not in its answer; the answer has {leaf_paths(answer)}")
    item_id = item.get("itemId")
    if item_id is None:
        item_id = hashlib.sha256(json.dumps(task_input, sort_keys=True).encode()).hexdigest()[:16]
    elif not isinstance(item_id, str) or not _ITEM_ID.fullmatch(item_id):
        raise bad(f"item {n}: itemId must be 1-128 letters, digits or ._:-, e.g. \"gold-001\"")
    return item_id, {"input": task_input, "answer": answer, "paths": paths}


def _check_renders(ctx: ServiceContext, template: str, n: int, task_input: dict[str, Any]) -> None:
    from a2i_kit.service.objects import mirror_signer
    from a2i_kit.templates import render

    try:
        render(template, task_input, signer=mirror_signer(ctx))
    except TemplateError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise bad(f"item {n}: the flow's worker task template cannot render its input ({first}); "
                  "give the input the fields the template reads") from exc


def _number(value: Any, name: str, low: float, high: float, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low < value <= high:
        raise bad(f"{name} must be a number in ({low:g}, {high:g}], e.g. {example}; got {value!r}")
    return float(value)


def add_gold(ctx: ServiceContext, flow_name: str, items: Any = None, rate: Any = None) -> dict[str, Any]:
    """Add gold items and/or set the gold rate of a flow definition; returns :func:`describe`."""
    flow = flow_record(ctx, flow_name)
    if items is None and rate is None:
        raise bad('send "items" (gold items to add) and/or "rate" (e.g. 0.1: one gold task in every 10)')
    checked = check_items(ctx, flow, items) if items is not None else []
    gold_rate = None if rate is None else _number(rate, "rate", 0.0, MAX_RATE, "0.1")
    qc, now = ctx.store.quality, ctx.clock.now()
    with ctx.store.transaction():
        qc.put_items(flow_name, "gold", checked, now)
        current = qc.config(flow_name) or {"gold_rate": None, "pass_threshold": None}
        if gold_rate is not None and not qc.item_counts(flow_name).get("gold"):
            raise bad(f'flow definition {flow_name!r} has no gold items: send "items" with the rate')
        qc.set_config(flow_name, gold_rate=gold_rate if gold_rate is not None else current["gold_rate"],
                      pass_threshold=current["pass_threshold"], now=now)
    return describe(ctx, flow_name)


def set_qualification(ctx: ServiceContext, flow_name: str, items: Any, threshold: Any) -> dict[str, Any]:
    """Replace the qualification set of a flow definition (workers who already passed stay passed)."""
    flow = flow_record(ctx, flow_name)
    checked = check_items(ctx, flow, items)
    if len(checked) > 100:
        raise bad(f"a qualification set has at most 100 items, not {len(checked)}")
    needed = _number(threshold, "threshold", 0.0, 1.0, "0.8 (80 % of the items right)")
    qc, now = ctx.store.quality, ctx.clock.now()
    with ctx.store.transaction():
        current = qc.config(flow_name) or {"gold_rate": None}
        qc.drop_items(flow_name, "qualification")
        qc.put_items(flow_name, "qualification", checked, now)
        qc.set_config(flow_name, gold_rate=current["gold_rate"], pass_threshold=needed, now=now)
    return describe(ctx, flow_name)


def remove(ctx: ServiceContext, flow_name: str) -> dict[str, Any]:
    """Stop quality control of a flow definition (items and scores stay for the record)."""
    with ctx.store.transaction():
        gone = ctx.store.quality.drop_config(flow_name)
    if not gone:
        raise WorkforceError(404, "NotFound", f"flow definition {flow_name!r} has no quality control to remove")
    return {"flowDefinitionName": flow_name, "removed": True}


def describe(ctx: ServiceContext, flow_name: str) -> dict[str, Any]:
    """The settings of one flow definition (counts, never the known answers)."""
    qc = ctx.store.quality
    counts = qc.item_counts(flow_name)
    config = qc.config(flow_name) or {"gold_rate": None, "pass_threshold": None}
    return {"flowDefinitionName": flow_name, "goldRate": config["gold_rate"], "goldItems": counts.get("gold", 0),
            "qualificationThreshold": config["pass_threshold"],
            "qualificationItems": counts.get("qualification", 0) if config["pass_threshold"] is not None else 0}


def reset_qualification(ctx: ServiceContext, flow_name: str, worker_id: str) -> dict[str, Any]:
    """Let a worker take a flow's qualification again (its earlier qualification tasks are dropped)."""
    from a2i_kit.service.workforce import get_worker

    flow_record(ctx, flow_name)
    get_worker(ctx, worker_id)
    qc = ctx.store.quality
    with ctx.store.transaction():
        qc.drop_tasks(flow_name, worker_id, "qualification")
        state = qc.state(flow_name, worker_id)
        qc.put_state({**state, "qualification": "none", "doc": {}})
    return {"flowDefinitionName": flow_name, "workerId": worker_id, "qualification": "none"}
