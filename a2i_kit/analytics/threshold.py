"""Recommend an auto-accept threshold for a target error rate, from the random audit sample.

Only items routed *because of the audit* (a uniform random sample of predictions the model would
otherwise auto-accept) estimate the error rate of the auto-accepted region without bias: items
routed for low confidence are, by construction, not a sample of it. For each candidate threshold
t the audited items with confidence ≥ t give ``errors / n``; its one-sided upper confidence bound
(Clopper–Pearson by default, Wilson on request; see :mod:`a2i_kit.analytics.bounds`) must be ≤ the
target (with at least ``min_audited`` audited items at or above t). The recommendation is the
lowest passing t, i.e. the largest coverage whose whole auto-accepted region is within the target.

Picking the best of many thresholds would make a per-threshold bound optimistic, so the
candidates are few and fixed before the labels are looked at. For an audit of ``N`` items and
``grid_size = g``, the candidate audit sizes are ``s_j = ceil(j·N / g)`` for j = 1…g (computed in
integers, exactly, whether or not g divides N); each gives the highest threshold with at least
``s_j`` audited items at or above it. Ties and small audits can merge candidates; the distinct ones
with at least ``min_audited`` items (the only ones that can pass) are tested, ``m`` of them, each
at level ``1 - (1 - level) / m`` (Bonferroni), so the stated level holds for the chosen threshold.
``m`` is reported as ``n_candidates``. ``grid_size=None`` tests every distinct confidence without
correction (per-threshold level only; optimistic).

Example:
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); conf = rng.uniform(0.7, 1, 4000)
    >>> ok = rng.random(4000) > (1 - conf) / 3        # errors fall as confidence rises
    >>> rec = recommend_threshold(conf, ok, target_error=0.05)
    >>> 0.7 < rec.threshold < 1 and rec.risk_upper <= 0.05
    True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from a2i_kit.analytics.bounds import upper_bound
from a2i_kit.analytics.coverage_risk import Sweep
from a2i_kit.errors import InputError


@dataclass(frozen=True)
class ThresholdRecommendation:
    """The chosen threshold and the evidence behind it (``threshold`` is NaN when none qualifies)."""

    threshold: float
    coverage: float  # share of all predictions auto-accepted at the threshold
    risk_estimate: float  # audited errors / audited items at or above the threshold
    risk_upper: float  # one-sided upper bound at `level` (Bonferroni-corrected over the grid)
    n_audited: int
    n_errors: int
    target_error: float
    level: float
    method: str
    n_candidates: int = 0  # thresholds tested (the Bonferroni denominator when a grid is used)
    tested_level: float = float("nan")  # the level each candidate's bound was computed at

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recommend_threshold(audit_confidence: Any, audit_correct: Any, target_error: float, *,
                        all_confidence: Any = None, level: float = 0.95,
                        method: str = "clopper-pearson", min_audited: int = 30,
                        grid_size: int | None = 20) -> ThresholdRecommendation:  # fmt: skip
    """See the module docstring. ``all_confidence`` (every prediction, reviewed or not) gives the
    coverage; without it coverage is measured on the audit sample itself."""
    if not 0 < target_error < 1:
        raise InputError(
            f"target_error={target_error}: use an error rate between 0 and 1, e.g. 0.02"
        )
    if not 0.5 <= level < 1:
        raise InputError(f"level={level}: use a confidence level in [0.5, 1), e.g. 0.95")
    audit = Sweep(audit_confidence, audit_correct, names=("audit_confidence", "audit_correct"))
    if audit.n == 0:
        raise InputError(
            "the audit sample is empty: route a random share of confident items to review"
        )
    t = candidates(audit, grid_size)
    n = audit.accepted(t)
    t, n = t[n >= min_audited], n[n >= min_audited]
    m = len(t)
    tested_level = level if grid_size is None or m == 0 else 1 - (1 - level) / m
    e = audit.errors(t)
    upper = upper_bound(e, n, tested_level, method)
    passing = upper <= target_error
    population = audit if all_confidence is None else Sweep(all_confidence)
    if not passing.any():
        return ThresholdRecommendation(float("nan"), 0.0, float("nan"), float("nan"), 0, 0,
                                       target_error, level, method, m, tested_level)  # fmt: skip
    i = int(np.flatnonzero(passing)[-1])  # t is highest-first: the last pass is the lowest t
    coverage = float(population.accepted(np.array([t[i]]))[0]) / max(population.n, 1)
    return ThresholdRecommendation(float(t[i]), coverage, float(e[i] / n[i]), float(upper[i]),
                                   int(n[i]), int(e[i]), target_error, level, method, m,
                                   tested_level)  # fmt: skip


def candidates(audit: Sweep, grid_size: int | None) -> np.ndarray:
    """Candidate thresholds, highest first: every distinct confidence (``grid_size=None``), or for
    each audit size ``ceil(j·N / grid_size)`` the highest threshold with that many items or more."""
    t = audit.thresholds()
    if grid_size is None:
        return t
    if isinstance(grid_size, bool) or not isinstance(grid_size, int | np.integer) or grid_size < 1:
        raise InputError(
            f"grid_size={grid_size}: use a number of candidate thresholds ≥ 1, or None"
        )
    j = np.arange(1, int(grid_size) + 1, dtype=np.int64)
    sizes = (j * audit.n + grid_size - 1) // grid_size  # exact integer ceil(j·N / g)
    return t[np.unique(np.searchsorted(audit.accepted(t), sizes, side="left"))]
