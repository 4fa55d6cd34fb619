"""Retry transient AWS errors with capped exponential backoff and full jitter.

Retried: throttling and quota codes, server-side codes (see :mod:`a2i_kit.client.errors`) and
connection errors. The delay before attempt n+1 is uniform in
[0, min(max_delay, base_delay * 2**(n-1))] ("full jitter"), so threads that were throttled
together do not come back together.

Example:
    >>> import random
    >>> calls = []
    >>> def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise client_error("ThrottlingException")
    ...     return "ok"
    >>> call_with_retry(flaky, RetryPolicy(base_delay=0), random.Random(0))
    ('ok', 3)
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from a2i_kit.client.errors import client_error, is_retryable

__all__ = ["RetryPolicy", "call_with_retry", "client_error"]

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry one call."""

    max_attempts: int = 10
    base_delay: float = 0.05
    max_delay: float = 5.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def call_with_retry(fn: Callable[[], T], policy: RetryPolicy, rng: random.Random,
                    sleep: Callable[[float], Any] = time.sleep) -> tuple[T, int]:
    """``(fn(), attempts)``; the last exception is re-raised with ``.attempts`` set."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn(), attempt
        except Exception as exc:
            if not is_retryable(exc) or attempt >= policy.max_attempts:
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            sleep(policy.delay(attempt, rng))
