"""Loop status-change events in Amazon EventBridge's shape, kept in an append-only log.

Readers use a cursor: :func:`read_after` returns ``(seq, event)`` pairs with ``seq > after``
from the store's ``events`` table (``seq`` grows in the order events were recorded), which
``GET /_a2i/events`` serves and webhooks fan out from.

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

from a2i_kit.service.private import FILE_MODE, private_dir
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
    """Append-only JSON-lines file of events (0600); safe across threads, fsynced on every write.

    A line torn by a crash is cut off when the log is opened, so later appends stay readable.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._repair_tail()

    def _repair_tail(self) -> None:
        """Cut a last line that a crash left without its newline (its event was never confirmed)."""
        try:
            os.chmod(self.path, FILE_MODE)
            with open(self.path, "rb+") as handle:
                size = handle.seek(0, os.SEEK_END)
                if size == 0:
                    return
                handle.seek(size - 1)
                if handle.read(1) == b"\n":
                    return
                keep = size - 1
                while keep > 0:  # walk back to the end of the last complete line
                    start = max(0, keep - 4096)
                    handle.seek(start)
                    found = handle.read(keep - start).rfind(b"\n")
                    if found >= 0:
                        keep = start + found + 1
                        break
                    keep = start
                handle.truncate(keep)
                os.fsync(handle.fileno())
        except FileNotFoundError:
            return

    def size(self) -> int:
        """Bytes in the log now: the offset where the next event will start."""
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def contains(self, event_id: str, offset: int = 0) -> bool:
        """True when an event with this ``id`` was appended at or after byte ``offset``."""
        needle = f'"id":{json.dumps(event_id)}'.encode()
        try:
            with open(self.path, "rb") as handle:
                handle.seek(max(0, offset))
                return needle in handle.read()
        except FileNotFoundError:
            return False

    def append(self, event: dict[str, Any]) -> None:
        line = (json.dumps(event, separators=(",", ":"), allow_nan=False) + "\n").encode()
        with self._lock:
            private_dir(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
            try:
                while line:
                    line = line[os.write(fd, line):]
                os.fsync(fd)
            finally:
                os.close(fd)

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


def read_after(ctx: Any, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Up to ``limit`` events recorded after cursor ``after``, as ``(seq, event)``, oldest first.

    They come from the store's ``events`` table, which the outbox fills in the transaction of each
    status change, so every process of a team service serves the same sequence.
    """
    return ctx.store.events.after(after, limit)


def head_seq(ctx: Any) -> int:
    """The cursor of the newest event (0 when there is none): ``after=latest`` starts there."""
    return ctx.store.events.last_seq()
