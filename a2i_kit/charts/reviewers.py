"""Charts for reviewers: time per task, throughput per day, agreement with the consensus, backlog.

Example:
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> ax = reviewer_time(pd.DataFrame({"worker": ["a", "a", "b"], "time_spent_seconds": [10, 20, 30]}))
    >>> ax.get_ylabel()
    'active seconds per task'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.analytics.binning import grid
from a2i_kit.analytics.intervals import spread, wilson_interval
from a2i_kit.analytics.reviewers import seconds
from a2i_kit.charts._axes import ACCENT, GOOD, MODEL_COLOR, axes, legend_outside, need, short_name


def reviewer_time(answers: pd.DataFrame, ax: Any = None, *, top: int = 15) -> Any:
    """Box plot of active time per task (``time_spent_seconds``) for the ``top`` busiest workers."""
    need(answers, ["worker", "time_spent_seconds"], "Results.answers")
    ax = axes(ax, (7.0, 4.0))
    valid = answers.assign(time_spent_seconds=seconds(answers, "time_spent_seconds"))
    valid = valid.dropna(subset=["time_spent_seconds"])
    order = valid["worker"].value_counts().index[:top]
    data = [valid.loc[valid["worker"] == w, "time_spent_seconds"].to_numpy() for w in order]
    ax.boxplot(data, tick_labels=[short_name(w) for w in order], showfliers=False)
    ax.set_xlabel("worker (busiest first)")
    ax.set_ylabel("active seconds per task")
    ax.set_title("Time per task by reviewer")
    ax.tick_params(axis="x", rotation=45)
    return ax


def reviewer_throughput(table: pd.DataFrame, ax: Any = None) -> Any:
    """Stacked bars of answers per period and worker (``analytics.throughput``)."""
    ax = axes(ax, (7.0, 4.0))
    bottom = np.zeros(len(table))
    x = np.arange(len(table))
    for worker in table.columns:
        values = table[worker].to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, label=short_name(worker))
        bottom += values
    ax.set_xticks(x, [getattr(p, "strftime", str)("%m-%d") if hasattr(p, "strftime") else str(p)
                      for p in table.index], rotation=45)  # fmt: skip
    ax.set_xlabel("day (UTC)")
    ax.set_ylabel("answers submitted")
    ax.set_title("Reviewer throughput")
    legend_outside(ax, title="worker")
    return ax


def inter_annotator(table: pd.DataFrame, ax: Any = None, *, alpha: float | None = None,
                    kappa: float | None = None) -> Any:  # fmt: skip
    """Each worker's agreement with the consensus (``analytics.reviewer_agreement``); the title
    carries Krippendorff's α and Fleiss' κ when given."""
    need(table, ["n", "agreement"], "analytics.reviewer_agreement")
    ax = axes(ax, (7.0, 4.0))
    shown = table.sort_values("agreement", ascending=False)
    x = np.arange(len(shown))
    rate, n = shown["agreement"].to_numpy(dtype=float), shown["n"].to_numpy(dtype=float)
    low, high = wilson_interval(np.round(rate * n), n)
    ax.bar(x, rate, color=GOOD, label="agreement with consensus")
    ax.errorbar(x, rate, yerr=spread(rate, low, high), fmt="none", ecolor="black", elinewidth=1,
                capsize=3, label="95 % interval")  # fmt: skip
    for xi, top, count in zip(x, high, n, strict=True):
        ax.annotate(f"n={int(count)}", (xi, top), textcoords="offset points", xytext=(0, 2),
                    ha="center", va="bottom", fontsize=7)  # fmt: skip
    mean = float(np.average(shown["agreement"], weights=shown["n"])) if len(shown) else float("nan")
    ax.axhline(mean, color=ACCENT, linestyle="--", label=f"answer-weighted mean {mean:.2f}")
    ax.set_xticks(x, [short_name(w) for w in shown.index], rotation=45, ha="right")
    ax.set_ylim(0, 1.12)
    ax.set_xlabel("worker")
    ax.set_ylabel("agreement with consensus")
    parts = [_value("Krippendorff's α", alpha), _value("Fleiss' κ", kappa)]
    extra = ", ".join(p for p in parts if p)
    ax.set_title("Inter-annotator agreement" + (f"\n{extra}" if extra else ""))
    legend_outside(ax)
    return ax


def _value(name: str, value: float | None) -> str:
    """``"name = 0.123"``, ``"name undefined"`` for NaN, ``""`` when not given."""
    if value is None:
        return ""
    if np.isnan(value):
        return f"{name} undefined (NaN, see analytics.iaa_summary)"
    return f"{name} = {value:.3f}"


def backlog(table: pd.DataFrame, ax: Any = None, *, bins: int = 20) -> Any:
    """Histogram of open loops by share of the task lifetime used (``analytics.backlog``)."""
    need(table, ["lifetime_used"], "analytics.backlog")
    ax = axes(ax)
    ax.hist(table["lifetime_used"].to_numpy(), bins=grid(bins), color=MODEL_COLOR,
            label=f"open loops (n={len(table)})")  # fmt: skip
    ax.axvline(0.9, color=ACCENT, linestyle="--", label="90% of lifetime")
    ax.set_xlabel("share of task lifetime used")
    ax.set_ylabel("open loops")
    ax.set_title("Backlog age")
    if not len(table):
        ax.text(0.5, 0.5, "no open loops", transform=ax.transAxes, ha="center", color="grey")
    legend_outside(ax)
    return ax
