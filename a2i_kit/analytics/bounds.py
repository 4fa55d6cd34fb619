"""One-sided upper confidence bounds for an error rate (binomial proportion).

- ``clopper_pearson_upper``: exact (conservative) bound, the Beta(e + 1, n − e) quantile;
  guarantees coverage ≥ the level for every true rate. The default everywhere.
- ``wilson_upper``: Wilson score bound; tighter, coverage close to (not always above) the level.

Example:
    >>> round(float(clopper_pearson_upper(0, 100)), 4), round(float(wilson_upper(0, 100)), 4)
    (0.0295, 0.0263)
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

METHODS = ("clopper-pearson", "wilson")


def clopper_pearson_upper(errors: Any, n: Any, level: float = 0.95) -> np.ndarray:
    """Exact one-sided upper bound on the error rate; 1.0 where n == 0 or errors == n."""
    from scipy import stats  # seconds to import: loaded on the first exact bound

    e, n = np.asarray(errors, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = stats.beta.ppf(level, e + 1, np.maximum(n - e, 1e-300))
    return np.where((n <= 0) | (e >= n), 1.0, upper)


def wilson_upper(errors: Any, n: Any, level: float = 0.95) -> np.ndarray:
    """Wilson score one-sided upper bound; 1.0 where n == 0."""
    e, n = np.asarray(errors, dtype=float), np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = e / n
        centre = p + z * z / (2 * n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        upper = (centre + half) / (1 + z * z / n)
    return np.where(n <= 0, 1.0, np.minimum(upper, 1.0))


def upper_bound(
    errors: Any, n: Any, level: float = 0.95, method: str = "clopper-pearson"
) -> np.ndarray:
    """Dispatch on ``method`` (one of :data:`METHODS`)."""
    from a2i_kit.errors import InputError

    if not 0.5 <= level < 1:
        raise InputError(f"level={level}: use a confidence level in [0.5, 1), e.g. 0.95")
    if method == "clopper-pearson":
        return clopper_pearson_upper(errors, n, level)
    if method == "wilson":
        return wilson_upper(errors, n, level)
    raise InputError(f"method={method!r}: use one of {', '.join(METHODS)}")
