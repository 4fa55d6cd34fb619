"""Fault injection for the AWS routes: added latency, random errors, a request-rate limit.

Off by default. Set it at run time with ``PUT /_a2i/admin/faults`` or from Python through
``ServiceThread.faults.configure(...)``. Errors hit runtime and SageMaker operations alike;
the RNG is seeded so a test run is reproducible. The rate limit is a token bucket on the
monotonic clock (real time, not the service clock, because it limits real traffic).

Example:
    >>> faults = Faults()
    >>> faults.configure(error_rate=1.0, error_codes=["ThrottlingException"], seed=7)["error_rate"]
    1.0
    >>> try:
    ...     faults.check()
    ... except ThrottlingException as exc:
    ...     print(exc.code)
    ThrottlingException
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from a2i_kit.errors import InputError
from a2i_kit.service.protocol import AwsError, InternalServerException, ThrottlingException

ERRORS: dict[str, type[AwsError]] = {
    "ThrottlingException": ThrottlingException,
    "InternalServerException": InternalServerException,
}


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_codes: list[str] = field(default_factory=lambda: list(ERRORS))
    rps_limit: float | None = None
    seed: int | None = None

    @property
    def active(self) -> bool:
        return self.latency_ms > 0 or self.error_rate > 0 or self.rps_limit is not None


class Faults:
    """Thread-safe fault switchboard consulted once per AWS request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.settings = FaultSettings()
        self._rng = random.Random()
        self._tokens = 0.0
        self._last = time.monotonic()

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change some settings (others keep their value); returns the new settings."""
        unknown = set(changes) - set(FaultSettings.__dataclass_fields__)
        if unknown:
            raise InputError(f"unknown fault setting(s) {sorted(unknown)}; use "
                             f"{sorted(FaultSettings.__dataclass_fields__)}")
        new = replace(self.settings, **changes)
        _check(new)
        with self._lock:
            self.settings = new
            self._rng = random.Random(new.seed)
            self._tokens = _burst(new.rps_limit)
            self._last = time.monotonic()
        return self.snapshot()

    def reset(self) -> dict[str, Any]:
        with self._lock:
            self.settings = FaultSettings()
        return self.snapshot()

    def snapshot(self) -> dict[str, Any]:
        return asdict(self.settings)

    def check(self) -> float:
        """Raise the injected error for this request, or return the latency (seconds) to add."""
        settings = self.settings
        if not settings.active:
            return 0.0
        with self._lock:
            if settings.rps_limit is not None:
                now = time.monotonic()
                self._tokens = min(_burst(settings.rps_limit), self._tokens + (now - self._last) * settings.rps_limit)
                self._last = now
                if self._tokens < 1.0:
                    raise ThrottlingException("Rate exceeded")
                self._tokens -= 1.0
            if settings.error_rate > 0 and self._rng.random() < settings.error_rate:
                code = self._rng.choice(settings.error_codes)
                message = "Rate exceeded" if code == "ThrottlingException" else (
                    "We couldn't process your request because of an issue with the server. Try again later.")
                raise ERRORS[code](message)
        return settings.latency_ms / 1000.0


def _burst(rps_limit: float | None) -> float:
    """Bucket size: one second of traffic, at least one request."""
    return max(1.0, float(rps_limit or 0.0))


MAX_LATENCY_MS = 60_000.0
MAX_RPS_LIMIT = 1_000_000.0


def _number(value: Any, name: str, low: float, high: float, *, low_open: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name}={value!r} must be a number")
    if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
        bound = f"must be > {low:g} and <= {high:g}" if low_open else f"must be between {low:g} and {high:g}"
        raise InputError(f"{name}={value!r} {bound}")


def _check(settings: FaultSettings) -> None:
    _number(settings.error_rate, "error_rate", 0.0, 1.0)
    _number(settings.latency_ms, "latency_ms", 0.0, MAX_LATENCY_MS)
    if settings.rps_limit is not None:
        _number(settings.rps_limit, "rps_limit", 0.0, MAX_RPS_LIMIT, low_open=True)
    if settings.seed is not None and (isinstance(settings.seed, bool) or not isinstance(settings.seed, int)
                                      or abs(settings.seed) >= 2**63):
        raise InputError(f"seed={settings.seed!r} must be an integer below 2**63 (or null)")
    codes = settings.error_codes
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InputError(f"error_codes must be a list of error code strings from {sorted(ERRORS)}")
    bad = [c for c in codes if c not in ERRORS]
    if bad or not codes:
        raise InputError(f"error_codes {bad or '[]'} not supported; choose from {sorted(ERRORS)}")
