"""Where the loops of a flow definition stand, from paginated ListHumanLoops (never a describe per loop).

Example:
    >>> summary = status_summary(session, flow_arn)                  # doctest: +SKIP
    >>> summary.to_dict()                                            # doctest: +SKIP
    {'InProgress': 120, 'Completed': 30, 'Failed': 0, 'Stopping': 0, 'Stopped': 0}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from a2i_kit.client.paging import iter_human_loops
from a2i_kit.client.retry import RetryPolicy
from a2i_kit.client.sessions import as_session, require
from a2i_kit.client.statuses import STATUSES, TERMINAL

if TYPE_CHECKING:
    from a2i_kit.session import Session

__all__ = ["FINISHED", "LOOP_COLUMNS", "STATUSES", "iter_loops", "list_loops", "status_summary"]

FINISHED = TERMINAL
LOOP_COLUMNS = ["loop_name", "status", "creation_time", "failure_reason", "flow_definition_arn"]


def iter_loops(session: Session, flow_definition_arn: str, *,
               created_after: datetime | str | None = None, created_before: datetime | str | None = None,
               retry: RetryPolicy | None = None) -> Iterator[dict[str, Any]]:
    """Every HumanLoopSummary of a flow definition, 100 per ListHumanLoops page, retried.

    ``session`` is a :class:`~a2i_kit.session.Session` (older code's ``session.runtime`` works too).
    """
    runtime = require(as_session(session), "iter_loops", "runtime")
    return iter_human_loops(runtime, flow_definition_arn, created_after=created_after,
                            created_before=created_before, retry=retry)


def list_loops(session: Session, flow_definition_arns: str | Iterable[str], **filters: Any) -> pd.DataFrame:
    """One row per loop: loop_name, status, creation_time, failure_reason, flow_definition_arn."""
    session = as_session(session)
    require(session, "list_loops", "runtime")
    arns = [flow_definition_arns] if isinstance(flow_definition_arns, str) else list(flow_definition_arns)
    rows = [{"loop_name": s.get("HumanLoopName"), "status": s.get("HumanLoopStatus"),
             "creation_time": s.get("CreationTime"), "failure_reason": s.get("FailureReason"),
             "flow_definition_arn": s.get("FlowDefinitionArn", arn)}
            for arn in arns for s in iter_loops(session, arn, **filters)]
    return pd.DataFrame(rows, columns=LOOP_COLUMNS)


def status_summary(session: Session, flow_definition_arns: str | Iterable[str], *,
                   names: Iterable[str] | None = None, **filters: Any) -> pd.Series:
    """Count of loops per status (all five statuses, zeros included); ``names`` narrows the count."""
    session = as_session(session)
    require(session, "status_summary", "runtime")
    loops = list_loops(session, flow_definition_arns, **filters)
    if names is not None:
        loops = loops[loops["loop_name"].isin(set(names))]
    counts = loops["status"].value_counts()
    return pd.Series({s: int(counts.get(s, 0)) for s in STATUSES}, name="loops", dtype="int64")
