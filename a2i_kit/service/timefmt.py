"""Timestamp formats A2I uses on the wire and in outputs.

Example:
    >>> iso_ms(1582502400.5)
    '2020-02-24T00:00:00.500Z'
    >>> path_stamp(1582502400.5)
    '2020/02/24/00/00/00'
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def iso_ms(epoch: float) -> str:
    """ISO-8601 with milliseconds and ``Z``, as in output.json and the runtime API."""
    return _utc(epoch).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch * 1000) % 1000:03d}Z"


def iso_seconds(epoch: float) -> str:
    """ISO-8601 with second precision, as in an EventBridge envelope's ``time``."""
    return _utc(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def path_stamp(epoch: float) -> str:
    """The ``YYYY/MM/DD/hh/mm/ss`` part of an output key (UTC, loop creation time)."""
    return _path_stamp_of_second(math.floor(epoch))


@lru_cache(maxsize=256)
def _path_stamp_of_second(second: int) -> str:
    # Loops started in one second share it; strftime per start was ~2.5 % of the service's CPU.
    return _utc(second).strftime("%Y/%m/%d/%H/%M/%S")
