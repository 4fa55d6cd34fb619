"""Results of one flow definition for an ``a2i_kit.connect()`` session, plus loop statuses.

Example:
    >>> res = Results.from_session(a2i_kit.connect(), "claims-review", item_key="item_id")  # doctest: +SKIP
    >>> res.sync().loops["status"].value_counts()  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from a2i_kit.client.paging import iter_human_loops
from a2i_kit.errors import ResultsError
from a2i_kit.results.keys import flow_prefix
from a2i_kit.results.s3source import service_s3_client


def list_loop_statuses(runtime: Any, flow_definition_arn: str) -> pd.DataFrame:
    """Every loop of a flow definition (ListHumanLoops, all pages): name, status, creation time."""
    rows = [
        {"human_loop_name": s["HumanLoopName"], "status": s["HumanLoopStatus"],
         "creation_time": s.get("CreationTime"), "failure_reason": s.get("FailureReason")}
        for s in iter_human_loops(runtime, flow_definition_arn, sort_order=None)
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["human_loop_name", "status", "creation_time", "failure_reason"]
    )
    frame["creation_time"] = pd.to_datetime(frame["creation_time"], utc=True)
    return frame


def merge_statuses(loops: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """Loops with outputs keep their rows; loops without output (in progress, failed, stopped) are
    appended with the listed status so backlog analytics can see them."""
    if statuses.empty:
        return loops
    status = statuses.set_index("human_loop_name")["status"]
    out = loops.copy()
    listed = out["human_loop_name"].map(status)
    out["status"] = listed.where(listed.notna(), out["status"])
    missing = statuses[~statuses["human_loop_name"].isin(out["human_loop_name"])]
    if missing.empty:
        return out
    return pd.concat([out, missing.drop(columns="failure_reason")], ignore_index=True)


def _mirror_dir(session: Any) -> Path | None:
    service = getattr(session, "service", None)
    config = getattr(getattr(service, "context", None), "config", None)
    if config is not None:
        return None if config.output_mode == "s3" else Path(config.mirror_dir)
    data_dir = getattr(session, "data_dir", None)
    return Path(data_dir) / "s3" if data_dir else None


def results_for_session(cls: Any, session: Any, flow_definition_name: str, *,
                        with_statuses: bool = True, **options: Any) -> Any:  # fmt: skip
    """See :meth:`Results.from_session`."""
    try:
        fd = session.sagemaker.describe_flow_definition(FlowDefinitionName=flow_definition_name)
    except Exception as exc:
        raise ResultsError(
            f"cannot describe flow definition {flow_definition_name!r} ({exc}); "
            "check the name with session.sagemaker.list_flow_definitions()"
        ) from exc
    prefix = flow_prefix(fd["OutputConfig"]["S3OutputPath"], flow_definition_name)
    mirror = _mirror_dir(session) if getattr(session, "backend", "local") != "aws" else None
    if mirror is not None:
        mirror.mkdir(parents=True, exist_ok=True)
        res = cls.from_mirror(mirror, prefix, **options)
    else:
        s3 = getattr(session, "s3", None) or service_s3_client(session)
        if s3 is None:
            raise ResultsError("the session has no S3 client: connect with backend='aws' or pass "
                               "Results.from_s3(boto3.client('s3'), ...)")  # fmt: skip
        res = cls.from_s3(s3, prefix, **options)
    if with_statuses and getattr(session, "runtime", None) is not None:
        arn = fd["FlowDefinitionArn"]
        res.status_fetcher = lambda: list_loop_statuses(session.runtime, arn)
    return res
