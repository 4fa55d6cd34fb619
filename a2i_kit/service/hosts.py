"""Refuse requests whose ``Host`` header is not this service's: a guard against DNS rebinding.

The AWS routes accept unsigned requests on loopback. Without this check a web page could point a
name it controls at 127.0.0.1 and drive the service from a browser. Behind a proxy that forwards the
outside host (SageMaker Studio's jupyter-server-proxy does), list that host in
``ServiceConfig.allowed_hosts`` (or ``A2I_KIT_ALLOWED_HOSTS``, comma-separated); ``"*"`` turns the
check off.

Example:
    >>> host_allowed("localhost:8443", ("localhost",))
    True
    >>> host_allowed("evil.example:8443", ("localhost",))
    False
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def host_name(header: str) -> str:
    """The host part of a Host header, without port or IPv6 brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def host_allowed(header: str, allowed: Iterable[str]) -> bool:
    allowed = tuple(allowed)
    return "*" in allowed or host_name(header) in allowed


class HostGuard:
    """ASGI middleware answering 403 (JSON) when the Host header names another host."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = tuple(h.lower() for h in allowed)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if host_allowed(host, self.allowed):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"__type": "AccessDeniedException", "Message":
                           f"Host '{host[:100]}' is not served here; add it to allowed_hosts "
                           "(A2I_KIT_ALLOWED_HOSTS) if a proxy forwards it."}).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/json"), (b"x-amzn-errortype", b"AccessDeniedException"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
