"""Helpers for :class:`~a2i_kit.widgets.LoopLauncher`: flow definitions and the ledger split.

Example:
    >>> flow_label({"name": "reviews", "status": "Active"})
    'reviews (Active)'
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

import pandas as pd

from a2i_kit.client.arns import flow_definition_name
from a2i_kit.client.errors import error_code
from a2i_kit.client.paging import iter_flow_definitions
from a2i_kit.client.sessions import as_session, require
from a2i_kit.errors import InputError

if TYPE_CHECKING:
    from a2i_kit.session import Session


def flow_label(flow: dict[str, Any]) -> str:
    return f"{flow['name']} ({flow['status']})"


def flow_choices(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """Flow definitions, newest first: ``[{name, arn, status}]`` (Active ones only)."""
    sagemaker = require(as_session(session), "flow_choices", "sagemaker")
    active = ({"name": item["FlowDefinitionName"], "arn": item["FlowDefinitionArn"],
               "status": item["FlowDefinitionStatus"]}
              for item in iter_flow_definitions(sagemaker, SortOrder="Descending")
              if item.get("FlowDefinitionStatus") == "Active")
    return list(islice(active, limit))


def resolve_flow(session: Session, name_or_arn: str) -> str:
    """The ARN of a flow definition given by name or ARN (InputError when it does not exist)."""
    name = flow_definition_name(name_or_arn)
    try:
        found = require(as_session(session), "resolve_flow", "sagemaker").describe_flow_definition(
            FlowDefinitionName=name)
    except Exception as exc:
        if error_code(exc) in ("ResourceNotFound", "ResourceNotFoundException", "ValidationException"):
            raise InputError(f"flow definition {name!r} not found; create it first or pick one of "
                             "the listed flow definitions") from exc
        raise
    if found.get("FlowDefinitionStatus") != "Active":
        raise InputError(f"flow definition {name!r} is {found.get('FlowDefinitionStatus')}, not Active; "
                         "wait for it or pick another")
    return found["FlowDefinitionArn"]


def ledger_split(ledger: Any, flow_arn: str, to_review: pd.DataFrame, id_col: str) -> dict[str, int]:
    """How many of the items to review this ledger already launched for ``flow_arn``, and how many are new."""
    from a2i_kit.launch.names import item_key

    total = len(to_review)
    if not flow_arn or total == 0:
        return {"already": 0, "new": total, "ledger_total": 0}
    rows = ledger.rows(flow_arn)
    started = {key for key, row in rows.items() if row["status"] == "started"}
    already = sum(1 for raw in to_review[id_col] if item_key(raw) in started)
    return {"already": already, "new": total - already, "ledger_total": len(started)}


def paid_launch(session: Session, flow_arn: str, dry_cost_per_item: float) -> dict[str, Any]:
    """``{}`` when loops cost nothing (the embedded service), else ``{per_loop, why}`` in USD.

    On AWS each loop costs A2I's per-object price, plus ``PublicWorkforceTaskPrice`` × TaskCount
    when the flow definition uses the public workforce (read from the flow definition).
    """
    from a2i_kit.pricing import PRICES, amount_to_price

    if getattr(session, "backend", None) != "aws":
        return {}
    per_object = PRICES.a2i_per_object["custom"]
    why = f"A2I ${per_object:.2f} per object"
    per_loop = max(float(dry_cost_per_item or 0.0), per_object)
    if flow_arn:
        config = session.sagemaker.describe_flow_definition(
            FlowDefinitionName=flow_definition_name(flow_arn)).get("HumanLoopConfig", {})
        price = config.get("PublicWorkforceTaskPrice", {}).get("AmountInUsd")
        if price:
            task, count = amount_to_price(price), int(config.get("TaskCount", 1))
            per_loop = round(per_object + task * count, 6)
            why += f" + public workforce ${task:.3f} × {count} task(s)"
    return {"per_loop": per_loop, "why": f"{why} = ${per_loop:.3f} per loop, AWS list price"}
