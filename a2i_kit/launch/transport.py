"""A lean HTTP/1.1 transport for a botocore client that talks to a plain-http loopback endpoint.

botocore sends every request through urllib3 and ``http.client``: a pool lookup, a liveness
poll, header objects and an ``email`` parser for the answer. For the embedded service on
``http://127.0.0.1`` that machinery is most of the client's CPU per call (measured: ~1 ms of
~2.3 ms per StartHumanLoop). This transport plugs into botocore's public ``before-send``
event: botocore still builds, validates, signs and parses every call; only the bytes travel
over one kept-alive socket per thread. It declines (botocore sends as usual) for anything
else: https, a non-loopback host, a proxy, a streamed body or ``Expect: 100-continue``.

Example:
    >>> wire = attach(client)  # client of http://127.0.0.1:<port>  # doctest: +SKIP
    >>> wire is None  # None for https, a remote host or a proxy: botocore sends  # doctest: +SKIP
    False
"""

from __future__ import annotations

import ipaddress
import select
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

MAX_HEAD = 64 * 1024
FRESH_SECONDS = 0.5
NO_BODY = frozenset({204, 304})


class _Body:
    """The ``raw`` of an AWSResponse: botocore reads it with ``stream()``."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data

    def read(self, *_: Any, **__: Any) -> bytes:
        data, self._data = self._data, b""
        return data


class LoopbackTransport:
    """``before-send`` handler: one persistent socket per thread to ``endpoint_url``."""

    def __init__(self, endpoint_url: str, *, connect_timeout: float | None, read_timeout: float | None) -> None:
        parts = urlsplit(endpoint_url)
        self.endpoint_url = endpoint_url
        self.address = (parts.hostname or "", parts.port or 80)
        self.host = _host_header(parts)
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        """``before-send`` handler: :meth:`send`."""
        return self.send(request)

    def send(self, request: Any) -> AWSResponse | None:
        """The answer to a prepared request, or None (botocore sends it) for what this transport declines."""
        body = request.body if request.body is not None else b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes | bytearray):
            return None  # a streamed body: botocore's own transport
        target = request.url.split("://", 1)[-1]
        path = target[target.find("/"):] if "/" in target else "/"
        head = [f"{request.method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"]
        sized = False
        for name, value in request.headers.items():
            lowered = name.lower()
            if lowered == "expect":
                return None  # 100-continue: botocore's own transport
            sized = sized or lowered == "content-length"
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            head.append(f"{name}: {text}\r\n")
        if body and not sized:
            head.append(f"Content-Length: {len(body)}\r\n")
        message = "".join(head).encode("latin-1") + b"\r\n" + bytes(body)
        sock = self._socket(request.url)
        try:
            sock.sendall(message)
            status, headers, data, keep = self._answer(sock, request.method == "HEAD")
        except TimeoutError as exc:
            self._drop()
            raise ReadTimeoutError(endpoint_url=request.url, error=exc) from exc
        except (OSError, ValueError) as exc:  # reset, closed early, or not an HTTP answer
            self._drop()
            raise ConnectionClosedError(endpoint_url=request.url) from exc
        if not keep:
            self._drop()
        return AWSResponse(request.url, status, headers, _Body(data))

    def close(self) -> None:
        """Close every socket this transport opened (threads that reuse it reconnect)."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()

    def _socket(self, url: str) -> socket.socket:
        sock: socket.socket | None = getattr(self._local, "sock", None)
        if sock is not None:
            now = time.monotonic()
            # A socket used within FRESH_SECONDS is reused without asking the kernel: servers keep
            # idle connections longer (uvicorn at least 1 s), and each poll releases the GIL, which
            # 16 threads then queue for. An older one is checked: readable means the server closed it.
            if now - self._local.used < FRESH_SECONDS or not self._local.readable():
                self._local.used = now
                return sock
        self._drop()
        try:
            sock = socket.create_connection(self.address, timeout=self.connect_timeout)
        except TimeoutError as exc:
            raise ConnectTimeoutError(endpoint_url=url, error=exc) from exc
        except OSError as exc:
            raise EndpointConnectionError(endpoint_url=url, error=exc) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.read_timeout)
        self._local.sock, self._local.buffer, self._local.readable = sock, b"", _readable(sock)
        self._local.used = time.monotonic()
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _drop(self) -> None:
        sock = getattr(self._local, "sock", None)
        self._local.sock, self._local.buffer = None, b""
        if sock is not None:
            with self._lock:
                if sock in self._sockets:
                    self._sockets.remove(sock)
            sock.close()

    def _read(self, sock: socket.socket) -> bytes:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("the service closed the connection before the answer was complete")
        return chunk

    def _answer(self, sock: socket.socket, head_only: bool) -> tuple[int, dict[str, str], bytes, bool]:
        """Status, headers, body and whether the connection stays open (skips 1xx answers)."""
        buffer: bytes = self._local.buffer
        while True:
            end = buffer.find(b"\r\n\r\n")
            while end < 0:
                if len(buffer) > MAX_HEAD:
                    raise ConnectionResetError("the answer's header block is larger than 64 KiB")
                buffer += self._read(sock)
                end = buffer.find(b"\r\n\r\n")
            lines = buffer[:end].decode("latin-1").split("\r\n")
            buffer = buffer[end + 4:]
            version, _, rest = lines[0].partition(" ")
            status = int(rest[:3])
            if status >= 200:
                break  # 1xx answers are interim: the real one follows
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        lowered = {k.lower(): v.lower() for k, v in headers.items() if k.lower() in
                   ("connection", "transfer-encoding", "content-length")}
        keep = version == "HTTP/1.1" and lowered.get("connection") != "close"
        if head_only or status in NO_BODY:
            data = b""
        elif "chunked" in lowered.get("transfer-encoding", ""):
            data, buffer = self._chunked(sock, buffer)
        elif "content-length" in lowered:
            size = int(lowered["content-length"])
            while len(buffer) < size:
                buffer += self._read(sock)
            data, buffer = buffer[:size], buffer[size:]
        else:  # delimited by the end of the connection
            parts = [buffer]
            while chunk := sock.recv(65536):
                parts.append(chunk)
            data, buffer, keep = b"".join(parts), b"", False
        self._local.buffer = buffer
        return status, headers, data, keep

    def _chunked(self, sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
        parts: list[bytes] = []
        while True:
            while b"\r\n" not in buffer:
                buffer += self._read(sock)
            line, buffer = buffer.split(b"\r\n", 1)
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while b"\r\n\r\n" not in b"\r\n" + buffer:  # trailers end with an empty line
                    buffer += self._read(sock)
                return b"".join(parts), (b"\r\n" + buffer).split(b"\r\n\r\n", 1)[1]
            while len(buffer) < size + 2:
                buffer += self._read(sock)
            parts.append(buffer[:size])
            buffer = buffer[size + 2:]


def _readable(sock: socket.socket) -> Callable[[], bool]:
    """A check of an idle keep-alive socket: readable only when the server closed it (or sent junk)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return lambda: bool(poller.poll(0))
    return lambda: bool(select.select([sock], [], [], 0)[0])


def _host_header(parts: Any) -> str:
    """``Host`` as botocore signs it: the host, ``[v6]`` bracketed, with any non-default port."""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port not in (None, 80) else host


def is_loopback_http(url: str) -> bool:
    """True for ``http://`` URLs of this machine (localhost, 127.0.0.0/8, ::1).

    >>> is_loopback_http("http://127.0.0.1:8080"), is_loopback_http("https://127.0.0.1")
    (True, False)
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def attach(client: Any) -> LoopbackTransport | None:
    """Send ``client``'s requests through a :class:`LoopbackTransport` when its endpoint allows.

    Only for a plain-http loopback endpoint with no proxy in the client's config or the
    environment; returns the transport (``close()`` it when done), else None.
    """
    meta = client.meta
    url = meta.endpoint_url
    if not is_loopback_http(url) or meta.config.proxies:
        return None
    host = urlsplit(url).hostname or ""
    if urllib.request.getproxies().get("http") and not urllib.request.proxy_bypass(host):
        return None
    transport = LoopbackTransport(url, connect_timeout=meta.config.connect_timeout,
                                  read_timeout=meta.config.read_timeout)
    meta.events.register(f"before-send.{meta.service_model.service_id.hyphenize()}", transport)
    return transport
