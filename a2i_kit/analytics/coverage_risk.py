"""Coverage / risk of auto-accepting predictions above a confidence threshold, and what it costs.

Accept rule everywhere: a prediction is auto-accepted when ``confidence >= threshold``; coverage is
the accepted share, risk the error rate among accepted items. Every sweep sorts once and uses
cumulative sums, so a million predictions take well under a second.

Example:
    >>> curve = coverage_risk([0.9, 0.8, 0.6, 0.4], [True, True, False, True])
    >>> curve[["threshold", "coverage", "risk"]].round(3).to_dict("list")
    {'threshold': [0.9, 0.8, 0.6, 0.4], 'coverage': [0.25, 0.5, 0.75, 1.0], 'risk': [0.0, 0.0, 0.333, 0.25]}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.analytics._data import booleans, floats
from a2i_kit.analytics.binning import grid
from a2i_kit.errors import InputError


class Sweep:
    """Confidence sorted once, with error counts as prefix sums; query any thresholds."""

    def __init__(self, confidence: Any, correct: Any = None, *,
                 names: tuple[str, str] = ("confidence", "correct")) -> None:  # fmt: skip
        conf = floats(confidence, names[0])
        order = np.argsort(conf, kind="stable")
        self.sorted = conf[order]
        self.n = len(conf)
        if correct is not None:
            ok = booleans(correct, names[1])
            if len(ok) != self.n:
                raise InputError(f"{names[0]} has {self.n} values but {names[1]} has {len(ok)}")
            self.prefix_errors: np.ndarray | None = np.concatenate([[0], np.cumsum(~ok[order])])
        else:
            self.prefix_errors = None

    def accepted(self, thresholds: np.ndarray) -> np.ndarray:
        """How many items have confidence >= each threshold."""
        return self.n - np.searchsorted(self.sorted, thresholds, side="left")

    def errors(self, thresholds: np.ndarray) -> np.ndarray:
        """Errors among the accepted items at each threshold."""
        if self.prefix_errors is None:
            raise InputError("no `correct` values were given: errors need reviewed labels")
        below = np.searchsorted(self.sorted, thresholds, side="left")
        return self.prefix_errors[-1] - self.prefix_errors[below]

    def thresholds(self) -> np.ndarray:
        """Every distinct confidence, highest first (the curve's natural points)."""
        return np.unique(self.sorted)[::-1]


def coverage_risk(confidence: Any, correct: Any, thresholds: Any = None, *,
                  all_confidence: Any = None) -> pd.DataFrame:  # fmt: skip
    """``threshold``, ``coverage``, ``risk``, ``n_accepted``, ``n_errors`` (highest threshold first).

    ``thresholds`` defaults to every distinct confidence value. Risk comes from the labelled items
    (e.g. the audit sample); pass ``all_confidence`` (every prediction) to measure coverage on the
    whole population instead of on the labelled items.
    """
    sweep = Sweep(confidence, correct)
    t = sweep.thresholds() if thresholds is None else np.sort(np.asarray(thresholds, float))[::-1]
    accepted = sweep.accepted(t)
    errors = sweep.errors(t)
    population = sweep if all_confidence is None else Sweep(all_confidence)
    coverage = population.accepted(t) / max(population.n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        risk = np.where(accepted > 0, errors / accepted, np.nan)
    return pd.DataFrame({"threshold": t, "coverage": coverage, "risk": risk,
                         "n_accepted": accepted, "n_errors": errors})  # fmt: skip


def area_under_curve(curve: pd.DataFrame) -> float:
    """Area under the risk–coverage curve (AURC; lower is better): trapezoids over coverage, with
    the risk of the first point held flat from coverage 0."""
    c = curve.dropna(subset=["risk"]).sort_values("coverage")
    cov, risk = c["coverage"].to_numpy(), c["risk"].to_numpy()
    if len(cov) == 0:
        return float("nan")
    # Trapezoids by hand: np.trapezoid is numpy 2 only, and SageMaker images ship numpy 1.26.
    return float(cov[0] * risk[0] + np.sum(np.diff(cov) * (risk[1:] + risk[:-1]) / 2))


def review_volume(confidence: Any, thresholds: Any = None, *, cost_per_review: float = 1.0,
                  reviews_per_item: int = 1, audit_rate: float = 0.0) -> pd.DataFrame:  # fmt: skip
    """Per threshold: ``n_review`` (items below it, plus the expected audit sample of the rest),
    ``review_share``, ``n_auto``, ``cost`` (= reviews × ``reviews_per_item`` × ``cost_per_review``).
    ``thresholds`` defaults to 0, 0.01, …, 1 on exact edges (0.35 accepts a confidence of 0.35).
    """
    if not 0 <= audit_rate <= 1:
        raise InputError(f"audit_rate={audit_rate}: use a share between 0 and 1")
    sweep = Sweep(confidence)
    t = grid(100) if thresholds is None else np.asarray(thresholds, dtype=float)
    auto = sweep.accepted(t).astype(float)
    review = (sweep.n - auto) + audit_rate * auto
    return pd.DataFrame({"threshold": t, "n_review": review, "review_share": review / max(sweep.n, 1),
                         "n_auto": auto - audit_rate * auto,
                         "cost": review * reviews_per_item * cost_per_review})  # fmt: skip
