"""Small input helpers shared by the analytics modules: every bad input is an InputError that names
the column and the fix, never a quietly wrong number.

Example:
    >>> a, b = paired([1, None, 3], [1, 2, 4])
    >>> list(a), list(b)
    ([1, 3], [1, 4])
    >>> booleans([True, 0, 1], "correct").tolist()
    [True, False, True]
"""

from __future__ import annotations

import numbers
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


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Number | np.bool_) and not isinstance(v, str)


def label_kinds(arr: np.ndarray) -> dict[str, Any]:
    """``{"number": example, "text": example}`` for the kinds of (non-missing) labels present."""
    if arr.dtype.kind in "biuf":
        return {"number": arr[0].item()} if len(arr) else {}
    if arr.dtype.kind in "US":
        return {"text": arr[0].item()} if len(arr) else {}
    kinds: dict[str, Any] = {}
    for v in arr:
        kind = "text" if isinstance(v, str | bytes) else "number" if _is_number(v) else None
        if kind and kind not in kinds:
            kinds[kind] = v.item() if isinstance(v, np.generic) else v
            if len(kinds) == 2:
                break
    return kinds


def check_label_kinds(columns: dict[str, np.ndarray], hint: str) -> None:
    """Refuse numbers mixed with text (``1`` vs ``"1"`` would silently be two classes)."""
    found = {name: label_kinds(arr) for name, arr in columns.items()}
    for name, kinds in found.items():
        if len(kinds) == 2:
            raise InputError(
                f"{name} mixes numbers (e.g. {kinds['number']!r}) and text (e.g. "
                f"{kinds['text']!r}), which would count as different classes: convert the column "
                f"to one type{hint}"
            )
    numeric = [n for n, k in found.items() if "number" in k]
    text = [n for n, k in found.items() if "text" in k]
    if numeric and text:
        a, b = numeric[0], text[0]
        raise InputError(
            f"{a} labels are numbers (e.g. {found[a]['number']!r}) but {b} labels are text (e.g. "
            f"{found[b]['text']!r}), so no pair could ever agree: convert one side (e.g. "
            f"{b}.astype(int) or {a}.astype(str)){hint}"
        )


def label_text(v: Any) -> str:
    """The documented ``labels_as_str=True`` form: whole numbers as integers (``1.0`` → ``'1'``),
    other values as ``str(v)``."""
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def paired(a: Any, b: Any, names: tuple[str, str] = ("model", "human"), *,
           labels_as_str: bool = False) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Two equally long label arrays with the rows where either side is missing dropped; numbers
    mixed with text raise InputError unless ``labels_as_str=True`` (see :func:`label_text`)."""
    x, y = as_array(a, names[0]), as_array(b, names[1])
    if len(x) != len(y):
        raise InputError(
            f"{names[0]} has {len(x)} values but {names[1]} has {len(y)}: pass aligned columns"
        )
    keep = ~(pd.isna(x) | pd.isna(y))
    x, y = x[keep], y[keep]
    if labels_as_str:
        text = np.frompyfunc(label_text, 1, 1)
        return text(x).astype(object), text(y).astype(object)
    check_label_kinds(dict(zip(names, (x, y), strict=True)), ", or pass labels_as_str=True")
    return x, y


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


def probabilities(values: Any, name: str) -> np.ndarray:
    """Floats in [0, 1]; percentages (e.g. 95.0) raise InputError with the fix."""
    arr = floats(values, name)
    bad = np.flatnonzero((arr < 0) | (arr > 1))
    if bad.size:
        i = bad[0]
        hint = (
            f"they look like percentages: pass {name} / 100"
            if arr.min() >= 0 and arr.max() <= 100
            else "pass probabilities (e.g. a softmax output), not scores"
        )
        raise InputError(f"{name}[{i}] is {float(arr[i])!r}, outside [0, 1]: {hint}")
    return arr


def booleans(values: Any, name: str) -> np.ndarray:
    """A bool array from bools or 0/1; missing values (NaN, None, pd.NA) and anything else raise
    InputError naming the first bad position (NaN must never count as correct)."""
    arr = values.to_numpy() if isinstance(values, pd.Series | pd.Index) else np.asarray(values)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind in "iuf":
        bad = np.flatnonzero(~np.isin(arr, (0, 1)))
    else:
        bad = np.flatnonzero([not (isinstance(v, bool | np.bool_) or (_is_number(v) and v in (0, 1)))
                              for v in arr])  # fmt: skip
    if bad.size:
        i, v = bad[0], arr[bad[0]]
        v = v.item() if isinstance(v, np.generic) else v
        if pd.isna(v):
            raise InputError(
                f"{name}[{i}] is missing ({v!r}): {name} must be True/False for every item; drop "
                f"the unreviewed rows first (e.g. frame.dropna(subset=[...])), never fill them"
            )
        raise InputError(
            f"{name}[{i}] is {v!r} ({type(v).__name__}): pass booleans, e.g. "
            f"(model_label == human_label), not text or scores"
        )
    return arr.astype(bool)


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
    frame = frame[frame["label"].notna()]
    check_label_kinds({"answers['label']": frame["label"].to_numpy()}, "")
    return frame
