"""Declarative review policies: which predictions go to people, and why.

Rules, in order of precedence (the first that matches names the ``reason``; comparisons strict):

========================  ==============================================================
``below_class_threshold``  confidence < ``per_class[label]`` (classes listed in per_class)
``below_threshold``        confidence < ``threshold`` (classes not listed in per_class)
``in_band``                ``band[0]`` < confidence < ``band[1]``
``small_margin``           top-1 minus top-2 probability < ``margin`` (needs proba_cols)
``audit``                  a seeded random ``audit_rate`` share of the confident remainder
``confident``              none of the above: no review
``over_budget``            would be reviewed, but the budget ran out (least confident kept)
========================  ==============================================================

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "b", "c"], "label": ["cat", "dog", "dog"],
    ...                    "score": [0.95, 0.70, 0.85]})
    >>> policy = ReviewPolicy(threshold=0.8, per_class={"dog": 0.9})
    >>> policy.route(df, label_col="label", score_col="score")[["item_id", "review", "reason"]]
      item_id  review                 reason
    0       a   False              confident
    1       b    True  below_class_threshold
    2       c    True  below_class_threshold
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.errors import InputError
from a2i_kit.pricing import PRICES, PriceTable, cost_per_item
from a2i_kit.routing.audit import to_uniform
from a2i_kit.routing.columns import Predictions, read_predictions

REASONS = ("below_class_threshold", "below_threshold", "in_band", "small_margin", "audit",
           "confident", "over_budget")
CODE = {name: i for i, name in enumerate(REASONS)}


@dataclass(frozen=True)
class Budget:
    """Cap on what goes to review: ``max_items`` and/or ``max_cost`` (USD)."""

    max_items: int | None = None
    max_cost: float | None = None

    def __post_init__(self) -> None:
        if self.max_items is not None and (not isinstance(self.max_items, int) or self.max_items < 0):
            raise InputError(f"Budget(max_items={self.max_items!r}) must be a whole number >= 0")
        if self.max_cost is not None and not (self.max_cost >= 0):
            raise InputError(f"Budget(max_cost={self.max_cost!r}) must be a number >= 0 (USD)")

    def cap(self, unit_cost: float) -> int | None:
        """How many items fit, or None for no cap."""
        caps = [self.max_items] if self.max_items is not None else []
        if self.max_cost is not None and unit_cost > 0:
            caps.append(math.floor(self.max_cost / unit_cost + 1e-9))
        return min(caps) if caps else None


def _fraction(name: str, value: float | None) -> None:
    if value is not None and not (0.0 <= value <= 1.0):
        raise InputError(f"{name}={value!r} must be between 0 and 1")


@dataclass
class ReviewPolicy:
    """Thresholds, band, margin, seeded audit and budget; prices for the dry run."""

    threshold: float | None = None
    per_class: Mapping[Any, float] | None = None
    band: tuple[float, float] | None = None
    margin: float | None = None
    audit_rate: float = 0.0
    seed: int | str = 0
    budget: Budget | None = None
    task_type: str = "custom"
    workforce: str = "private"
    task_price: float | None = None
    task_count: int = 1
    prices: PriceTable = field(default=PRICES, repr=False)

    def __post_init__(self) -> None:
        for name in ("threshold", "margin", "audit_rate"):
            _fraction(name, getattr(self, name))
        for label, value in (self.per_class or {}).items():
            _fraction(f"per_class[{label!r}]", value)
        if self.band is not None and (len(self.band) != 2
                                      or not 0 <= self.band[0] < self.band[1] <= 1):
            raise InputError(f"band={self.band!r} must be (low, high) with 0 <= low < high <= 1")
        self.cost_per_item()  # fail early on bad prices

    def cost_per_item(self) -> float:
        """USD per reviewed item under this policy's workforce and TaskCount."""
        return cost_per_item(self.task_type, workforce=self.workforce, task_price=self.task_price,
                             task_count=self.task_count, table=self.prices)

    def route(self, df: pd.DataFrame, *, id_col: str = "item_id", label_col: str | None = None,
              score_col: str | None = None,
              proba_cols: Sequence[str] | Mapping[str, str] | None = None) -> pd.DataFrame:
        """A copy of ``df`` with ``review`` (bool), ``reason`` and ``audit`` (bool) columns.

        With ``proba_cols`` it also gets ``confidence`` (top-1), ``margin`` and, without
        ``label_col``, ``predicted_label`` (the argmax column's name or mapping key).
        """
        if self.margin is not None and proba_cols is None:
            raise InputError("margin= needs proba_cols= (class probabilities) to compute top-2 margins")
        pred = read_predictions(df, id_col=id_col, label_col=label_col, score_col=score_col,
                                proba_cols=proba_cols, seed=self.seed)
        reason, review, audit = self._decide(pred)
        out = df.copy()
        if proba_cols is not None:
            out["confidence"] = pred.confidence
            out["margin"] = pred.margin
            if label_col is None:
                out["predicted_label"] = pred.labels
        out["review"] = review
        out["reason"] = pd.Categorical.from_codes(reason, categories=list(REASONS))
        out["audit"] = audit
        return out

    def dry_run(self, df: pd.DataFrame, *, seconds_per_task: float = 30.0, **columns: Any) -> Any:
        """Counts per reason, expected cost and reviewer hours, without launching anything."""
        from a2i_kit.routing.dryrun import DryRun

        return DryRun.from_routed(self.route(df, **columns), self, seconds_per_task=seconds_per_task)

    # -- the vectorised decision -----------------------------------------------------------------
    def _decide(self, pred: Predictions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Reason codes (index into REASONS), review flags and audit flags."""
        conf, n = pred.confidence, len(pred.confidence)
        reason = np.full(n, CODE["confident"], dtype=np.int8)
        taken = np.zeros(n, dtype=bool)

        def take(mask: np.ndarray, name: str) -> None:
            new = mask & ~taken
            reason[new] = CODE[name]
            taken[new] = True

        has_class = np.zeros(n, dtype=bool)
        if self.per_class:
            by_code = np.array([self.per_class.get(name, np.nan) for name in pred.names], dtype=float)
            limits = by_code[pred.codes] if len(by_code) else np.full(n, np.nan)
            has_class = ~np.isnan(limits)
            take(has_class & (conf < np.where(has_class, limits, -1.0)), "below_class_threshold")
        if self.threshold is not None:
            take(~has_class & (conf < self.threshold), "below_threshold")
        if self.band is not None:
            take((conf > self.band[0]) & (conf < self.band[1]), "in_band")
        if self.margin is not None and pred.margin is not None:
            take(pred.margin < self.margin, "small_margin")
        rules = taken.copy()
        uniform = to_uniform(pred.hashes)
        audit = ~taken & (uniform < self.audit_rate)
        take(audit, "audit")
        review = taken
        cap = self.budget.cap(self.cost_per_item()) if self.budget else None
        if cap is not None and review.sum() > cap:
            # least confident rule items first, then audit items in hash order
            order = np.lexsort((np.arange(n), np.where(rules, conf, 2.0 + uniform), ~review))
            dropped = order[cap:int(review.sum())]
            review[dropped] = False
            audit[dropped] = False
            reason[dropped] = CODE["over_budget"]
        return reason, review, audit
