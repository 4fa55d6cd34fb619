"""Shared List* behaviour: creation-time filters, sort order, page size and keyset NextTokens.

Tokens name a position (creation time + name) and are bound to the filter that produced them,
so they stay valid across restarts and a token from another list is rejected.

Example:
    >>> list_filter({"CreationTimeAfter": 10, "SortOrder": "Ascending"}, "Descending")
    ('creation_time >= ?', [9.9995], True)
"""

from __future__ import annotations

from typing import Any

from a2i_kit.service.context import ServiceContext
from a2i_kit.service.protocol import ValidationException, parse_timestamp

# Times go out rounded to milliseconds; compare at that precision so a CreationTime read from a
# response and sent back as a filter selects the same resource.
HALF_MS = 0.0005


def list_filter(params: dict[str, Any], default_sort: str) -> tuple[str, list[Any], bool]:
    """(SQL condition, parameters, ascending) for CreationTimeAfter (≥) / CreationTimeBefore (<)."""
    clauses, values = [], []
    if params.get("CreationTimeAfter") is not None:
        clauses.append("creation_time >= ?")
        values.append(parse_timestamp(params["CreationTimeAfter"], "creationTimeAfter") - HALF_MS)
    if params.get("CreationTimeBefore") is not None:
        clauses.append("creation_time < ?")
        values.append(parse_timestamp(params["CreationTimeBefore"], "creationTimeBefore") - HALF_MS)
    ascending = (params.get("SortOrder") or default_sort) == "Ascending"
    return " AND ".join(clauses) or "1=1", values, ascending


def time_bounds(params: dict[str, Any]) -> dict[str, float | None]:
    """``after``/``before`` of ``list_filter`` (CreationTimeAfter ≥, CreationTimeBefore <)."""
    bounds: dict[str, float | None] = {"after": None, "before": None}
    if params.get("CreationTimeAfter") is not None:
        bounds["after"] = parse_timestamp(params["CreationTimeAfter"], "creationTimeAfter") - HALF_MS
    if params.get("CreationTimeBefore") is not None:
        bounds["before"] = parse_timestamp(params["CreationTimeBefore"], "creationTimeBefore") - HALF_MS
    return bounds


def page(ctx: ServiceContext, table: str, params: dict[str, Any], *,
         flow_arn: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``table`` rows as the List* operations define it (loops: of ``flow_arn``)."""
    condition, values, ascending = list_filter(params, ctx.config.default_sort_order)
    limit = params.get("MaxResults") or ctx.config.default_page_size
    scope_key = "|".join(map(str, (table, flow_arn or "", *values, condition, ascending)))
    try:
        return ctx.store.tables[table].page(**time_bounds(params), ascending=ascending,
                                            token=params.get("NextToken") or None, limit=int(limit),
                                            scope=scope_key, flow_arn=flow_arn)
    except (ValueError, TypeError, OverflowError):  # a forged or foreign token (store.PageToken.decode)
        raise ValidationException(
            "The NextToken is not valid for this request: pass the NextToken from the previous "
            "response of the same list call with the same filters, or omit it to start over.") from None
