"""Two-sided confidence intervals for a rate (binomial proportion), and a rate written with one.

A rate from a handful of items says little: 0 errors in 13 audited items is "0.0 %", but the
error rate could well be 20 %. Charts and summaries print the rate with its interval.

- ``wilson_interval``: Wilson score interval (good coverage, never outside [0, 1]); for charts.
- ``clopper_pearson_interval``: exact (conservative) interval from Beta quantiles.
- ``rate_text``: "0.0 % (0 of 13; 95 % upper bound 20.6 %)" for summaries: the one-sided exact
  upper bound when nothing (or everything) was counted, otherwise the two-sided interval.

Example:
    >>> low, high = wilson_interval(0, 13)
    >>> round(float(low), 3), round(float(high), 3)
    (0.0, 0.228)
    >>> rate_text(0, 13)
    '0.0 % (0 of 13; 95 % upper bound 20.6 %)'
    >>> rate_text(3, 40)
    '7.5 % (3 of 40; 95 % interval 1.6–20.4 %)'
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

from a2i_kit.analytics.bounds import clopper_pearson_upper
from a2i_kit.errors import InputError


def _check(level: float) -> None:
    if not 0.5 <= level < 1:
        raise InputError(f"level={level}: use a confidence level in [0.5, 1), e.g. 0.95")


def wilson_interval(successes: Any, n: Any, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) Wilson score interval per element; (0, 1) where n == 0 (nothing is known)."""
    _check(level)
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(0.5 + level / 2)   # stdlib: the service scores gold tasks without scipy
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    empty = n <= 0
    low = np.where(empty, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(empty, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def clopper_pearson_interval(successes: Any, n: Any,
                             level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) exact interval per element; (0, 1) where n == 0."""
    from scipy import stats  # seconds to import: only where exact intervals are asked for

    _check(level)
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        low = stats.beta.ppf(alpha / 2, k, np.maximum(n - k + 1, 1e-300))
        high = stats.beta.ppf(1 - alpha / 2, k + 1, np.maximum(n - k, 1e-300))
    low = np.where((n <= 0) | (k <= 0), 0.0, low)
    high = np.where((n <= 0) | (k >= n), 1.0, high)
    return low, high


def spread(rate: Any, low: Any, high: Any) -> np.ndarray:
    """Error-bar lengths ``[[below], [above]]`` for matplotlib, never negative from rounding.

    >>> spread([0.0], [1e-17], [0.2]).tolist()
    [[0.0], [0.2]]
    """
    r = np.asarray(rate, dtype=float)
    return np.maximum(np.array([r - np.asarray(low), np.asarray(high) - r]), 0.0)


def rate_text(count: int, n: int, level: float = 0.95) -> str:
    """A rate with its count and interval, for text a person reads (percent, one decimal).

    With 0 (or all) of ``n`` counted, the informative number is the one-sided exact bound; else
    the two-sided exact interval. ``n == 0`` says there is no estimate.

    >>> rate_text(13, 13)
    '100.0 % (13 of 13; 95 % lower bound 79.4 %)'
    >>> rate_text(0, 0)
    'no estimate (0 items)'
    """
    if n <= 0:
        return "no estimate (0 items)"
    return f"{count / n * 100:.1f} % ({count_text(count, n, level)})"


def count_text(count: int, n: int, level: float = 0.95) -> str:
    """What a rate stands on: "3 of 40; 95 % interval 1.6–20.4 %" (exact bounds).

    >>> count_text(0, 13)
    '0 of 13; 95 % upper bound 20.6 %'
    """
    _check(level)
    if n <= 0:
        return "0 items"
    head = f"{count} of {n}; " + f"{level:.0%}".replace("%", " %") + " "
    if count == 0:
        return head + f"upper bound {_pct(clopper_pearson_upper(0, n, level))}"
    if count == n:
        return head + f"lower bound {_pct(1 - clopper_pearson_upper(0, n, level))}"
    low, high = clopper_pearson_interval(count, n, level)
    return head + f"interval {float(low) * 100:.1f}–{_pct(high)}"


def _pct(value: Any) -> str:
    return f"{float(value) * 100:.1f} %"
