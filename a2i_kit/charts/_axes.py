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
