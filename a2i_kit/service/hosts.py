"""Which host, scheme and path prefix a request was addressed to, and the Host-header guard.

The guard refuses requests whose ``Host`` header is not this service's (DNS rebinding: without it
a web page could point a name it controls at 127.0.0.1 and drive the unsigned loopback AWS routes
from a browser). Allowed: loopback names, ``ServiceConfig.allowed_hosts`` (``A2I_KIT_ALLOWED_HOSTS``,
comma-separated; ``*.example.com`` matches subdomains, ``"*"`` turns the check off) and the host of
``ServiceConfig.public_base_url`` (``A2I_KIT_PUBLIC_BASE_URL``).

Behind Jupyter's proxy (``https://<host>/<base_url>/proxy/<port>/…``) the browser sees another
origin and path than the service does. :func:`addressed` reads them from ``X-Forwarded-Proto``,
``X-Forwarded-Host`` and ``X-Forwarded-Prefix`` (jupyter-server-proxy sends the prefix), believed
only from trusted proxies: the peers uvicorn trusts for ``X-Forwarded-Proto`` (``FORWARDED_ALLOW_IPS``,
comma-separated addresses and networks, default ``127.0.0.1,::1``; ``*`` trusts every peer).
A host matching ``public_base_url`` takes its scheme (and its path when no prefix arrived).

Example:
    >>> host_allowed("localhost:8443", ("localhost",))
    True
    >>> host_allowed("d-1.studio.us-east-1.sagemaker.aws", ("*.sagemaker.aws",))
    True
    >>> clean_prefix("/jupyterlab/default/proxy/8765/"), clean_prefix("//evil.example")
    ('/jupyterlab/default/proxy/8765', '')
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from a2i_kit.errors import ConfigError

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
TRUSTED_ENV = "FORWARDED_ALLOW_IPS"   # uvicorn's setting, read by both
PUBLIC_ENV = "A2I_KIT_PUBLIC_BASE_URL"
SCOPE_KEY = "a2i.addressed"
_PREFIX = re.compile(r"(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+")
_HOST = re.compile(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
# The request being served (set by HostGuard): link builders deep in the service read it.
_REQUEST: ContextVar[dict[str, Any] | None] = ContextVar("a2i_request_scope", default=None)
# Set while a portal page is built: its proxy prefix ("" when reached directly); in-page links
# (the task's images) then start with it and resolve against the page's own origin.
PAGE_PREFIX: ContextVar[str] = ContextVar("a2i_page_prefix", default="")

ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def host_name(header: str) -> str:
    """The host part of a Host header, without port or IPv6 brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def host_allowed(header: str, allowed: Iterable[str]) -> bool:
    """True when the Host header's name is listed (``*.suffix`` entries match subdomains)."""
    name = host_name(header)
    for entry in allowed:
        if entry == "*" or entry == name or (entry.startswith("*.") and name.endswith(entry[1:])):
            return True
    return False


def clean_prefix(value: str | None) -> str:
    """A forwarded path prefix without its trailing slash; "" when absent or not a plain path."""
    value = (value or "").split(",", 1)[0].strip().rstrip("/")
    if len(value) > 256 or not _PREFIX.fullmatch(value) or any(p in (".", "..") for p in value.split("/")):
        return ""
    return value


def split_base(url: str | None) -> tuple[str, str, str]:
    """(scheme, netloc, path) of a public base URL; a bare path gives ("", "", path)."""
    if not url:
        return "", "", ""
    parts = urlsplit(url.strip())
    return parts.scheme.lower(), parts.netloc.lower(), clean_prefix(parts.path)


def check_public_base(url: str | None) -> str | None:
    """``url`` without its trailing slash, or a ConfigError naming the expected form.

    >>> check_public_base("https://h.example/jupyterlab/default/proxy/8765/")
    'https://h.example/jupyterlab/default/proxy/8765'
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    scheme, netloc, path = split_base(url)
    full = scheme in ("http", "https") and bool(netloc)
    bare = not scheme and not netloc and bool(path)
    if not (full or bare) or parts.query or parts.fragment or path != parts.path.rstrip("/"):
        raise ConfigError(f"public_base_url {url[:100]!r} is not a base URL; give the address browsers "
                          "use, e.g. https://host/jupyterlab/default/proxy/8765 (A2I_KIT_PUBLIC_BASE_URL)")
    return url.strip().rstrip("/")


@functools.lru_cache(maxsize=8)
def _trusted(spec: str) -> tuple[Any, ...] | None:
    """The networks of a FORWARDED_ALLOW_IPS value; None for ``*`` (every peer)."""
    entries = [item.strip() for item in spec.split(",") if item.strip()]
    if "*" in entries:
        return None
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:   # a host name or a unix socket path: uvicorn matches those literally
            continue
    return tuple(networks)


def _within(address: Any, networks: tuple[Any, ...] | None) -> bool:
    try:
        ip = ipaddress.ip_address(str(address))
    except ValueError:
        return False
    return networks is None or any(ip in net for net in networks)


def trusted_peer(scope: MutableMapping[str, Any]) -> bool:
    """Whether the connection came from a trusted proxy: uvicorn's own rule (``FORWARDED_ALLOW_IPS``,
    default loopback), so the scheme uvicorn takes from ``X-Forwarded-Proto`` and the prefix and
    host taken here come from the same peers.

    uvicorn replaces ``client`` by the ``X-Forwarded-For`` address; the listening side's address
    still tells a loopback peer (a loopback address is reached only from loopback).
    """
    networks = _trusted(os.environ.get(TRUSTED_ENV, "127.0.0.1,::1"))
    server, client = scope.get("server") or ("",), scope.get("client") or ("",)
    if _within(server[0], networks) and ipaddress.ip_address(str(server[0])).is_loopback:
        return True
    return _within(client[0], networks)


@dataclass(frozen=True)
class Addressed:
    """What the browser used to reach this request: ``scheme``, ``host`` (with port), ``prefix``."""

    scheme: str
    host: str
    prefix: str = ""

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}".lower()


def _header(scope: MutableMapping[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def addressed(scope: MutableMapping[str, Any], public_base_url: str | None = None) -> Addressed:
    """The scheme, host and prefix of a request, forwarded values taken from trusted proxies only."""
    scheme, host, prefix = str(scope.get("scheme") or "http"), _header(scope, b"host"), ""
    if trusted_peer(scope):
        proto = _header(scope, b"x-forwarded-proto").split(",", 1)[0].strip().lower()
        scheme = proto if proto in ("http", "https") else scheme
        forwarded = _header(scope, b"x-forwarded-host").split(",", 1)[0].strip()
        host = forwarded if _HOST.fullmatch(forwarded) else host
        prefix = clean_prefix(_header(scope, b"x-forwarded-prefix"))
    base_scheme, base_host, base_path = split_base(public_base_url)
    if base_host and base_host == host.lower():
        scheme, prefix = base_scheme or scheme, prefix or base_path
    return Addressed(scheme, host, prefix)


def request_addressed(scope: MutableMapping[str, Any]) -> Addressed:
    """The view HostGuard (or the portal) stored for this request, else one computed now."""
    found = scope.get(SCOPE_KEY)
    return found if isinstance(found, Addressed) else addressed(scope, os.environ.get(PUBLIC_ENV))


def link_base(ctx: Any) -> str:
    """Where links the service hands out start: ``http://127.0.0.1:<port>`` unless told otherwise.

    A portal page being built gets its own path prefix (links in the page resolve against it); a
    request through a trusted proxy with a prefix gets that proxied address; otherwise
    ``ServiceConfig.public_base_url`` when set, else the address the service listens on.
    """
    page = PAGE_PREFIX.get()
    if page:
        return page
    scope = _REQUEST.get()
    if scope is not None:
        view = request_addressed(scope)
        if view.prefix:
            return f"{view.scheme}://{view.host}{view.prefix}"
    public = getattr(ctx.config, "public_base_url", None)
    return public.rstrip("/") if public else str(ctx.base_url)


class HostGuard:
    """ASGI middleware answering 403 (JSON) when the Host header names another host.

    It also records how the request was addressed (:func:`addressed`) for the handlers.
    """

    def __init__(self, app: ASGIApp, allowed: Iterable[str], public_base_url: str | None = None) -> None:
        self.app = app
        self.public = check_public_base(public_base_url if public_base_url is not None
                                        else os.environ.get(PUBLIC_ENV))
        public_host = host_name(split_base(self.public)[1])
        self.allowed = tuple(h.lower() for h in (*allowed, *([public_host] if public_host else [])))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if host_allowed(host, self.allowed):
            scope[SCOPE_KEY] = addressed(scope, self.public)
            token = _REQUEST.set(scope)
            try:
                await self.app(scope, receive, send)
            finally:
                _REQUEST.reset(token)
            return
        body = json.dumps({"__type": "AccessDeniedException", "Message":
                           f"Host '{host[:100]}' is not served here; add it to allowed_hosts "
                           "(A2I_KIT_ALLOWED_HOSTS) or set public_base_url (A2I_KIT_PUBLIC_BASE_URL) "
                           "if a proxy forwards it."}).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/json"), (b"x-amzn-errortype", b"AccessDeniedException"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
