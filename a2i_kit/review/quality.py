"""Reviewer quality control from a notebook: gold tasks, a qualification set, worker accuracy.

Quality control is a feature of the embedded service (no A2I feature does this): gold tasks
with known answers are mixed into a job's tasks for each worker at a rate and never shown as
such; their answers never reach ``output.json``, ListHumanLoops or events. A qualification set
must be passed before a worker sees the job's real tasks.

An item is ``{"input": {...task input...}, "answer": {...known answerContent...}}`` plus
optional ``"paths"`` (the answer paths that must match, e.g. ``["sentiment.label"]``; default:
every leaf of the answer) and ``"itemId"``.

Example:
    >>> from a2i_kit.review import quality
    >>> gold = [{"input": {"text": "Love it"}, "answer": {"sentiment": {"label": "positive"}}}]
    >>> quality.add_gold_items(session, "reviews", gold, rate=0.1)                 # doctest: +SKIP
    {'flowDefinitionName': 'reviews', 'goldRate': 0.1, 'goldItems': 1, ...}
    >>> quality.worker_accuracy(session, "reviews")                                # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pandas as pd

from a2i_kit.errors import ConfigError, InputError
from a2i_kit.review.client import ADMIN_HEADER, _Http
from a2i_kit.session import Session

__all__ = ["add_gold_items", "quality_settings", "remove_quality_control", "reset_qualification",
           "set_qualification", "worker_accuracy"]

ACCURACY_COLUMNS = ["flow", "worker_id", "worker", "n_gold", "n_correct", "accuracy", "low", "high",
                    "qualification", "qualification_correct", "qualification_answered"]


def _http(session: Session) -> _Http:
    if not isinstance(session, Session):
        raise InputError(f"pass a Session from a2i_kit.connect() first, not {type(session).__name__}")
    if session.backend != "local" or not session.endpoint_url:
        raise ConfigError("reviewer quality control is a feature of the embedded service: use connect('local') "
                          "(or a Session pointing at `a2i-kit serve`)")
    if not session.admin_token:
        raise ConfigError("quality control needs the service's admin token: connect('local') in this process, "
                          "or give the Session admin_token= (the file <data_dir>/admin-token)")
    return _Http(session.endpoint_url, {ADMIN_HEADER: session.admin_token}, 60.0)


def _flow_path(flow: str, tail: str = "") -> str:
    if not isinstance(flow, str) or not flow:
        raise InputError("name the flow definition, e.g. 'reviews' (not its ARN)")
    name = flow.rsplit("flow-definition/", 1)[-1]  # an ARN works too
    return f"/_a2i/quality/flows/{quote(name, safe='')}{tail}"


def add_gold_items(session: Session, flow: str, items: list[dict[str, Any]] | None = None, *,
                   rate: float | None = None) -> dict[str, Any]:
    """Add gold items to a flow definition and/or set the gold rate (e.g. 0.1: one in every 10)."""
    body: dict[str, Any] = {}
    if items is not None:
        body["items"] = list(items)
    if rate is not None:
        body["rate"] = rate
    with _http(session) as http:
        return http.call("POST", _flow_path(flow, "/gold"), json=body)


def set_qualification(session: Session, flow: str, items: list[dict[str, Any]], *,
                      threshold: float = 0.8) -> dict[str, Any]:
    """Replace the qualification set: a worker must get ``threshold`` of ``items`` right first."""
    with _http(session) as http:
        return http.call("PUT", _flow_path(flow, "/qualification"),
                         json={"items": list(items), "threshold": threshold})


def quality_settings(session: Session, flow: str) -> dict[str, Any]:
    """Gold rate, item counts and qualification threshold of a flow definition."""
    with _http(session) as http:
        return http.call("GET", _flow_path(flow))


def remove_quality_control(session: Session, flow: str) -> dict[str, Any]:
    """Stop mixing gold tasks and requiring the qualification (scores stay)."""
    with _http(session) as http:
        return http.call("DELETE", _flow_path(flow))


def reset_qualification(session: Session, flow: str, worker_id: str) -> dict[str, Any]:
    """Let a worker take the qualification again (after training, or a bad item was fixed)."""
    with _http(session) as http:
        return http.call("POST", _flow_path(flow, f"/workers/{quote(worker_id, safe='')}/reset"))


def worker_accuracy(session: Session, flow: str | None = None) -> pd.DataFrame:
    """Live accuracy on gold tasks per (flow, worker) with its 95 % Wilson interval (``low``, ``high``).

    ``accuracy`` is NaN for a worker without gold answers yet; ``worker`` is the name people
    see. Columns: ``flow, worker_id, worker, n_gold, n_correct, accuracy, low, high,
    qualification, qualification_correct, qualification_answered``.
    """
    params = {"flow": flow.rsplit("flow-definition/", 1)[-1]} if flow else None
    with _http(session) as http:
        rows = http.call("GET", "/_a2i/quality/accuracy", params=params)["workers"]
    frame = pd.DataFrame([{
        "flow": r["flowDefinitionName"], "worker_id": r["workerId"], "worker": r["workerName"],
        "n_gold": r["goldAnswered"], "n_correct": r["goldCorrect"], "accuracy": r["accuracy"],
        "low": r["low"], "high": r["high"], "qualification": r["qualification"],
        "qualification_correct": r["qualificationCorrect"], "qualification_answered": r["qualificationAnswered"],
    } for r in rows], columns=ACCURACY_COLUMNS)
    return frame.astype({"accuracy": float, "low": float, "high": float})
