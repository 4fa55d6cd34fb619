"""Watch human loops: status counts, waiting, stop/delete, cleanup, and status-change events.

Example:
    >>> from a2i_kit.monitor import status_summary, wait_until_done   # doctest: +SKIP
    >>> status_summary(session, flow_arn)["InProgress"]               # doctest: +SKIP
    120
"""

from __future__ import annotations

from a2i_kit.monitor.cleanup import ResourceTracker
from a2i_kit.monitor.events import (
    Deduper,
    bus_events,
    event_key,
    iter_events,
    read_events,
    subscribe,
)
from a2i_kit.monitor.status import FINISHED, STATUSES, iter_loops, list_loops, status_summary
from a2i_kit.monitor.wait import delete_loops, loops_of, stop_loops, wait_until_done

__all__ = [
    "FINISHED",
    "STATUSES",
    "Deduper",
    "ResourceTracker",
    "bus_events",
    "delete_loops",
    "event_key",
    "iter_events",
    "iter_loops",
    "list_loops",
    "loops_of",
    "read_events",
    "status_summary",
    "stop_loops",
    "subscribe",
    "wait_until_done",
]
