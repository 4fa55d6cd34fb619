"""Portal sessions, one-time sign-in links and CSRF tokens: signed values that never hold a token.

A cookie holds a *session*, never the admin token or a worker's API token: a compact JSON payload
(kind, worker id, token generation, expiry, nonce) signed with a key derived from the admin token
(``HMAC(admin_token, "a2i-kit session key v1")``), so a session is bound to this service, ends
when the worker's token is rotated or the worker is deleted, and expires after
``ServiceConfig.session_seconds``. Sign-in links are the same kind of value, valid
``signin_link_seconds`` and usable once (used link ids are recorded in the store's settings).
A CSRF token is an HMAC of the session's nonce: a page of another origin can neither read nor
compute it.

Example:
    >>> from pathlib import Path; import tempfile
    >>> from a2i_kit.service.context import ServiceConfig, ServiceContext
    >>> ctx = ServiceContext.create(ServiceConfig(data_dir=Path(tempfile.mkdtemp())))
    >>> value = seal(ctx, MANAGER, {"e": ctx.clock.now() + 60, "n": "abc"})
    >>> unseal(ctx, MANAGER, value)["n"], unseal(ctx, WORKER, value)
    ('abc', None)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from typing import Any

from a2i_kit.service import auth, hosts
from a2i_kit.service.context import ServiceContext

KEY_LABEL = b"a2i-kit session key v1"
WORKER, MANAGER, LINK = "worker", "manager", "link"
CSRF_HEADER = "X-A2I-CSRF"
CSRF_FIELD = "csrf"
MAX_VALUE = 1024
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_USED_PREFIX = "portal-link-used:"
_REVOKED_PREFIX = "portal-session-ended:"


def _key(ctx: ServiceContext) -> bytes:
    return hmac.new(auth.token_of(ctx).encode(), KEY_LABEL, hashlib.sha256).digest()


def _mac(ctx: ServiceContext, text: str) -> str:
    return hmac.new(_key(ctx), text.encode(), hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """A random id for a session, a link or a pre-session (pre-sign-in CSRF anchor)."""
    return secrets.token_urlsafe(18)


def valid_nonce(value: str | None) -> bool:
    return bool(value) and _NONCE.fullmatch(value or "") is not None


def seal(ctx: ServiceContext, kind: str, payload: dict[str, Any]) -> str:
    """``<base64url JSON>.<HMAC>``; ``kind`` is part of the signed text, so kinds never mix."""
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{body}.{_mac(ctx, f'{kind}.{body}')}"


def unseal(ctx: ServiceContext, kind: str, value: str | None) -> dict[str, Any] | None:
    """The payload of a value sealed for ``kind`` by this service, or None (expiry not checked)."""
    if not value or len(value) > MAX_VALUE or value.count(".") != 1 or not value.isascii():
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(ctx, f"{kind}.{body}")):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), int | float) \
            or not valid_nonce(payload.get("n")):
        return None
    return payload


def expired(ctx: ServiceContext, payload: dict[str, Any]) -> bool:
    return float(payload["e"]) <= ctx.clock.now()


def generation(ctx: ServiceContext, worker: dict[str, Any]) -> str:
    """Changes when the worker's token changes (an HMAC of its digest: nothing of the token leaks)."""
    return _mac(ctx, "generation." + worker["doc"]["tokenSha256"])[:16]


# -- worker and manager sessions ---------------------------------------------------------------
def start_worker_session(ctx: ServiceContext, worker: dict[str, Any]) -> str:
    payload = {"w": worker["name"], "g": generation(ctx, worker),
               "e": ctx.clock.now() + ctx.config.session_seconds, "n": new_nonce()}
    return seal(ctx, WORKER, payload)


def worker_session(ctx: ServiceContext, value: str | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(worker record, session payload) of a live session cookie, or None."""
    payload = unseal(ctx, WORKER, value)
    if payload is None or expired(ctx, payload) or ended(ctx, payload):
        return None
    worker_id = payload.get("w")
    worker = ctx.store.workers.get(worker_id) if isinstance(worker_id, str) else None
    if worker is None or not hmac.compare_digest(str(payload.get("g")), generation(ctx, worker)):
        return None
    return worker, payload


def start_manager_session(ctx: ServiceContext) -> str:
    return seal(ctx, MANAGER, {"e": ctx.clock.now() + ctx.config.session_seconds, "n": new_nonce()})


def manager_session(ctx: ServiceContext, value: str | None) -> dict[str, Any] | None:
    payload = unseal(ctx, MANAGER, value)
    if payload is None or expired(ctx, payload) or ended(ctx, payload):
        return None
    return payload


def end_session(ctx: ServiceContext, payload: dict[str, Any]) -> None:
    """Sign-out: the session stops working at once, even if its cookie was copied."""
    _purge(ctx, _REVOKED_PREFIX)
    ctx.store.settings.set(_REVOKED_PREFIX + payload["n"], float(payload["e"]))


def ended(ctx: ServiceContext, payload: dict[str, Any]) -> bool:
    return ctx.store.settings.get(_REVOKED_PREFIX + payload["n"]) is not None


# -- CSRF ----------------------------------------------------------------------------------------
def csrf_token(ctx: ServiceContext, nonce: str) -> str:
    """The CSRF token of a session (or pre-session) nonce."""
    return _mac(ctx, "csrf." + nonce)[:40]


def csrf_matches(ctx: ServiceContext, given: str | None, nonces: list[str | None]) -> bool:
    """True when ``given`` is the CSRF token of one of ``nonces`` (the request's own anchors)."""
    if not given or len(given) != 40:
        return False
    return any(valid_nonce(n) and hmac.compare_digest(given, csrf_token(ctx, n or "")) for n in nonces)


# -- one-time sign-in links --------------------------------------------------------------------
def make_link(ctx: ServiceContext, worker: dict[str, Any]) -> str:
    """The signed, one-time value of a worker's sign-in link (``?link=...``)."""
    payload = {"w": worker["name"], "g": generation(ctx, worker),
               "e": ctx.clock.now() + ctx.config.signin_link_seconds, "n": new_nonce()}
    return seal(ctx, LINK, payload)


def open_link(ctx: ServiceContext, value: str | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str]:
    """(worker, payload, problem) of a sign-in link; problem is "" when the link can be used.

    Problems: ``invalid``, ``expired``, ``used``, ``replaced`` (the worker's token changed or the
    worker was removed). The link is not consumed here: see :func:`consume_link`.
    """
    payload = unseal(ctx, LINK, value)
    if payload is None:
        return None, None, "invalid"
    if expired(ctx, payload):
        return None, payload, "expired"
    if ctx.store.settings.get(_USED_PREFIX + payload["n"]) is not None:
        return None, payload, "used"
    worker_id = payload.get("w")
    worker = ctx.store.workers.get(worker_id) if isinstance(worker_id, str) else None
    if worker is None or not hmac.compare_digest(str(payload.get("g")), generation(ctx, worker)):
        return None, payload, "replaced"
    return worker, payload, ""


def consume_link(ctx: ServiceContext, payload: dict[str, Any]) -> bool:
    """Mark a link used; False when it already was (two tabs racing: only one signs in)."""
    _purge(ctx, _USED_PREFIX)
    return ctx.store.settings.add(_USED_PREFIX + payload["n"], float(payload["e"]))


def _purge(ctx: ServiceContext, prefix: str) -> None:
    """Forget used links and ended sessions whose expiry has passed (they are refused anyway)."""
    ctx.store.settings.purge(prefix, ctx.clock.now())


# -- the HTTP side: cookie names and attributes, origin checks -----------------------------------
WORKER_COOKIE, MANAGER_COOKIE, PRE_COOKIE = "a2i_session", "a2i_manager", "a2i_presession"
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def secure_cookies(request: Any) -> bool:
    """Whether ``__Host-`` cookies work here: https as the browser sees it (a trusted proxy's
    ``X-Forwarded-Proto``, an https ``public_base_url``), or plain http on a loopback name, which
    Chromium and Firefox treat as a secure context. Other plain-http hosts get unprefixed names."""
    view = hosts.request_addressed(request.scope)
    host = hosts.host_name(view.host) or (request.url.hostname or "").lower()
    if view.scheme == "https" or host in _LOOPBACK or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_path(request: Any) -> str:
    """``/`` for ``__Host-`` names (their rule, and it covers any proxy prefix), else
    ``<prefix>/_a2i``: the portal's path as the browser sees it (``X-Forwarded-Prefix``)."""
    return "/" if secure_cookies(request) else f"{hosts.request_addressed(request.scope).prefix}/_a2i"


def cookie_name(request: Any, base: str) -> str:
    """``__Host-<base>`` where the browser accepts it, else ``<base>``.

    Only the name of the request's mode is read, so an unprefixed cookie planted by another page
    of the same host is ignored where the prefixed one is used.
    """
    return f"__Host-{base}" if secure_cookies(request) else base


def read_cookie(request: Any, base: str) -> str | None:
    value = request.cookies.get(cookie_name(request, base))
    return value if value and len(value) <= MAX_VALUE else None


def set_cookie(request: Any, response: Any, base: str, value: str, max_age: int) -> Any:
    """HttpOnly, SameSite=Strict; ``__Host-`` names are Secure with Path=/ (the prefix's rules)."""
    secure = secure_cookies(request)
    response.set_cookie(cookie_name(request, base), value, max_age=max_age, path=cookie_path(request),
                        httponly=True, samesite="strict", secure=secure)
    return response


def clear_cookie(request: Any, response: Any, base: str) -> Any:
    secure = secure_cookies(request)
    response.delete_cookie(cookie_name(request, base), path=cookie_path(request), secure=secure,
                           httponly=True, samesite="strict")
    return response


def own_origins(request: Any) -> tuple[str, ...]:
    """The portal's origins for this request: as addressed directly, and as the browser sees it
    through a trusted proxy or at ``public_base_url``."""
    direct = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    return tuple(dict.fromkeys((direct, hosts.request_addressed(request.scope).origin)))


def cross_origin_reason(request: Any) -> str | None:
    """Why a state-changing browser request must be refused, or None.

    Another port on the same host is ``same-site`` but another origin: refused like
    ``cross-site``. ``Origin: null`` (a sandboxed frame, a privacy-stripped request) is refused.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return (f"the request came from another site or another port (Sec-Fetch-Site: {site[:40]}); "
                "use the portal's own pages")
    origin = request.headers.get("origin")
    if origin is None:
        return None
    if origin == "null":
        return "the request came from a sandboxed frame or a page that hides its origin (Origin: null)"
    own = own_origins(request)
    if origin.rstrip("/").lower() not in own:
        return f"the request came from {origin[:100]!r}, not from this portal ({own[-1]})"
    return None


def request_worker(ctx: ServiceContext, request: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(worker, session payload) of the request's worker session cookie, or None."""
    return worker_session(ctx, read_cookie(request, WORKER_COOKIE))


def request_manager(ctx: ServiceContext, request: Any) -> dict[str, Any] | None:
    return manager_session(ctx, read_cookie(request, MANAGER_COOKIE))


def pre_nonce(request: Any) -> str | None:
    """The pre-session nonce (the CSRF anchor of sign-in forms before any session exists)."""
    value = read_cookie(request, PRE_COOKIE)
    return value if valid_nonce(value) else None
