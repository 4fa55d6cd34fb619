"""Reliability diagram data and expected calibration error (ECE).

Example:
    >>> table = reliability([0.9, 0.7, 0.3, 0.2], [True, True, False, True], bins=2)
    >>> table[["n", "mean_confidence", "accuracy"]].to_dict("list")
    {'n': [2, 2], 'mean_confidence': [0.25, 0.8], 'accuracy': [0.5, 1.0]}
    >>> round(expected_calibration_error(table), 3)
    0.225

Confidences must be probabilities in [0, 1] (percentages such as 95.0 raise InputError) and
``correct`` must be True/False for every item (NaN is never counted as correct).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.analytics._data import booleans, probabilities
from a2i_kit.analytics.binning import confidence_bins
from a2i_kit.errors import InputError


def reliability(
    confidence: Any, correct: Any, bins: int | Any = 10, *, strategy: str = "uniform"
) -> pd.DataFrame:
    """Per bin: ``bin_left``, ``bin_right``, ``n``, ``mean_confidence``, ``accuracy``, ``gap``
    (accuracy − confidence); bins ``[left, right)``, the last closed, on exact edges.
    ``strategy="quantile"`` puts the same number of items in each bin."""
    conf = probabilities(confidence, "confidence")
    ok = booleans(correct, "correct")
    if len(ok) != len(conf):
        raise InputError(f"confidence has {len(conf)} values but correct has {len(ok)}")
    if strategy == "quantile" and isinstance(bins, int | np.integer) and len(conf):
        edges = np.unique(np.quantile(conf, np.arange(int(bins) + 1) / int(bins)))
        bins = np.array([0.0, 1.0]) if len(edges) < 2 else edges
        bins[0], bins[-1] = min(bins[0], 0.0), max(bins[-1], 1.0)
    elif strategy not in ("uniform", "quantile"):
        raise InputError(f"strategy={strategy!r}: use 'uniform' or 'quantile'")
    idx, edges = confidence_bins(conf, bins)
    k = len(edges) - 1
    n = np.bincount(idx, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(idx, weights=conf, minlength=k) / n
        acc = np.bincount(idx, weights=ok.astype(float), minlength=k) / n
    out = pd.DataFrame({"bin_left": edges[:-1], "bin_right": edges[1:], "n": n,
                        "mean_confidence": mean_conf, "accuracy": acc})  # fmt: skip
    out["gap"] = out["accuracy"] - out["mean_confidence"]
    return out[out["n"] > 0].reset_index(drop=True)


def expected_calibration_error(table: pd.DataFrame) -> float:
    """ECE = Σ (n_bin / N) · |accuracy − mean confidence| over a :func:`reliability` table; an
    empty table raises InputError (no items is not "perfectly calibrated")."""
    if not isinstance(table, pd.DataFrame) or {"n", "gap"} - set(table.columns):
        raise InputError("expected_calibration_error needs the table from reliability(confidence, "
                         "correct), with columns 'n' and 'gap'")  # fmt: skip
    n = table["n"].to_numpy(dtype=float)
    if n.sum() <= 0:
        raise InputError("the reliability table is empty (column 'n' sums to 0): ECE is undefined "
                         "without items; pass reliability() at least one reviewed item")  # fmt: skip
    return float(np.sum(n / n.sum() * np.abs(table["gap"].to_numpy())))
