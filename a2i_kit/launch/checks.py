"""Everything checked before the first StartHumanLoop call: ids, names, inputs, classifiers.

``build_jobs`` turns a routed DataFrame into one :class:`Job` per item, or raises a single
InputError that names every failing item (up to 10) so nothing is launched from bad data.

Example:
    >>> import pandas as pd
    >>> jobs = build_jobs(pd.DataFrame({"item_id": ["a"], "text": ["hi"], "review": [True]}),
    ...                   flow_definition_arn="arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f")
    >>> jobs[0].name, jobs[0].input_content
    ('f-a-kbuc7atzj3cx', '{"item_id":"a","text":"hi"}')
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from a2i_kit.errors import InputError
from a2i_kit.launch.names import item_key, loop_name
from a2i_kit.launch.payload import input_content

CLASSIFIERS = ("FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent")
PII_FREE = "FreeOfPersonallyIdentifiableInformation"
ROUTING_COLUMNS = ("review", "reason", "audit")
MAX_REPORTED = 10

DataAttributes = dict[str, Any] | Sequence[str] | None


@dataclass(frozen=True)
class Job:
    """One loop to start: item, deterministic name, input JSON and its digest."""

    item_id: Any
    key: str
    name: str
    input_content: str
    input_sha: str
    data_attributes: dict[str, Any] | None


def normalize_data_attributes(value: DataAttributes, *, public_crowd: bool | None,
                              item: str) -> dict[str, Any] | None:
    """``["FreeOf..."]`` or ``{"ContentClassifiers": [...]}`` -> checked DataAttributes."""
    if value is None:
        classifiers: list[str] = []
        attrs = None
    else:
        attrs = {"ContentClassifiers": list(value)} if not isinstance(value, dict) else dict(value)
        classifiers = attrs.get("ContentClassifiers", [])
        unknown = sorted(set(attrs) - {"ContentClassifiers"})
        if unknown or not isinstance(classifiers, list):
            raise InputError(f"item {item!r}: DataAttributes must be {{'ContentClassifiers': [...]}}, "
                             f"got keys {sorted(attrs)}")
        bad = [c for c in classifiers if c not in CLASSIFIERS]
        if bad:
            raise InputError(f"item {item!r}: unknown content classifier(s) {bad}; use "
                             f"{list(CLASSIFIERS)} (exact spelling)")
    if public_crowd and PII_FREE not in classifiers:
        raise InputError(
            f"item {item!r}: the flow definition's workteam is the public crowd (Mechanical Turk), "
            f"which only receives tasks declared {PII_FREE!r}. Pass data_attributes=[{PII_FREE!r}] "
            "if the data holds no personal information, or use a private workteam.")
    return attrs


def row_inputs(df: pd.DataFrame, input_cols: Sequence[str] | None) -> list[dict[str, Any]]:
    """One dict per row: ``input_cols`` (default: every column but review/reason/audit)."""
    cols = list(input_cols) if input_cols is not None else [
        c for c in df.columns if c not in ROUTING_COLUMNS]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"input column(s) {missing} not found; available: {list(map(str, df.columns))}")
    return df[cols].to_dict("records")


def build_jobs(df: pd.DataFrame, *, flow_definition_arn: str, id_col: str = "item_id",
               input_cols: Sequence[str] | None = None,
               input_fn: Callable[[dict[str, Any]], Any] | None = None,
               data_attributes: DataAttributes | Callable[[dict[str, Any]], DataAttributes] = None,
               public_crowd: bool | None = None, name_prefix: str | None = None) -> list[Job]:
    """Check every row and build its Job; raises one InputError naming all failing items."""
    if id_col not in df.columns:
        raise InputError(f"id column {id_col!r} not found; available: {list(map(str, df.columns))}")
    if input_fn is not None and input_cols is not None:
        raise InputError("pass input_cols= or input_fn=, not both")
    rows = df.to_dict("records")
    if input_fn is not None:
        inputs = [input_fn(dict(r)) for r in rows]
    elif input_cols is None:  # every column but the routing ones: cut from the rows already built
        inputs = [{k: v for k, v in r.items() if k not in ROUTING_COLUMNS} for r in rows]
    else:
        inputs = row_inputs(df, input_cols)
    jobs: list[Job] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row, payload in zip(rows, inputs, strict=True):
        raw = row[id_col]
        key = item_key(raw)
        try:
            if raw is None or (isinstance(raw, float) and raw != raw):
                raise InputError(f"a row has an empty {id_col!r}; every item needs an id")
            if key in seen:
                raise InputError(f"item {key!r}: duplicate item id (also at row {seen[key]}); item ids "
                                 "must be unique because loop names derive from them")
            seen[key] = len(seen)
            text = input_content(payload, item=key)
            attrs = data_attributes(dict(row)) if callable(data_attributes) else data_attributes
            attrs = normalize_data_attributes(attrs, public_crowd=public_crowd, item=key)
        except InputError as exc:
            problems.append(str(exc))
            continue
        jobs.append(Job(raw, key, loop_name(flow_definition_arn, key, prefix=name_prefix), text,
                        hashlib.sha256(text.encode()).hexdigest(), attrs))
    if problems:
        more = f"\n... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        error = InputError(f"{len(problems)} item(s) cannot be launched; nothing was started:\n"
                           + "\n".join(problems[:MAX_REPORTED]) + more)
        error.problems = problems  # type: ignore[attr-defined]
        raise error
    return jobs
