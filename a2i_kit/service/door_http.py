"""Connection hygiene before any route runs: slow or half-sent requests are cut off.

uvicorn's h11 protocol arms a timer only between requests on a keep-alive connection; a client
that opens a connection and sends half a request line, or headers one byte a minute, or a body
that never ends, holds the connection (and a slot of ``limit_concurrency``) forever. The
protocol here gives every request a deadline: from its first byte (or from the moment the
connection opens) the request line, headers and body must all arrive within
``ServiceConfig.request_read_seconds``; otherwise the connection is closed.

Example:
    >>> protocol_class(30.0).read_seconds
    30.0
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_HEADER_BYTES = 64 * 1024
_WAITING = (h11.IDLE, h11.SEND_BODY)


class DeadlineH11Protocol(H11Protocol):
    """h11 protocol whose requests must arrive whole within ``read_seconds``."""

    read_seconds: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in _WAITING:
            if self._read_timer is None and not self.transport.is_closing():
                self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        self._disarm()  # the keep-alive timer takes over until the next request's first byte
        super().on_response_complete()

    def _arm(self) -> None:
        self._read_timer = self.loop.call_later(self.read_seconds, self._read_timeout)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timeout(self) -> None:
        self._read_timer = None
        if self.conn.their_state in _WAITING and not self.transport.is_closing():
            self.logger.info("closing a connection whose request did not arrive within %.0f s", self.read_seconds)
            self.transport.close()


def protocol_class(read_seconds: float) -> type[DeadlineH11Protocol]:
    """A :class:`DeadlineH11Protocol` subclass bound to ``read_seconds``."""
    if not (math.isfinite(read_seconds) and read_seconds > 0):
        raise ValueError(f"request_read_seconds={read_seconds} must be a positive number of seconds")
    return type("BoundDeadlineH11Protocol", (DeadlineH11Protocol,), {"read_seconds": float(read_seconds)})


def uvicorn_options(config: Any) -> dict[str, Any]:
    """The uvicorn.Config keyword arguments that bound connections (``ServiceThread`` and ``serve``)."""
    return {
        "http": protocol_class(config.request_read_seconds),
        "timeout_keep_alive": max(1, math.ceil(config.keep_alive_seconds)),
        "limit_concurrency": config.max_connections,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
