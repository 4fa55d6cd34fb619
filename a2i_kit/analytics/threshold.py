"""Recommend an auto-accept threshold for a target error rate, from the random audit sample.

Only items routed *because of the audit* (a uniform random sample of predictions the model would
otherwise auto-accept) estimate the error rate of the auto-accepted region without bias: items
routed for low confidence are, by construction, not a sample of it. For each candidate threshold
t the audited items with confidence ≥ t give ``errors / n``; its one-sided upper confidence bound
(Clopper–Pearson by default, Wilson on request; see :mod:`a2i_kit.analytics.bounds`) must be ≤ the
target (with at least ``min_audited`` audited items at or above t). Scanning from the highest
threshold down, the recommendation is the lowest t of the *first unbroken run* of passing
thresholds, so a lucky dip below a failing zone cannot pick it. The bound is per threshold, not
simultaneous over all thresholds scanned.

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
    risk_upper: float  # one-sided upper bound at `level`
    n_audited: int
    n_errors: int
    target_error: float
    level: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recommend_threshold(audit_confidence: Any, audit_correct: Any, target_error: float, *,
                        all_confidence: Any = None, level: float = 0.95,
                        method: str = "clopper-pearson", min_audited: int = 30) -> ThresholdRecommendation:  # fmt: skip
    """See the module docstring. ``all_confidence`` (every prediction, reviewed or not) gives the
    coverage; without it coverage is measured on the audit sample itself."""
    if not 0 < target_error < 1:
        raise InputError(
            f"target_error={target_error}: use an error rate between 0 and 1, e.g. 0.02"
        )
    audit = Sweep(audit_confidence, audit_correct)
    if audit.n == 0:
        raise InputError(
            "the audit sample is empty: route a random share of confident items to review"
        )
    t = audit.thresholds()
    n = audit.accepted(t)
    e = audit.errors(t)
    upper = upper_bound(e, n, level, method)
    passing = (upper <= target_error) & (n >= min_audited)
    population = audit if all_confidence is None else Sweep(all_confidence)
    if not passing.any():
        return ThresholdRecommendation(float("nan"), 0.0, float("nan"), float("nan"), 0, 0,
                                       target_error, level, method)  # fmt: skip
    # t is highest-first: from the first passing threshold, walk down while it keeps passing.
    first = int(np.argmax(passing))
    broken = np.flatnonzero(~passing[first:])
    i = first + (int(broken[0]) - 1 if broken.size else len(passing) - first - 1)
    coverage = float(population.accepted(np.array([t[i]]))[0]) / max(population.n, 1)
    return ThresholdRecommendation(float(t[i]), coverage, float(e[i] / n[i]), float(upper[i]),
                                   int(n[i]), int(e[i]), target_error, level, method)  # fmt: skip
