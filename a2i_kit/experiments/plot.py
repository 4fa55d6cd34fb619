"""Charts of a close-the-loop run: test accuracy per round, and how much of the pool was reviewed.

Each helper takes ``ax=None`` and returns the Axes; the plotted numbers are the frame's numbers
(tests compare ``ax.lines[i].get_ydata()`` with the frame).

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"round": [0, 0, 1, 1], "strategy": ["least_confident", "random"] * 2,
    ...                       "test_accuracy": [0.6, 0.6, 0.8, 0.7], "review_share": [0, 0, 0.1, 0.1],
    ...                       "cumulative_share": [0, 0, 0.1, 0.1], "reviewed": [0, 0, 5, 5]})
    >>> ax = plot_accuracy(frame, n_test=100)
    >>> [line.get_ydata().tolist() for line in ax.lines]
    [[0.6, 0.8], [0.6, 0.7]]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from a2i_kit.errors import InputError

STYLE = {
    "least_confident": {"color": "#1f77b4", "marker": "o", "linestyle": "-",
                        "label": "least confident first (routed by confidence)"},
    "random": {"color": "#ff7f0e", "marker": "s", "linestyle": "--",
               "label": "random items (same number, same reviewers)"},
}


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    return ax


def _series(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    missing = {"round", "strategy", column} - set(frame.columns)
    if missing:
        raise InputError(f"the rounds frame lacks {sorted(missing)}: pass run_rounds()'s result")
    return frame.pivot(index="round", columns="strategy", values=column).sort_index()


def plot_accuracy(frame: pd.DataFrame, *, n_test: int, ax: Any = None) -> Any:
    """Held-out test accuracy per round, one line per strategy (round 0 = the first model)."""
    ax = _axes(ax)
    table = _series(frame, "test_accuracy")
    for strategy in table.columns:
        ax.plot(table.index, table[strategy].to_numpy(), **STYLE.get(strategy, {"label": strategy}))
    ax.set_xticks(list(table.index))
    ax.set_xlabel("review round (0 = model trained on the first labelled items)")
    ax.set_ylabel("accuracy on the held-out test set")
    ax.set_title(f"Test accuracy per round ({n_test:,} test items)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_review_share(frame: pd.DataFrame, *, ax: Any = None) -> Any:
    """Share of the unlabelled pool sent to review: per round (bars) and in total (line).

    Both strategies review the same number of items, so one bar and one line stand for both.
    """
    ax = _axes(ax)
    first = frame["strategy"].iloc[0] if len(frame) else None
    one = frame[frame["strategy"] == first].sort_values("round")
    one = one[one["round"] > 0]
    if one.empty:
        raise InputError("the rounds frame has no review rounds (round >= 1) to chart")
    bars = ax.bar(one["round"], one["review_share"].to_numpy(), width=0.5, color="#9ecae1",
                  label="this round: reviewed / pool left")
    ax.plot(one["round"], one["cumulative_share"].to_numpy(), color="#08519c", marker="o",
            label="so far: reviewed / initial pool")
    ax.bar_label(bars, labels=[f"{n} items" for n in one["reviewed"]], label_type="center",
                 fontsize="x-small")
    top = float(max(one["cumulative_share"].max(), one["review_share"].max()))
    ax.set_ylim(0, top * 1.35 if top > 0 else 1)
    ax.set_xticks(list(one["round"]))
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel("review round")
    ax.set_ylabel("share of the unlabelled pool reviewed")
    ax.set_title("Review share per round (each strategy)")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_rounds(frame: pd.DataFrame, *, n_test: int, fig: Any = None) -> tuple[Any, Any]:
    """Both charts side by side; returns ``(accuracy_ax, share_ax)``."""
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(13, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    return plot_accuracy(frame, n_test=n_test, ax=left), plot_review_share(frame, ax=right)
