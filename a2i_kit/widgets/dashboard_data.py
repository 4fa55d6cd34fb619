"""Data behind :class:`~a2i_kit.widgets.ReviewDashboard`: status counts, agreement, chart PNGs, export.

Example:
    >>> status_counts(pd.DataFrame({"status": ["Completed", "InProgress", "Completed"]}))
    {'InProgress': 1, 'Completed': 2, 'Failed': 0, 'Stopping': 0, 'Stopped': 0, 'total': 3}
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from a2i_kit.client.statuses import STATUSES
from a2i_kit.errors import InputError

if TYPE_CHECKING:
    from a2i_kit.session import Session

EXPORT_FORMATS = ("csv", "parquet")


def status_counts(statuses: pd.DataFrame) -> dict[str, int]:
    """Loops per A2I status (every status present, plus ``total``)."""
    counts = statuses["status"].value_counts() if len(statuses) else pd.Series(dtype=int)
    out = {s: int(counts.get(s, 0)) for s in STATUSES}
    out["total"] = len(statuses)
    return out


def model_column(joined: pd.DataFrame, label_col: str) -> str:
    """Where the model's label ended up after joining answers (which have their own ``label``)."""
    for name in (f"{label_col}_pred", label_col):
        if name in joined.columns and name != "label":
            return name
    if label_col == "label" and "label_pred" not in joined.columns:
        raise InputError("predictions' label column collides with the answers' 'label'; "
                         "pass label_col= naming the model's label column")
    raise InputError(f"predictions have no column {label_col!r}; pass label_col=<model label column>")


def worker_names(session: Session) -> dict[str, str]:
    """``{workerId: name}`` of the embedded service's workers ({} on AWS, where ``workerId`` is
    opaque: pass ``worker_names=`` to the dashboard to show names there)."""
    from a2i_kit.review.client import AdminClient

    if not session.endpoint_url or not session.admin_token:
        return {}
    with AdminClient.of(session) as admin:
        return {w["workerId"]: w["name"] for w in admin.workers() if w.get("name")}


def named(answers: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``answers`` with ``worker`` replaced by the worker's name where one is known."""
    if not names or "worker" not in answers:
        return answers
    return answers.assign(worker=answers["worker"].map(names).fillna(answers["worker"]))


def agreement(joined: pd.DataFrame, label_col: str) -> dict[str, Any]:
    """Model-vs-reviewer agreement over answered items: n, agreed, agreement, override_rate,
    kappa (None when undefined), ``interval`` (the count and 95 % interval of the agreement) and
    ``note`` (why a value is undefined, else ""). Labels compare as text, so a model's ``1.0``
    agrees with a reviewer's ``"1"`` (``labels_as_str=True``)."""
    from a2i_kit.analytics import agreement_summary
    from a2i_kit.analytics.intervals import count_text

    rows = joined.dropna(subset=["label"])
    if rows.empty:
        return {}
    model = model_column(rows, label_col)
    summary = agreement_summary(model=rows[model], human=rows["label"], labels_as_str=True)
    out: dict[str, Any] = {k: (None if pd.isna(v) else round(float(v), 4))
                           for k, v in summary.drop("note").items()}  # fmt: skip
    out["note"] = str(summary["note"])
    agreed = round(float(summary["agreement"]) * len(rows)) if len(rows) else 0  # a share of n
    out["agreed"] = agreed
    out["interval"] = count_text(agreed, len(rows))
    return out


def png(draw: Callable[[Any], Any], size: tuple[float, float] = (5.0, 3.6)) -> str:
    """Run ``draw(ax)`` on a fresh Agg figure and return it as a ``data:image/png;base64`` URI."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=90)
    ax = figure.subplots()
    draw(ax)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(answers: pd.DataFrame, joined: pd.DataFrame | None, label_col: str,
           score_col: str | None) -> list[dict[str, str]]:
    """The key charts from :mod:`a2i_kit.charts` for what is known so far, as PNG data URIs."""
    from a2i_kit import analytics
    from a2i_kit import charts as ch

    out: list[dict[str, str]] = []
    answered = joined.dropna(subset=["label"]) if joined is not None else None
    if answered is not None and len(answered):
        model = model_column(answered, label_col)
        human, predicted = answered["label"], answered[model]
        matrix = analytics.confusion_matrix(model=predicted, human=human, labels_as_str=True)
        out.append({"name": "confusion_matrix", "title": "Confusion matrix",
                    "src": png(lambda ax: ch.confusion_matrix(matrix, ax=ax))})
        score = f"{score_col}_pred" if score_col and f"{score_col}_pred" in answered else score_col
        if score and score in answered:
            table = analytics.override_by_confidence(
                model=predicted, human=human, confidence=answered[score].astype(float),
                labels_as_str=True)
            out.append({"name": "override_by_confidence", "title": "Override rate by confidence",
                        "src": png(lambda ax: ch.override_by_confidence(table, ax=ax))})
    if len(answers) and answers["time_spent_seconds"].notna().any():
        out.append({"name": "reviewer_time", "title": "Time per task by reviewer",
                    "src": png(lambda ax: ch.reviewer_time(answers, ax=ax), (6.0, 3.6))})
    return out


def export_frames(frames: dict[str, pd.DataFrame], folder: str | Path, fmt: str) -> list[str]:
    """Write each frame as ``<folder>/<name>.<fmt>``; returns the paths."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
    target = Path(folder).expanduser()
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        path = target / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            try:
                frame.to_parquet(path, index=False)
            except ImportError as exc:
                raise InputError("Parquet export needs pyarrow: pip install pyarrow, or export CSV") from exc
        paths.append(str(path))
    return paths


def csv_payload(frame: pd.DataFrame, name: str) -> dict[str, str]:
    """A frame as a base64 CSV the browser can offer as a download."""
    data = frame.to_csv(index=False).encode("utf-8")
    return {"filename": f"{name}.csv", "mime": "text/csv", "base64": base64.b64encode(data).decode("ascii")}
