"""Results of one flow definition for an ``a2i_kit.connect()`` session, plus loop statuses.

Example:
    >>> res = Results.from_session(a2i_kit.connect(), "claims-review", item_key="item_id")  # doctest: +SKIP
    >>> res.sync().loops["status"].value_counts()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from a2i_kit.client.sessions import as_session
from a2i_kit.errors import ResultsError
from a2i_kit.results.keys import flow_prefix

if TYPE_CHECKING:
    from a2i_kit.session import Session

STATUS_COLUMNS = ["human_loop_name", "status", "creation_time", "failure_reason"]


def list_loop_statuses(session: Session, flow_definition_arn: str) -> pd.DataFrame:
    """Every loop of a flow definition (ListHumanLoops, all pages): name, status, creation time.

    :func:`a2i_kit.monitor.list_loops` with the column names of :attr:`Results.loops`.
    """
    from a2i_kit.monitor.status import list_loops

    frame = list_loops(session, flow_definition_arn).rename(columns={"loop_name": "human_loop_name"})
    frame = frame[STATUS_COLUMNS]
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


def results_for_session(cls: Any, session: Session, flow_definition_name: str, *,
                        with_statuses: bool = True, **options: Any) -> Any:  # fmt: skip
    """See :meth:`Results.from_session`.

    Outputs are read where the session says they are: the embedded service's mirror folder, or
    S3 through ``session.s3`` (AWS, or a local service that writes outputs to S3).
    """
    session = as_session(session)
    try:
        fd = session.sagemaker.describe_flow_definition(FlowDefinitionName=flow_definition_name)
    except Exception as exc:
        raise ResultsError(
            f"cannot describe flow definition {flow_definition_name!r} ({exc}); "
            "check the name with session.sagemaker.list_flow_definitions()"
        ) from exc
    prefix = flow_prefix(fd["OutputConfig"]["S3OutputPath"], flow_definition_name)
    mirror = session.mirror_dir if session.outputs_in_mirror else None
    if mirror is not None:
        mirror.mkdir(parents=True, exist_ok=True)
        res = cls.from_mirror(mirror, prefix, **options)
    elif session.s3 is not None:
        res = cls.from_s3(session.s3, prefix, **options)
    else:
        raise ResultsError("the session has no S3 client: connect with backend='aws' or pass "
                           "Results.from_s3(boto3.client('s3'), ...)")  # fmt: skip
    if with_statuses and session.runtime is not None:
        arn = fd["FlowDefinitionArn"]
        res.status_fetcher = lambda: list_loop_statuses(session, arn)
    return res
