"""Where the loops of a flow definition stand, from paginated ListHumanLoops (never a describe per loop).

Example:
    >>> summary = status_summary(session.runtime, flow_arn)          # doctest: +SKIP
    >>> summary.to_dict()                                            # doctest: +SKIP
    {'InProgress': 120, 'Completed': 30, 'Failed': 0, 'Stopping': 0, 'Stopped': 0}
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

import pandas as pd

from a2i_kit.launch.retry import RetryPolicy, call_with_retry

STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
FINISHED = frozenset({"Completed", "Failed", "Stopped"})
LOOP_COLUMNS = ["loop_name", "status", "creation_time", "failure_reason", "flow_definition_arn"]


def iter_loops(runtime: Any, flow_definition_arn: str, *, created_after: datetime | str | None = None,
               created_before: datetime | str | None = None,
               retry: RetryPolicy | None = None) -> Iterator[dict[str, Any]]:
    """Every HumanLoopSummary of a flow definition, 100 per ListHumanLoops page, retried."""
    retry, rng = retry or RetryPolicy(), random.Random()
    kwargs: dict[str, Any] = {"FlowDefinitionArn": flow_definition_arn, "MaxResults": 100,
                              "SortOrder": "Ascending"}
    if created_after is not None:
        kwargs["CreationTimeAfter"] = created_after
    if created_before is not None:
        kwargs["CreationTimeBefore"] = created_before
    while True:
        page, _ = call_with_retry(partial(runtime.list_human_loops, **kwargs), retry, rng)
        yield from page.get("HumanLoopSummaries", [])
        token = page.get("NextToken")
        if not token:
            return
        kwargs["NextToken"] = token


def list_loops(runtime: Any, flow_definition_arns: str | Iterable[str], **filters: Any) -> pd.DataFrame:
    """One row per loop: loop_name, status, creation_time, failure_reason, flow_definition_arn."""
    arns = [flow_definition_arns] if isinstance(flow_definition_arns, str) else list(flow_definition_arns)
    rows = [{"loop_name": s.get("HumanLoopName"), "status": s.get("HumanLoopStatus"),
             "creation_time": s.get("CreationTime"), "failure_reason": s.get("FailureReason"),
             "flow_definition_arn": s.get("FlowDefinitionArn", arn)}
            for arn in arns for s in iter_loops(runtime, arn, **filters)]
    return pd.DataFrame(rows, columns=LOOP_COLUMNS)


def status_summary(runtime: Any, flow_definition_arns: str | Iterable[str], *,
                   names: Iterable[str] | None = None, **filters: Any) -> pd.Series:
    """Count of loops per status (all five statuses, zeros included); ``names`` narrows the count."""
    loops = list_loops(runtime, flow_definition_arns, **filters)
    if names is not None:
        loops = loops[loops["loop_name"].isin(set(names))]
    counts = loops["status"].value_counts()
    return pd.Series({s: int(counts.get(s, 0)) for s in STATUSES}, name="loops", dtype="int64")
