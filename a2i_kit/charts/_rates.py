"""Rate-per-bin bars that never mislead: every bin drawn (empty ones say so), each bar with its
95 % interval and the count it stands on, the legend beside the axes.

Example:
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from a2i_kit.charts._axes import axes
    >>> ax = rate_bars(axes(None), np.array([0, .5]), np.array([.5, 1]), np.array([1, 0]),
    ...                np.array([1.0, np.nan]), color="red", label="override rate")
    >>> sorted(t.get_text() for t in ax.texts)
    ['n=1', 'no items']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from a2i_kit.analytics.intervals import spread, wilson_interval
from a2i_kit.charts._axes import legend_outside

EMPTY_COLOR = "#8c959f"


def rate_bars(ax: Any, left: np.ndarray, right: np.ndarray, n: np.ndarray, rate: np.ndarray, *,
              color: str, label: str) -> Any:
    """Bars of ``rate`` over bins ``[left, right)`` on ``ax``; the y axis is a share (0 to 1)."""
    filled = n > 0
    width = right - left
    bars = ax.bar(left[filled], rate[filled], width=width[filled] * 0.9, align="edge", color=color,
                  label=label)  # fmt: skip
    centre = left + width / 2
    low, high = wilson_interval(np.round(np.nan_to_num(rate) * n), n)
    shown = rate[filled]
    whisk = ax.errorbar(centre[filled] - width[filled] * 0.05, shown,
                        yerr=spread(shown, low[filled], high[filled]), fmt="none",
                        ecolor="black", elinewidth=1, capsize=3, label="95 % interval")  # fmt: skip
    for x, top, count in zip(centre[filled] - width[filled] * 0.05, high[filled], n[filled],
                             strict=True):  # fmt: skip
        ax.annotate(f"n={int(count)}", (x, top), textcoords="offset points", xytext=(0, 2),
                    ha="center", va="bottom", fontsize=7)  # fmt: skip
    for x in centre[~filled]:
        ax.text(x, 0.02, "no items", rotation=90, ha="center", va="bottom", fontsize=7,
                color=EMPTY_COLOR)  # fmt: skip
    edges = np.unique(np.concatenate([left, right]))
    ax.set_xticks(edges, [f"{e:g}" for e in edges], fontsize=8)
    ax.set_xlim(float(left.min()) if len(left) else 0.0, float(right.max()) if len(right) else 1.0)
    ax.set_ylim(0, 1.15)
    ax.set_yticks(np.linspace(0, 1, 6))
    legend_outside(ax, [bars, whisk])
    return ax
