"""Shared bits for the chart helpers: get an Axes, check a frame's columns.

Example:
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = axes(None, (4, 3)); type(ax).__name__
    'Axes'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from a2i_kit.errors import InputError

MODEL_COLOR = "#4C72B0"
HUMAN_COLOR = "#DD8452"
ACCENT = "#C44E52"
GOOD = "#55A868"


def axes(ax: Any, size: tuple[float, float] = (6.0, 4.0)) -> Any:
    """``ax`` itself, or a new figure's Axes when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def need(frame: pd.DataFrame, columns: list[str], producer: str) -> None:
    """Raise InputError when ``frame`` is not what ``producer`` returns."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a DataFrame from {producer}, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"the table lacks column(s) {missing}: pass the result of {producer}")


def legend_outside(ax: Any, handles: list[Any] | None = None, *, beside: Any = None,
                   **kwargs: Any) -> Any:
    """A legend to the right of ``ax`` (beyond ``beside``'s labels, e.g. a twin axis), where it
    cannot cover data; a layout engine (``layout="constrained"``, ``tight_layout``) makes room.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = axes(None); _ = ax.plot([0, 1], label="line")
    >>> legend_outside(ax).get_bbox_to_anchor() is not None
    True
    """
    from matplotlib.transforms import offset_copy

    points = 8.0 + (_right_extent_points(ax, beside) if beside is not None else 0.0)
    transform = offset_copy(ax.transAxes, fig=ax.figure, x=points, y=0.0, units="points")
    options = {"loc": "upper left", "borderaxespad": 0.0, "fontsize": "small", **kwargs}
    if handles is not None:
        options["handles"] = handles
    return ax.legend(bbox_to_anchor=(1.0, 1.0), bbox_transform=transform, **options)


def _right_extent_points(ax: Any, other: Any) -> float:
    """How far (in points) ``other``'s ticks and labels reach beyond ``ax``'s right edge."""
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    reach = other.get_tightbbox(renderer).x1 - ax.get_window_extent(renderer).x1
    return max(0.0, float(reach)) * 72.0 / figure.dpi


def short_name(value: Any, limit: int = 24) -> str:
    """A worker or class name for a tick label: whole when short, else cut with an ellipsis.

    >>> short_name("sim-reviewer-1"), short_name("x" * 30)[-3:]
    ('sim-reviewer-1', 'xx…')
    """
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
