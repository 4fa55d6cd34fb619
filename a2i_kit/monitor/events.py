"""Loop status-change events (EventBridge shape), de-duplicated by (humanLoopArn, humanLoopStatus).

Sources: the service's events log over HTTP (``GET /_a2i/events``, admin token), the log file
(``data_dir/events.jsonl``), or in-process callbacks on the running service's bus. Delivery is
at-least-once, as on AWS, so every reader here drops repeats.

Example:
    >>> for event in iter_events(session, follow=True, timeout=30):  # doctest: +SKIP
    ...     print(event["detail"]["humanLoopName"], event["detail"]["humanLoopStatus"])
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx

from a2i_kit.errors import InputError, ServiceError

Event = dict[str, Any]


def event_key(event: Event) -> tuple[str, str]:
    """The de-duplication key AWS recommends: (humanLoopArn, humanLoopStatus)."""
    detail = event.get("detail") or {}
    return str(detail.get("humanLoopArn")), str(detail.get("humanLoopStatus"))


class Deduper:
    """Remembers keys: ``deduper(event)`` is True the first time an event's key is seen."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, event: Event) -> bool:
        key = event_key(event)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _matches(event: Event, flow: str | None, statuses: Iterable[str] | None) -> bool:
    detail = event.get("detail") or {}
    if flow is not None and detail.get("flowDefinitionArn") != flow:
        return False
    return statuses is None or detail.get("humanLoopStatus") in set(statuses)


def read_events(source: Any, *, after: int = 0, admin_token: str | None = None,
                limit: int = 1000) -> tuple[list[Event], int]:
    """Raw events after cursor ``after`` and the next cursor, from a URL/session/service or a file."""
    if isinstance(source, str | Path) and not str(source).startswith("http"):
        path = Path(source)
        path = path / "events.jsonl" if path.is_dir() else path
        if not path.exists():
            return [], after
        events = []
        with open(path, encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if index < after or not line.strip():
                    continue
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:  # torn last line: read it next time
                    break
        return events, after + len(events)
    url, token = _endpoint(source, admin_token)
    answer = httpx.get(f"{url}/_a2i/events", params={"after": after, "limit": limit},
                       headers={"X-A2I-Admin-Token": token}, timeout=30)
    if answer.status_code != 200:
        raise ServiceError(f"GET /_a2i/events answered {answer.status_code}: {answer.text[:200]}")
    body = answer.json()
    return body["events"], int(body["next"])


def iter_events(source: Any, *, admin_token: str | None = None, follow: bool = False,
                timeout: float | None = None, poll_seconds: float = 0.5,
                flow_definition_arn: str | None = None, statuses: Iterable[str] | None = None,
                dedupe: bool = True) -> Iterator[Event]:
    """Yield events from the start of the log; with ``follow`` keep polling until ``timeout``."""
    cursor, seen = 0, Deduper()
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        events, cursor = read_events(source, after=cursor, admin_token=admin_token)
        for event in events:
            if _matches(event, flow_definition_arn, statuses) and (not dedupe or seen(event)):
                yield event
        if not follow or (deadline is not None and time.monotonic() >= deadline):
            return
        if not events:
            time.sleep(poll_seconds)


def subscribe(service: Any, callback: Callable[[Event], Any], *, dedupe: bool = True,
              flow_definition_arn: str | None = None) -> Callable[[], None]:
    """Call ``callback(event)`` in-process on each status change; returns the unsubscribe function."""
    seen = Deduper()

    def listener(event: Event) -> None:
        if _matches(event, flow_definition_arn, None) and (not dedupe or seen(event)):
            callback(event)

    return _context(service).bus.subscribe(listener)


def bus_events(service: Any, *, timeout: float, count: int | None = None,
               flow_definition_arn: str | None = None) -> Iterator[Event]:
    """Yield in-process events as they happen, until ``count`` events or ``timeout`` seconds."""
    inbox: queue.Queue[Event] = queue.Queue()
    unsubscribe = subscribe(service, inbox.put, flow_definition_arn=flow_definition_arn)
    deadline, got = time.monotonic() + timeout, 0
    try:
        while count is None or got < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                event = inbox.get(timeout=remaining)
            except queue.Empty:
                return
            got += 1
            yield event
    finally:
        unsubscribe()


def _context(service: Any) -> Any:
    thread = getattr(service, "service", None) or service  # a Session holds the ServiceThread
    context = getattr(thread, "context", None)
    if context is None or not hasattr(context, "bus"):
        raise InputError("in-process events need the local service: pass a2i_kit.connect()'s session "
                         "or a running ServiceThread (on AWS, subscribe with an EventBridge rule)")
    return context


def _endpoint(source: Any, admin_token: str | None) -> tuple[str, str]:
    url: Any
    token: Any
    if isinstance(source, str):
        url, token = source, admin_token
    else:
        url = getattr(source, "endpoint_url", None) or getattr(source, "url", None)
        token = admin_token or getattr(source, "admin_token", None)
    if not url or not token:
        raise InputError("reading events over HTTP needs the service URL and its admin token: pass the "
                         "session, the ServiceThread, or url + admin_token=")
    return str(url).rstrip("/"), str(token)
