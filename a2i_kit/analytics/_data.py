"""Small input helpers shared by the analytics modules.

Example:
    >>> a, b = paired([1, None, "x"], ["1", "y", "x"])
    >>> list(a), list(b)
    ([1, 'x'], ['1', 'x'])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.errors import InputError

ANSWER_KEYS = ("task", "worker", "label")


def as_array(values: Any, name: str) -> np.ndarray:
    """A 1-D object/number array from a list, Series or array."""
    arr = (
        values.to_numpy()
        if isinstance(values, pd.Series | pd.Index)
        else np.asarray(values, dtype=object)
    )
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def paired(
    a: Any, b: Any, names: tuple[str, str] = ("model", "human")
) -> tuple[np.ndarray, np.ndarray]:
    """Two equally long arrays with the rows where either side is missing dropped."""
    x, y = as_array(a, names[0]), as_array(b, names[1])
    if len(x) != len(y):
        raise InputError(
            f"{names[0]} has {len(x)} values but {names[1]} has {len(y)}: pass aligned columns"
        )
    keep = ~(pd.isna(x) | pd.isna(y))
    return x[keep], y[keep]


def floats(values: Any, name: str) -> np.ndarray:
    """A float array; NaN or non-numbers raise InputError naming the first bad position."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers ({exc})") from exc
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InputError(f"{name}[{bad[0]}] is {arr[bad[0]]}: drop or fill missing values first")
    return arr


def answers_frame(answers: pd.DataFrame) -> pd.DataFrame:
    """``task``, ``worker``, ``label`` columns (crowd-kit's contract) with empty labels dropped."""
    if not isinstance(answers, pd.DataFrame):
        raise InputError("answers must be a DataFrame with columns task, worker, label")
    missing = [c for c in ANSWER_KEYS if c not in answers.columns]
    if missing:
        raise InputError(
            f"answers lack column(s) {missing}: use Results(...).answers or rename yours"
        )
    frame = answers.loc[:, list(ANSWER_KEYS)]
    return frame[frame["label"].notna()]
