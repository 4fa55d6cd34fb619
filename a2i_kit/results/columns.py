"""Column accumulators: rows go in as dicts, DataFrames come out once (cheap at 100k rows).

Example:
    >>> cols = Columns(["a"])
    >>> cols.add((1,), {"x.y": 2}); cols.add((3,), {})
    >>> cols.frame().to_dict("list")
    {'a': [1, 3], 'x.y': [2.0, nan]}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class Columns:
    """Fixed columns (always present) plus sparse extra columns (flattened fields)."""

    def __init__(self, fixed: list[str]) -> None:
        self.fixed = list(fixed)
        self._rows: list[tuple[Any, ...]] = []
        self._extra: dict[str, tuple[list[int], list[Any]]] = {}
        self.n = 0

    def add(self, fixed: tuple[Any, ...], extra: dict[str, Any]) -> None:
        """Append one row: ``fixed`` holds the fixed columns' values in order."""
        self._rows.append(fixed)
        i = self.n
        store = self._extra
        for col, value in extra.items():
            slot = store.get(col)
            if slot is None:
                slot = store[col] = ([], [])
            slot[0].append(i)
            slot[1].append(value)
        self.n = i + 1

    def frame(self) -> pd.DataFrame:
        """Build the DataFrame: fixed columns first, extra columns in first-seen order."""
        columns = list(zip(*self._rows, strict=True)) if self._rows else [()] * len(self.fixed)
        data: dict[str, Any] = {c: list(v) for c, v in zip(self.fixed, columns, strict=True)}
        for col, (idx, values) in self._extra.items():
            data[col] = _dense(idx, values, self.n)
        return pd.DataFrame(data, columns=[*self.fixed, *self._extra])


def _dense(idx: list[int], values: list[Any], n: int) -> Any:
    if len(idx) == n:
        return _series(values)
    if all(type(v) in (int, float) for v in values):
        arr = np.full(n, np.nan)
        arr[idx] = values
        return arr
    out = np.empty(n, dtype=object)
    for i, v in zip(idx, values, strict=True):
        out[i] = v
    return _series(list(out))


def _series(values: list[Any]) -> Any:
    # Lists/tuples must stay one object per cell: let pandas infer only from scalars.
    if values and isinstance(values[0], list | tuple | dict):
        return pd.Series(values, dtype=object)
    return values
