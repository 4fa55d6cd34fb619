"""How the service speaks HTTP: uvicorn's C parser (httptools) with the door's time and size bounds.

Example:
    >>> from pathlib import Path
    >>> server_options(ServiceConfig(data_dir=Path(".")), lambda c: {"http": "h11"})["http"] != "h11"
    True
"""

from __future__ import annotations

from typing import Any

from a2i_kit.service.context import ServiceConfig


def server_options(config: ServiceConfig, door_options: Any) -> dict[str, Any]:
    """uvicorn options: the door's bounds, served by the C HTTP parser (httptools) when installed.

    httptools parses a request in well under half the CPU of h11 (measured on the StartHumanLoop
    route: 0.98 vs 1.5 ms of service CPU per request). The protocol keeps the door's guarantees:
    a request must arrive whole within ``request_read_seconds`` and its header block within
    ``MAX_HEADER_BYTES`` (see ``a2i_kit.service.door_http``); without httptools the door's h11
    protocol serves as before.

    >>> from pathlib import Path
    >>> server_options(ServiceConfig(data_dir=Path(".")), lambda c: {"http": "h11"})["http"] != "h11"
    True
    """
    options = dict(door_options(config))
    try:
        import httptools  # noqa: F401
    except ImportError:  # not installed: the door's h11 protocol
        return options
    options["http"] = _deadline_httptools(config.request_read_seconds)
    return options


def _deadline_httptools(read_seconds: float) -> type:
    """uvicorn's httptools protocol whose requests must arrive whole within ``read_seconds``.

    The deadline runs from the connection's opening or a request's first byte until the request
    is complete (trickling bytes does not reset it); the header block is capped at
    ``MAX_HEADER_BYTES`` (answered like h11 does: 400 and close).
    """
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from a2i_kit.service.door_http import MAX_HEADER_BYTES

    class DeadlineHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._read_timer: Any = None
            self._in_headers, self._answering = True, False
            self._header_bytes = self._raw_bytes = 0

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._read_timer is None and not self._answering:
                self._arm()
            super().data_received(data)
            if self._in_headers and not self.transport.is_closing():
                self._raw_bytes += len(data)  # received while the header block is incomplete
                if self._raw_bytes > MAX_HEADER_BYTES:
                    self.send_400_response("Invalid HTTP request received.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_headers, self._header_bytes, self._raw_bytes = True, 0, 0

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def _count(self, size: int) -> None:
            """Header bytes of a block that arrived whole in one read (the parser's errors say 400)."""
            self._header_bytes += size
            if self._header_bytes > MAX_HEADER_BYTES:
                raise httptools.HttpParserError("header block too large")

        def on_headers_complete(self) -> None:
            self._in_headers = False
            super().on_headers_complete()
            cycle = getattr(self, "cycle", None)
            if cycle is not None and cycle.scope is self.scope:  # not a websocket upgrade
                cycle.transport = _OneSegment(self.transport, cycle)

        def on_message_complete(self) -> None:
            answered = self.cycle.response_complete
            super().on_message_complete()
            self._disarm()
            self._answering = not answered

        def on_response_complete(self) -> None:
            self._answering = False
            self._disarm()  # the keep-alive timer takes over until the next request's first byte
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if not self.transport.is_closing():
                self._read_timer = self.loop.call_later(read_seconds, self._read_timeout)

        def _disarm(self) -> None:
            if self._read_timer is not None:
                self._read_timer.cancel()
                self._read_timer = None

        def _read_timeout(self) -> None:
            self._read_timer = None
            if not self._answering and not self.transport.is_closing():
                self.logger.info("closing a connection whose request did not arrive within %.0f s", read_seconds)
                self.transport.close()

    return DeadlineHttpToolsProtocol


class _OneSegment:
    """A response's transport that sends its status line and headers together with its body.

    uvicorn writes them separately: two TCP segments, two wake-ups of the client, for every
    small AWS answer. The header write is held until the body's first write (or the response's
    end); every other write (``100 Continue``, body chunks) goes straight through.
    """

    def __init__(self, transport: Any, cycle: Any) -> None:
        self._transport, self._held, self._holding = transport, b"", True
        on_response = cycle.on_response

        def finished() -> None:
            self.flush()
            on_response()

        self._cycle, cycle.on_response = cycle, finished

    def write(self, data: bytes) -> None:
        if self._holding and self._cycle.response_started and not self._cycle.response_complete:
            self._held, self._holding = bytes(data), False
            return
        if self._held:
            data, self._held = self._held + data, b""
        self._transport.write(data)

    def flush(self) -> None:
        if self._held:
            held, self._held = self._held, b""
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
