"""Read and check the prediction columns a policy needs, naming the offending item on failure.

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a", "b"], "p_cat": [0.9, 0.3], "p_dog": [0.1, 0.7]})
    >>> cols = read_predictions(df, id_col="id", proba_cols=["p_cat", "p_dog"])
    >>> cols.labels.tolist(), cols.confidence.tolist(), cols.margin.round(2).tolist()
    (['p_cat', 'p_dog'], [0.9, 0.7], [0.8, 0.4])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from a2i_kit.errors import InputError
from a2i_kit.routing.audit import hash_ids


@dataclass
class Predictions:
    """Aligned arrays: ids, their seeded hashes, label codes + names, confidence, top-2 margin."""

    ids: pd.Series
    hashes: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    confidence: np.ndarray
    margin: np.ndarray | None

    @property
    def labels(self) -> np.ndarray:
        return self.names[self.codes]


def _require(df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"column(s) {missing} not found in the predictions; available: "
                         f"{list(map(str, df.columns))}")


def _items(ids: pd.Series, positions: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(repr(ids.iloc[int(p)]) for p in positions[:limit])
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    return f"{shown}{more}"


def _check_ids(ids: pd.Series, id_col: str, hashes: np.ndarray) -> None:
    if ids.isna().any():
        bad = np.flatnonzero(ids.isna().to_numpy())
        raise InputError(f"column {id_col!r} is empty for the rows at positions "
                         f"{bad[:5].tolist()}; every prediction needs an item id")
    ordered = np.sort(hashes)
    if not (ordered[1:] == ordered[:-1]).any():
        return
    order = np.argsort(hashes, kind="stable")
    same = hashes[order][1:] == hashes[order][:-1]
    candidates = np.unique(np.concatenate([order[1:][same], order[:-1][same]]))
    text = ids.iloc[candidates].astype(str)
    dup = text.duplicated(keep=False).to_numpy()
    if dup.any():
        raise InputError(f"duplicate item id(s) in {id_col!r}: {_items(ids, candidates[dup])}; "
                         "item ids must be unique (loop names are derived from them)")


def _check_scores(values: np.ndarray, ids: pd.Series, column: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=-1) if values.ndim > 1 else bad)
        raise InputError(f"{column!r} is NaN or infinite for item(s) {_items(ids, rows)}; "
                         "drop or fill them before routing")
    out = (values < 0) | (values > 1)
    if out.any():
        rows = np.flatnonzero(out.any(axis=-1) if values.ndim > 1 else out)
        raise InputError(f"{column!r} is outside [0, 1] for item(s) {_items(ids, rows)}; "
                         "confidences are probabilities (divide percentages by 100)")


def read_predictions(df: pd.DataFrame, *, id_col: str, label_col: str | None = None,
                     score_col: str | None = None,
                     proba_cols: Sequence[str] | Mapping[str, str] | None = None,
                     seed: int | str = 0) -> Predictions:
    """Check ``df`` and return its ids, labels, confidences (and margins with ``proba_cols``)."""
    if (score_col is None) == (proba_cols is None):
        raise InputError("pass exactly one of score_col= (confidence of the predicted label) or "
                         "proba_cols= (one probability column per class)")
    proba_map = dict(proba_cols) if isinstance(proba_cols, Mapping) else (
        {c: c for c in proba_cols} if proba_cols is not None else {})
    if score_col is not None and label_col is None:
        raise InputError("score_col= needs label_col= (the predicted label of each item)")
    _require(df, [id_col, *([label_col] if label_col else []),
                  *([score_col] if score_col else []), *proba_map.values()])
    ids = df[id_col].reset_index(drop=True)
    hashes = hash_ids(ids, seed)
    _check_ids(ids, id_col, hashes)
    margin = None
    if score_col is not None:
        confidence = pd.to_numeric(df[score_col], errors="coerce").to_numpy(dtype=float)
        _check_scores(confidence, ids, score_col)
    else:
        if len(proba_map) < 2:
            raise InputError("proba_cols= needs at least 2 class columns")
        matrix = df[list(proba_map.values())].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        _check_scores(matrix, ids, "proba_cols")
        top2 = np.partition(matrix, -2, axis=1)[:, -2:]
        confidence, margin = top2[:, 1], top2[:, 1] - top2[:, 0]
        if label_col is None:
            names = np.array(list(proba_map.keys()), dtype=object)
            return Predictions(ids, hashes, np.argmax(matrix, axis=1), names, confidence, margin)
    codes, uniques = pd.factorize(df[label_col], use_na_sentinel=False)
    return Predictions(ids, hashes, codes, np.asarray(uniques, dtype=object), confidence, margin)
