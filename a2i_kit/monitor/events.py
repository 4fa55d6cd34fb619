"""Loop status-change events (EventBridge shape), de-duplicated by (humanLoopArn, humanLoopStatus).

Every reader here follows the service's event cursor over HTTP (``GET /_a2i/events?after=…``,
admin token), so the same code works for the embedded service of ``connect()`` and for a remote
``a2i-kit serve``. Delivery is at-least-once, as on AWS, so every reader drops repeats.

Example:
    >>> for event in iter_events(session, follow=True, timeout=30):  # doctest: +SKIP
    ...     print(event["detail"]["humanLoopName"], event["detail"]["humanLoopStatus"])
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpx

from a2i_kit.client.sessions import as_session
from a2i_kit.errors import InputError, ServiceError

if TYPE_CHECKING:
    from a2i_kit.session import Session

Event = dict[str, Any]
# Longest wait the service grants one long poll (a2i_kit.service.events_http.MAX_WAIT_SECONDS).
MAX_WAIT_SECONDS = 20.0
LATEST = "latest"


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


def matches(event: Event, flow: str | None, statuses: Iterable[str] | None) -> bool:
    """True when the event is of flow definition ``flow`` (None: any) and one of ``statuses``."""
    detail = event.get("detail") or {}
    if flow is not None and detail.get("flowDefinitionArn") != flow:
        return False
    return statuses is None or detail.get("humanLoopStatus") in set(statuses)


def read_events(session: Session, *, after: int | str = 0, admin_token: str | None = None,
                limit: int = 1000, wait: float = 0.0) -> tuple[list[Event], int]:
    """Raw events after cursor ``after`` and the next cursor, from the session's service.

    ``after="latest"`` starts at the newest event; ``wait`` (at most 20 s) long-polls until one
    arrives when there is nothing new yet. Older code may pass the ServiceThread, or the service
    URL with ``admin_token=`` (see :func:`a2i_kit.client.as_session`).
    """
    url, token = _endpoint(session, admin_token)
    params: dict[str, Any] = {"after": after, "limit": limit}
    if wait:
        params["wait"] = f"{min(float(wait), MAX_WAIT_SECONDS):.3f}"
    try:
        answer = httpx.get(f"{url}/_a2i/events", params=params, headers={"X-A2I-Admin-Token": token},
                           timeout=30 + float(wait))
    except httpx.HTTPError as exc:
        raise ServiceError(f"GET /_a2i/events failed ({type(exc).__name__}: {exc}); is the service "
                           f"running at {url}?") from exc
    if answer.status_code != 200:
        raise ServiceError(f"GET /_a2i/events answered {answer.status_code}: {answer.text[:200]}")
    body = answer.json()
    return body["events"], int(body["next"])


def iter_events(session: Session, *, admin_token: str | None = None, follow: bool = False,
                timeout: float | None = None, poll_seconds: float = 0.5,
                flow_definition_arn: str | None = None, statuses: Iterable[str] | None = None,
                dedupe: bool = True) -> Iterator[Event]:
    """Yield events from the start of the log; with ``follow`` keep waiting until ``timeout``.

    Following long-polls the service (each request waits up to ``poll_seconds`` for news), so a
    new event arrives as soon as it is recorded.
    """
    cursor, seen = 0, Deduper()
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        wait = 0.0
        if follow:
            left = MAX_WAIT_SECONDS if deadline is None else deadline - time.monotonic()
            wait = max(0.0, min(poll_seconds, left, MAX_WAIT_SECONDS))
        events, cursor = read_events(session, after=cursor, admin_token=admin_token, wait=wait)
        for event in events:
            if matches(event, flow_definition_arn, statuses) and (not dedupe or seen(event)):
                yield event
        if events:
            continue  # a full page may have more behind it
        if not follow or (deadline is not None and time.monotonic() >= deadline):
            return


class _Follower(threading.Thread):
    """Long-polls the cursor from ``latest`` and hands each new event to ``deliver``."""

    def __init__(self, source: Any, deliver: Callable[[Event], Any], poll_seconds: float) -> None:
        super().__init__(name="a2i-kit-events", daemon=True)
        self.source, self.deliver, self.poll_seconds = source, deliver, poll_seconds
        self.stopped = threading.Event()
        self.cursor = read_events(source, after=LATEST, limit=1)[1]  # events from now on only

    def run(self) -> None:
        failures = 0
        while not self.stopped.is_set():
            try:
                events, self.cursor = read_events(self.source, after=self.cursor, wait=self.poll_seconds)
                failures = 0
            except ServiceError:
                failures += 1  # the service restarts or went away: back off, keep the cursor
                self.stopped.wait(min(30.0, 0.5 * 2 ** min(failures, 6)))
                continue
            for event in events:
                if self.stopped.is_set():
                    return
                self.deliver(event)


def subscribe(session: Session, callback: Callable[[Event], Any], *, dedupe: bool = True,
              flow_definition_arn: str | None = None, poll_seconds: float = 1.0) -> Callable[[], None]:
    """Call ``callback(event)`` in a background thread for each status change from now on.

    Returns the function that unsubscribes (the thread ends within ``poll_seconds``).
    """
    seen = Deduper()
    source = _source(session)

    def listener(event: Event) -> None:
        if matches(event, flow_definition_arn, None) and (not dedupe or seen(event)):
            try:
                callback(event)
            except Exception:  # a broken callback must not end the subscription
                import logging

                logging.getLogger(__name__).exception("event callback failed")

    follower = _Follower(source, listener, poll_seconds)
    follower.start()
    return follower.stopped.set


def bus_events(session: Session, *, timeout: float, count: int | None = None,
               flow_definition_arn: str | None = None) -> Iterator[Event]:
    """Yield events that happen from this call on, until ``count`` events or ``timeout`` seconds."""
    inbox: queue.Queue[Event] = queue.Queue()
    unsubscribe = subscribe(session, inbox.put, flow_definition_arn=flow_definition_arn,
                            poll_seconds=min(1.0, max(0.05, timeout)))
    return _drain(inbox, unsubscribe, time.monotonic() + timeout, count)


def _drain(inbox: queue.Queue[Event], unsubscribe: Callable[[], None], deadline: float,
           count: int | None) -> Iterator[Event]:
    got = 0
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


def _source(session: Any) -> tuple[str, str]:
    try:
        return _endpoint(session, None)
    except InputError:
        raise InputError("following events needs the service: pass a2i_kit.connect()'s session, a "
                         "running ServiceThread, or (url, admin_token) (on AWS, subscribe with an "
                         "EventBridge rule)") from None


def _endpoint(source: Any, admin_token: str | None) -> tuple[str, str]:
    """The service URL and admin token of a session (or of what older code passes instead)."""
    try:
        session = as_session(source, admin_token)
    except InputError:
        raise InputError(f"events are read from the service over HTTP, not from {str(source)[:80]!r}: pass "
                         "the session, the ServiceThread, or the service URL + admin_token=") from None
    url, token = session.endpoint_url, admin_token or session.admin_token
    if not url or not token:
        raise InputError("reading events over HTTP needs the service URL and its admin token: pass the "
                         "session, the ServiceThread, or url + admin_token=")
    return str(url).rstrip("/"), str(token)
