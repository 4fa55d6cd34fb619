"""Loop status-change events in Amazon EventBridge's shape, kept in an append-only log.

Example:
    >>> event = build_event(account="111122223333", region="us-east-1", now=1709647575.0,
    ...     loop={"HumanLoopName": "l1", "HumanLoopArn": "arn:l1", "FlowDefinitionArn": "arn:f",
    ...           "OutputS3Uri": "s3://b/o.json"}, creation_time=1709647329.417, status="Completed")
    >>> event["detail-type"], event["detail"]["failureCode"]
    ('SageMaker A2I HumanLoop Status Change', None)
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from a2i_kit.service.timefmt import iso_ms, iso_seconds

DETAIL_TYPE = "SageMaker A2I HumanLoop Status Change"
SOURCE = "aws.sagemaker"
# Only these statuses produce an event (not InProgress, not Stopping).
EVENT_STATUSES = frozenset({"Completed", "Failed", "Stopped"})


def build_event(*, account: str, region: str, now: float, loop: dict[str, Any],
                creation_time: float, status: str, failure_code: str | None = None,
                failure_reason: str | None = None) -> dict[str, Any]:
    """One EventBridge event; ``failureCode``/``failureReason`` are null unless Failed."""
    failed = status == "Failed"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": account,
        "time": iso_seconds(now),
        "region": region,
        "resources": [loop["HumanLoopArn"]],
        "detail": {
            "creationTime": iso_ms(creation_time),
            "failureCode": failure_code if failed else None,
            "failureReason": failure_reason if failed else None,
            "flowDefinitionArn": loop["FlowDefinitionArn"],
            "humanLoopArn": loop["HumanLoopArn"],
            "humanLoopName": loop["HumanLoopName"],
            "humanLoopOutput": {"outputS3Uri": loop["OutputS3Uri"]},
            "humanLoopStatus": status,
        },
    }


class EventLog:
    """Append-only JSON-lines file of events; safe across threads, flushed on every write."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, separators=(",", ":")) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())

    def read(self, after: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """Events after the first ``after`` lines (a cursor: pass ``after + len(result)`` next)."""
        if not self.path.exists():
            return []
        events: list[dict[str, Any]] = []
        with open(self.path, encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if index < after or not line.strip():
                    continue
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:  # a torn last line after a crash
                    break
                if limit is not None and len(events) >= limit:
                    break
        return events
