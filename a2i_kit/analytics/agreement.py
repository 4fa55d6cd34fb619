"""Model vs human: agreement, override rate, per class, per confidence bin, confusion matrix, κ.

Every model-vs-human function takes ``model=`` (what the model predicted) and ``human=`` (the
reviewed or consolidated label) by keyword. The override rate is the share of reviewed items whose
label the human changed (= 1 − agreement). Numbers mixed with text (``1`` vs ``"1"``) raise
InputError; ``labels_as_str=True`` compares labels as text instead (whole numbers as integers).

Example:
    >>> model = ["cat", "cat", "dog", "dog"]; human = ["cat", "dog", "dog", "dog"]
    >>> agreement_summary(model=model, human=human).to_dict()
    {'n': 4.0, 'agreement': 0.75, 'override_rate': 0.25, 'kappa': 0.5, 'note': ''}
    >>> agreement_summary(model=["a", "a"], human=["a", "a"])["note"]
    "kappa is undefined (NaN): every label is 'a' on both sides, so chance agreement is total"
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.analytics._compat import model_human
from a2i_kit.analytics._data import check_label_kinds, floats, label_text, paired
from a2i_kit.analytics.binning import confidence_bins
from a2i_kit.errors import InputError

__all__ = ["agreement_by_class", "agreement_summary", "cohen_kappa", "confidence_bins",
           "confusion_matrix", "kappa_from_matrix", "kappa_note", "override_by_confidence"]  # fmt: skip


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


def confusion_matrix(*args: Any, model: Any = None, human: Any = None, labels: Any = None,
                     labels_as_str: bool = False) -> pd.DataFrame:  # fmt: skip
    """Counts with rows = human label (truth), columns = model label, like scikit-learn's
    ``confusion_matrix(y_true=human, y_pred=model)``; pairs outside ``labels`` are ignored.
    (Old positional order ``confusion_matrix(human, model, labels)``: deprecated.)"""
    model, human, rest = model_human("confusion_matrix", ("human", "model", "labels"), args,
                                     model, human)  # fmt: skip
    labels = rest[0] if rest else labels
    h, m = paired(human, model, ("human", "model"), labels_as_str=labels_as_str)
    if labels is not None and labels_as_str:
        labels = [label_text(v) for v in labels]
    labels, (hc, mc) = _codes(h, m, labels=labels)
    k = len(labels)
    keep = (hc >= 0) & (mc >= 0)
    counts = np.bincount(hc[keep] * k + mc[keep], minlength=k * k).reshape(k, k)
    index = pd.Index(labels, name="human")
    return pd.DataFrame(counts, index=index, columns=pd.Index(labels, name="model"))


def kappa_from_matrix(matrix: Any) -> float:
    """Cohen's κ of a square count matrix; NaN when empty or when chance agreement is total (one
    class on both sides: κ = 0/0, as scikit-learn's ``cohen_kappa_score`` returns)."""
    m = np.asarray(matrix, dtype=float)
    n = m.sum()
    if n == 0:
        return float("nan")
    po = np.trace(m) / n
    pe = float(m.sum(axis=0) @ m.sum(axis=1)) / n**2
    return float("nan") if pe >= 1 else float((po - pe) / (1 - pe))


def kappa_note(a: np.ndarray, b: np.ndarray) -> str:
    """Why κ is undefined for these (already paired) labels, or ``""`` when it is defined."""
    if len(a) == 0:
        return "kappa is undefined (NaN): no reviewed items"
    values = pd.unique(np.concatenate([a, b]))
    if len(values) == 1:
        value = values[0].item() if isinstance(values[0], np.generic) else values[0]
        return (f"kappa is undefined (NaN): every label is {value!r} on both sides, so chance "
                "agreement is total")  # fmt: skip
    return ""


def cohen_kappa(a: Any, b: Any, labels: Any = None, *, labels_as_str: bool = False) -> float:
    """Cohen's κ between two raters (symmetric; same result as ``sklearn.metrics.cohen_kappa_score``,
    NaN when one class fills both sides)."""
    x, y = paired(a, b, ("a", "b"), labels_as_str=labels_as_str)
    matrix = confusion_matrix(model=y, human=x, labels=labels, labels_as_str=labels_as_str)
    return kappa_from_matrix(matrix.to_numpy())


def agreement_summary(*args: Any, model: Any = None, human: Any = None,
                      labels_as_str: bool = False) -> pd.Series:  # fmt: skip
    """``n``, ``agreement``, ``override_rate``, Cohen's ``kappa`` over all reviewed items, and a
    ``note`` saying why a value is undefined (NaN), else ``""``."""
    model, human, _ = model_human("agreement_summary", ("model", "human"), args, model, human)
    m, h = paired(model, human, labels_as_str=labels_as_str)
    n = len(m)
    agree = float(np.mean(m == h)) if n else float("nan")
    kappa = kappa_from_matrix(confusion_matrix(model=m, human=h).to_numpy())
    return pd.Series({"n": float(n), "agreement": agree, "override_rate": 1 - agree,
                      "kappa": kappa, "note": kappa_note(m, h)}, dtype=object)  # fmt: skip


def agreement_by_class(*args: Any, model: Any = None, human: Any = None, by: str = "model",
                       labels_as_str: bool = False) -> pd.DataFrame:  # fmt: skip
    """Per class (of the model's prediction, or of the human label with ``by="human"``):
    ``n``, ``agreed``, ``agreement``, ``override_rate``; sorted by ``n`` descending."""
    model, human, _ = model_human("agreement_by_class", ("model", "human"), args, model, human)
    if by not in ("model", "human"):
        raise InputError(f"by={by!r}: use 'model' (precision view) or 'human' (recall view)")
    m, h = paired(model, human, labels_as_str=labels_as_str)
    frame = pd.DataFrame({"cls": m if by == "model" else h, "agree": m == h})
    out = frame.groupby("cls", sort=True)["agree"].agg(n="size", agreed="sum")
    out["agreement"] = out["agreed"] / out["n"]
    out["override_rate"] = 1 - out["agreement"]
    out.index.name = f"{by}_label"
    return out.sort_values("n", ascending=False, kind="stable")


def override_by_confidence(*args: Any, model: Any = None, human: Any = None,
                           confidence: Any = None, bins: int | Any = 10,
                           labels_as_str: bool = False) -> pd.DataFrame:  # fmt: skip
    """Per confidence bin (``[left, right)``, last closed, exact edges): ``bin_left``,
    ``bin_right``, ``n``, ``mean_confidence``, ``agreement``, ``override_rate`` (empty bins kept
    with n = 0)."""
    order = ("model", "human", "confidence", "bins")
    model, human, rest = model_human("override_by_confidence", order, args, model, human)
    confidence = rest[0] if rest else confidence
    bins = rest[1] if len(rest) > 1 else bins
    if confidence is None:
        raise InputError("override_by_confidence() needs confidence=<the model's confidence>")
    conf = floats(confidence, "confidence")
    m, h = as_pairs(model, human, len(conf), labels_as_str=labels_as_str)
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


def as_pairs(model: Any, human: Any, n: int, *,
             labels_as_str: bool = False) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Model and human arrays of length ``n`` (no rows dropped: confidence stays aligned)."""
    m, h = np.asarray(model, dtype=object), np.asarray(human, dtype=object)
    if len(m) != n or len(h) != n:
        raise InputError(f"model ({len(m)}), human ({len(h)}) and confidence ({n}) lengths differ")
    if pd.isna(h).any() or pd.isna(m).any():
        raise InputError("model/human labels contain missing values: keep only reviewed items")
    if labels_as_str:
        text = np.frompyfunc(label_text, 1, 1)
        return text(m), text(h)
    check_label_kinds({"model": m, "human": h}, ", or pass labels_as_str=True")
    return m, h
