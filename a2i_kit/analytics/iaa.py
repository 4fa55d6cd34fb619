"""Inter-annotator agreement on the answers frame: Krippendorff's α and Fleiss' κ.

Missing data is the normal case (each worker sees only some tasks): α uses every task with at
least two answers, through the coincidence matrix, so nothing is imputed.

Example:
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"task": ["t1", "t1", "t2", "t2", "t3", "t3", "t3"],
    ...                         "worker": ["a", "b", "a", "b", "a", "b", "c"],
    ...                         "label": ["x", "x", "y", "y", "x", "y", "x"]})
    >>> round(krippendorff_alpha(answers), 3), round(fleiss_kappa(answers), 3)
    (0.5, 0.546)

With a single label value in the pairable answers both are undefined (0/0): they return NaN, as
scikit-learn does for κ and where the ``krippendorff`` package refuses; :func:`iaa_summary` says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from a2i_kit.analytics._data import answers_frame
from a2i_kit.errors import InputError

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _unit_counts(answers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Tasks × values count matrix (tasks with ≥ 2 answers) and the sorted values."""
    frame = answers_frame(answers)
    table = pd.crosstab(frame["task"], frame["label"])
    table = table[table.sum(axis=1) >= 2]
    return table.to_numpy(dtype=float), table.columns.to_numpy()


def _delta(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(marginals)])
        i, j = np.meshgrid(np.arange(len(values)), np.arange(len(values)), indexing="ij")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        between = cum[hi + 1] - cum[lo]
        return (between - (marginals[i] + marginals[j]) / 2) ** 2
    v = values.astype(float)
    diff = v[:, None] - v[None, :]
    if level == "interval":
        return diff**2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (diff / (v[:, None] + v[None, :])) ** 2
    return np.nan_to_num(ratio)


def krippendorff_alpha(answers: pd.DataFrame, level: str = "nominal") -> float:
    """Krippendorff's α over ``task`` × ``worker`` × ``label`` (NaN with fewer than 2 pairable
    answers). ``level``: nominal, ordinal (labels sort in order), interval or ratio (numbers)."""
    if level not in LEVELS:
        raise InputError(f"level={level!r}: use one of {', '.join(LEVELS)}")
    counts, values = _unit_counts(answers)
    if counts.size == 0:
        return float("nan")
    if level in ("interval", "ratio"):
        try:
            values = values.astype(float)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"level={level!r} needs numeric labels ({exc}); use 'nominal'"
            ) from exc
    m = counts.sum(axis=1)
    weighted = counts / (m - 1)[:, None]
    coincidence = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    marginals = coincidence.sum(axis=0)
    n = marginals.sum()
    delta = _delta(values, marginals, level)
    observed = (coincidence * delta).sum()
    expected = (np.outer(marginals, marginals) * delta).sum() / (n - 1)
    if expected == 0:  # one value only: no disagreement is possible, so α is 0/0
        return float("nan")
    return float(1.0 - observed / expected)


def fleiss_kappa(answers: pd.DataFrame) -> float:
    """Fleiss' κ; tasks may have different numbers of answers (tasks with < 2 are skipped),
    which reduces to the textbook formula when every task has the same number."""
    counts, _ = _unit_counts(answers)
    if counts.size == 0:
        return float("nan")
    n_i = counts.sum(axis=1)
    p_i = ((counts * (counts - 1)).sum(axis=1)) / (n_i * (n_i - 1))
    p_j = counts.sum(axis=0) / n_i.sum()
    p_bar, p_e = p_i.mean(), float((p_j**2).sum())
    return float("nan") if p_e >= 1 else float((p_bar - p_e) / (1 - p_e))


def iaa_note(answers: pd.DataFrame) -> str:
    """Why α and κ are undefined (NaN) for these answers, or ``""`` when they are defined."""
    counts, values = _unit_counts(answers)
    if counts.size == 0:
        return "undefined (NaN): no task has two or more answers to compare"
    values = values[counts.sum(axis=0) > 0]  # labels seen only on single-answer tasks drop out
    if len(values) == 1:
        value = values[0].item() if isinstance(values[0], np.generic) else values[0]
        return (f"undefined (NaN): every answer on tasks with two or more answers is {value!r}, "
                "so chance agreement is total")  # fmt: skip
    return ""


def iaa_summary(answers: pd.DataFrame, level: str = "nominal") -> pd.Series:
    """``n_tasks`` and ``n_answers`` compared (tasks with ≥ 2 answers), ``krippendorff_alpha``,
    ``fleiss_kappa`` and a ``note`` saying why they are undefined (NaN), else ``""``."""
    counts, _ = _unit_counts(answers)
    return pd.Series({"n_tasks": float(len(counts)), "n_answers": float(counts.sum()),
                      "krippendorff_alpha": krippendorff_alpha(answers, level),
                      "fleiss_kappa": fleiss_kappa(answers), "note": iaa_note(answers)},
                     dtype=object)  # fmt: skip
