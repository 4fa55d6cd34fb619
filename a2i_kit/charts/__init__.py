"""matplotlib helpers for the analytics tables: each takes ``ax=None`` and returns the Axes.

Example:
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from a2i_kit import analytics, charts
    >>> ax = charts.confusion_matrix(analytics.confusion_matrix(model=["a", "a"], human=["a", "b"]))
    >>> ax.get_title()
    'Confusion matrix (reviewed items)'
"""

from __future__ import annotations

from a2i_kit.charts.agreement import (
    agreement_by_class,
    confusion_matrix,
    override_by_confidence,
    reliability_diagram,
)
from a2i_kit.charts.coverage import coverage_risk, review_volume
from a2i_kit.charts.reviewers import backlog, inter_annotator, reviewer_throughput, reviewer_time

__all__ = [
    "agreement_by_class",
    "backlog",
    "confusion_matrix",
    "coverage_risk",
    "inter_annotator",
    "override_by_confidence",
    "reliability_diagram",
    "review_volume",
    "reviewer_throughput",
    "reviewer_time",
]
