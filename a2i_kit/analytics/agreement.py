"""Model vs human: agreement, override rate, per class, per confidence bin, confusion matrix, κ.

``model`` is what the model predicted, ``human`` the reviewed (or consolidated) label. The override
rate is the share of reviewed items whose label the human changed (= 1 − agreement).

Example:
    >>> model = ["cat", "cat", "dog", "dog"]; human = ["cat", "dog", "dog", "dog"]
    >>> agreement_summary(model, human).to_dict()
    {'n': 4.0, 'agreement': 0.75, 'override_rate': 0.25, 'kappa': 0.5}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.analytics._data import floats, paired
from a2i_kit.errors import InputError


def _codes(*arrays: np.ndarray, labels: Any = None) -> tuple[list[Any], list[np.ndarray]]:
    if labels is None:
        uniq = pd.unique(np.concatenate(arrays))
        labels = sorted(uniq, key=lambda v: (str(type(v)), v))
    labels = list(labels)
    index = {v: i for i, v in enumerate(labels)}
    codes = [
        np.fromiter((index.get(v, -1) for v in arr), dtype=np.int64, count=len(arr))
        for arr in arrays
    ]
    return labels, codes


def confusion_matrix(human: Any, model: Any, labels: Any = None) -> pd.DataFrame:
    """Counts with rows = human label (truth), columns = model label, like scikit-learn's
    ``confusion_matrix(y_true=human, y_pred=model)``; pairs outside ``labels`` are ignored."""
    h, m = paired(human, model, ("human", "model"))
    labels, (hc, mc) = _codes(h, m, labels=labels)
    k = len(labels)
    keep = (hc >= 0) & (mc >= 0)
    counts = np.bincount(hc[keep] * k + mc[keep], minlength=k * k).reshape(k, k)
    index = pd.Index(labels, name="human")
    return pd.DataFrame(counts, index=index, columns=pd.Index(labels, name="model"))


def kappa_from_matrix(matrix: Any) -> float:
    """Cohen's κ of a square count matrix (NaN when empty; 1.0 when chance agreement is total)."""
    m = np.asarray(matrix, dtype=float)
    n = m.sum()
    if n == 0:
        return float("nan")
    po = np.trace(m) / n
    pe = float(m.sum(axis=0) @ m.sum(axis=1)) / n**2
    return 1.0 if pe == 1 else float((po - pe) / (1 - pe))


def cohen_kappa(a: Any, b: Any, labels: Any = None) -> float:
    """Cohen's κ between two raters (same result as ``sklearn.metrics.cohen_kappa_score``)."""
    return kappa_from_matrix(confusion_matrix(a, b, labels=labels).to_numpy())


def agreement_summary(model: Any, human: Any) -> pd.Series:
    """``n``, ``agreement``, ``override_rate`` and Cohen's ``kappa`` over all reviewed items."""
    m, h = paired(model, human)
    n = len(m)
    agree = float(np.mean(m == h)) if n else float("nan")
    return pd.Series({"n": float(n), "agreement": agree, "override_rate": 1 - agree,
                      "kappa": cohen_kappa(h, m)})  # fmt: skip


def agreement_by_class(model: Any, human: Any, *, by: str = "model") -> pd.DataFrame:
    """Per class (of the model's prediction, or of the human label with ``by="human"``):
    ``n``, ``agreed``, ``agreement``, ``override_rate``; sorted by ``n`` descending."""
    if by not in ("model", "human"):
        raise InputError(f"by={by!r}: use 'model' (precision view) or 'human' (recall view)")
    m, h = paired(model, human)
    frame = pd.DataFrame({"cls": m if by == "model" else h, "agree": m == h})
    out = frame.groupby("cls", sort=True)["agree"].agg(n="size", agreed="sum")
    out["agreement"] = out["agreed"] / out["n"]
    out["override_rate"] = 1 - out["agreement"]
    out.index.name = f"{by}_label"
    return out.sort_values("n", ascending=False, kind="stable")


def confidence_bins(confidence: np.ndarray, bins: int | Any = 10) -> tuple[np.ndarray, np.ndarray]:
    """Bin index per value and the edges; ``bins`` is a count (equal width on [0, 1]) or edges."""
    if isinstance(bins, int | np.integer):
        edges = np.linspace(0.0, 1.0, int(bins) + 1)
    else:
        edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise InputError("bins must be a count ≥ 1 or increasing edges, e.g. [0, 0.5, 0.8, 1]")
    idx = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, len(edges) - 2)
    return idx, edges


def override_by_confidence(
    model: Any, human: Any, confidence: Any, bins: int | Any = 10
) -> pd.DataFrame:
    """Per confidence bin: ``bin_left``, ``bin_right``, ``n``, ``mean_confidence``,
    ``agreement``, ``override_rate`` (empty bins are kept with n = 0)."""
    conf = floats(confidence, "confidence")
    m, h = as_pairs(model, human, len(conf))
    idx, edges = confidence_bins(conf, bins)
    k = len(edges) - 1
    n = np.bincount(idx, minlength=k)
    agreed = np.bincount(idx, weights=(m == h).astype(float), minlength=k)
    conf_sum = np.bincount(idx, weights=conf, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({"bin_left": edges[:-1], "bin_right": edges[1:], "n": n,
                            "mean_confidence": conf_sum / n, "agreement": agreed / n})  # fmt: skip
    out["override_rate"] = 1 - out["agreement"]
    return out


def as_pairs(model: Any, human: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Model and human arrays of length ``n`` (no rows dropped: confidence stays aligned)."""
    m, h = np.asarray(model, dtype=object), np.asarray(human, dtype=object)
    if len(m) != n or len(h) != n:
        raise InputError(f"model ({len(m)}), human ({len(h)}) and confidence ({n}) lengths differ")
    if pd.isna(h).any() or pd.isna(m).any():
        raise InputError("model/human labels contain missing values: keep only reviewed items")
    return m, h
