"""Charts for model-vs-human agreement: by class, confusion matrix, by confidence, reliability.

Example:
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from a2i_kit import analytics
    >>> ax = agreement_by_class(analytics.agreement_by_class(model=["a", "b", "b"], human=["a", "a", "b"]))
    >>> ax.get_xlabel()
    'agreement with reviewers'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.analytics.intervals import spread, wilson_interval
from a2i_kit.charts._axes import ACCENT, GOOD, MODEL_COLOR, axes, legend_outside, need, short_name
from a2i_kit.charts._rates import rate_bars

LABEL_WORDS = {"model_label": "model's label", "human_label": "reviewer's label"}


def agreement_by_class(table: pd.DataFrame, ax: Any = None) -> Any:
    """Horizontal bars of agreement per class (``analytics.agreement_by_class``) with the 95 %
    Wilson interval and the item count of each class written beside it."""
    need(table, ["n", "agreement"], "analytics.agreement_by_class")
    ax = axes(ax, (6.5, 0.8 + 0.4 * max(len(table), 2)))
    y = np.arange(len(table))
    n = table["n"].to_numpy(dtype=float)
    rate = table["agreement"].to_numpy(dtype=float)
    low, high = wilson_interval(np.round(rate * n), n)
    bars = ax.barh(y, rate, color=MODEL_COLOR, label="agreement")
    whisk = ax.errorbar(rate, y, xerr=spread(rate, low, high), fmt="none", ecolor="black",
                        elinewidth=1, capsize=3, label="95 % interval")  # fmt: skip
    for yi, (count, top) in enumerate(zip(n, high, strict=True)):
        ax.text(top + 0.015, yi, f"n={int(count)}", va="center", fontsize=8)
    ax.set_yticks(y, [short_name(v) for v in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.2)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("agreement with reviewers")
    ax.set_ylabel(LABEL_WORDS.get(str(table.index.name), "class"))
    ax.set_title("Model–human agreement by class")
    legend_outside(ax, [bars, whisk])
    return ax


def confusion_matrix(matrix: pd.DataFrame, ax: Any = None, *, normalize: bool = False) -> Any:
    """Heat map of ``analytics.confusion_matrix`` (rows human, columns model), counts written in
    each cell; ``normalize=True`` colours by row share (recall per human label)."""
    counts = matrix.to_numpy(dtype=float)
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    ax = axes(ax, (1.5 + 0.6 * len(matrix.columns), 1.2 + 0.6 * len(matrix.index)))
    image = ax.imshow(shown, cmap="Blues", aspect="auto")
    top = shown.max() if shown.size else 0
    for (i, j), value in np.ndenumerate(counts):
        colour = "white" if shown[i, j] > top / 2 else "black"
        ax.text(j, i, f"{int(value)}", ha="center", va="center", color=colour, fontsize=8)
    ax.set_xticks(
        range(len(matrix.columns)), [str(c) for c in matrix.columns], rotation=45, ha="right"
    )
    ax.set_yticks(range(len(matrix.index)), [str(c) for c in matrix.index])
    ax.set_xlabel("model label")
    ax.set_ylabel("human label")
    ax.set_title("Confusion matrix (reviewed items)")
    ax.figure.colorbar(image, ax=ax, label="share of human label" if normalize else "items")
    return ax


def override_by_confidence(table: pd.DataFrame, ax: Any = None) -> Any:
    """Override rate per confidence bin (``analytics.override_by_confidence``): one bar per bin
    with its 95 % Wilson interval and item count; a bin without items says "no items"."""
    need(table, ["bin_left", "bin_right", "n", "override_rate"], "analytics.override_by_confidence")
    ax = axes(ax)
    rate_bars(ax, table["bin_left"].to_numpy(dtype=float), table["bin_right"].to_numpy(dtype=float),
              table["n"].to_numpy(dtype=float), table["override_rate"].to_numpy(dtype=float),
              color=ACCENT, label="override rate")  # fmt: skip
    ax.set_xlabel("model confidence")
    ax.set_ylabel("share of items the reviewer changed")
    ax.set_title("Override rate by model confidence")
    return ax


def reliability_diagram(table: pd.DataFrame, ax: Any = None, *, ece: float | None = None) -> Any:
    """Accuracy vs mean confidence per bin (``analytics.reliability``) against the diagonal."""
    need(table, ["mean_confidence", "accuracy", "n"], "analytics.reliability")
    ax = axes(ax, (5.0, 5.0))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    n = table["n"].to_numpy(dtype=float)
    x, acc = table["mean_confidence"].to_numpy(dtype=float), table["accuracy"].to_numpy(dtype=float)
    low, high = wilson_interval(np.round(acc * n), n)
    ax.errorbar(x, acc, yerr=spread(acc, low, high), marker="o", color=GOOD, capsize=3,
                label="model (95 % interval)")  # fmt: skip
    for xi, top, count in zip(x, high, n, strict=True):
        ax.annotate(f"n={int(count)}", (xi, top), textcoords="offset points", xytext=(0, 3),
                    ha="center", fontsize=7)  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("mean confidence in bin")
    ax.set_ylabel("accuracy (reviewer agrees with model)")
    title = "Reliability diagram"
    ax.set_title(title if ece is None else f"{title} (ECE = {ece:.3f})")
    legend_outside(ax)
    return ax
