"""Charts for the auto-accept threshold: coverage/risk curve and review volume/cost.

Example:
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from a2i_kit import analytics
    >>> ax = coverage_risk(analytics.coverage_risk([0.9, 0.6, 0.3], [True, False, True]))
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('coverage (share auto-accepted)', 'risk (error rate of auto-accepted)')
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.charts._axes import ACCENT, HUMAN_COLOR, MODEL_COLOR, axes, legend_outside, need


def coverage_risk(curve: pd.DataFrame, ax: Any = None, *, recommendation: Any = None,
                  target_error: float | None = None, label: str = "risk–coverage") -> Any:  # fmt: skip
    """Risk against coverage (``analytics.coverage_risk``); marks the recommended threshold
    (``analytics.recommend_threshold``) and the target error rate when given."""
    need(curve, ["coverage", "risk"], "analytics.coverage_risk")
    ax = axes(ax)
    c = curve.sort_values("coverage")
    ax.plot(c["coverage"].to_numpy(), c["risk"].to_numpy(), color=MODEL_COLOR, label=label)
    target = (
        target_error if target_error is not None else getattr(recommendation, "target_error", None)
    )
    if target is not None:
        ax.axhline(target, color="grey", linestyle="--", label=f"target error {target:.1%}")
    if recommendation is not None and not math.isnan(recommendation.threshold):
        ax.scatter([recommendation.coverage], [recommendation.risk_estimate], color=ACCENT, zorder=3,
                   label=f"recommended t = {recommendation.threshold:.3f}")  # fmt: skip
        ax.errorbar([recommendation.coverage], [recommendation.risk_estimate],
                    yerr=[[0], [recommendation.risk_upper - recommendation.risk_estimate]],
                    color=ACCENT, capsize=4)  # fmt: skip
    ax.set_xlim(0, 1.02)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("coverage (share auto-accepted)")
    ax.set_ylabel("risk (error rate of auto-accepted)")
    ax.set_title("Coverage vs risk")
    legend_outside(ax)
    return ax


def review_volume(volume: pd.DataFrame, ax: Any = None, *, recommendation: Any = None,
                  currency: str = "$") -> Any:  # fmt: skip
    """Items sent to review (left axis) and their cost against the threshold
    (``analytics.review_volume``); the recommended threshold as a vertical line.

    When the cost is a fixed price per item (the usual case) a second line would lie exactly on
    the first and hide it, so the cost is a second scale on the right instead; otherwise it is
    its own line on a twin axis.
    """
    need(volume, ["threshold", "n_review", "cost"], "analytics.review_volume")
    ax = axes(ax)
    t = volume["threshold"].to_numpy()
    n, spend = volume["n_review"].to_numpy(dtype=float), volume["cost"].to_numpy(dtype=float)
    (line,) = ax.plot(t, n, color=MODEL_COLOR, label="items reviewed")
    handles = [line]
    price = float(spend[n > 0][0] / n[n > 0][0]) if (n > 0).any() else 0.0
    if price > 0 and np.allclose(spend, n * price):
        right = ax.secondary_yaxis("right", functions=(lambda v: v * price, lambda v: v / price))
    else:
        right = ax.twinx()
        (cost,) = right.plot(t, spend, color=HUMAN_COLOR, linestyle=":", linewidth=2,
                             label=f"cost ({currency})")  # fmt: skip
        handles.append(cost)
    if recommendation is not None and not math.isnan(recommendation.threshold):
        handles.append(ax.axvline(recommendation.threshold, color=ACCENT, linestyle="--",
                                  label=f"recommended t = {recommendation.threshold:.3f}"))  # fmt: skip
    ax.set_xlabel("confidence threshold (auto-accept at or above)")
    ax.set_ylabel("items sent to review")
    right.set_ylabel(f"review cost ({currency})")
    ax.set_title("Review volume and cost by threshold")
    legend_outside(ax, handles, beside=right)
    return ax
