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

from a2i_kit.charts._axes import ACCENT, GOOD, MODEL_COLOR, axes, need


def agreement_by_class(table: pd.DataFrame, ax: Any = None) -> Any:
    """Horizontal bars of agreement per class (``analytics.agreement_by_class``), n annotated."""
    need(table, ["n", "agreement"], "analytics.agreement_by_class")
    ax = axes(ax, (6.0, 0.5 + 0.4 * max(len(table), 2)))
    labels = [str(v) for v in table.index]
    y = np.arange(len(table))
    ax.barh(y, table["agreement"].to_numpy(), color=MODEL_COLOR, label="agreement")
    for yi, (n, a) in enumerate(zip(table["n"], table["agreement"], strict=True)):
        ax.text(min(a, 1.0) + 0.01, yi, f"n={int(n)}", va="center", fontsize=8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("agreement with reviewers")
    ax.set_ylabel(str(table.index.name or "class"))
    ax.set_title("Model–human agreement by class")
    ax.legend(loc="lower right")
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
    """Override rate per confidence bin (``analytics.override_by_confidence``) as bars."""
    need(table, ["bin_left", "bin_right", "n", "override_rate"], "analytics.override_by_confidence")
    ax = axes(ax)
    shown = table[table["n"] > 0]
    width = (shown["bin_right"] - shown["bin_left"]).to_numpy()
    ax.bar(shown["bin_left"].to_numpy(), shown["override_rate"].to_numpy(), width=width * 0.9,
           align="edge", color=ACCENT, label="override rate")  # fmt: skip
    ax.set_xlabel("model confidence")
    ax.set_ylabel("share of items the reviewer changed")
    ax.set_ylim(0, max(1e-9, float(shown["override_rate"].max() if len(shown) else 0)) * 1.15 or 1)
    ax.set_title("Override rate by model confidence")
    ax.legend(loc="upper right")
    return ax


def reliability_diagram(table: pd.DataFrame, ax: Any = None, *, ece: float | None = None) -> Any:
    """Accuracy vs mean confidence per bin (``analytics.reliability``) against the diagonal."""
    need(table, ["mean_confidence", "accuracy", "n"], "analytics.reliability")
    ax = axes(ax, (5.0, 5.0))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(table["mean_confidence"].to_numpy(), table["accuracy"].to_numpy(), marker="o",
            color=GOOD, label="model")  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean confidence in bin")
    ax.set_ylabel("accuracy (human label = model label)")
    title = "Reliability diagram"
    ax.set_title(title if ece is None else f"{title} (ECE = {ece:.3f})")
    ax.legend(loc="upper left")
    return ax
