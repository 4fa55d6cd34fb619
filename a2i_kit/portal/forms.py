"""What every portal form post goes through: a capped, strict form reader and the CSRF guard.

A portal POST is accepted only when it comes from the portal's own page (``Origin`` and
``Sec-Fetch-Site``, see :func:`a2i_kit.service.sessions.cross_origin_reason`) and carries the
CSRF token of one of the browser's own sessions in the hidden ``csrf`` field. Refusals are
readable HTML pages (:class:`Refused`), never a 500.

Example:
    >>> Refused(403, "Request refused", "no").status
    403
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from a2i_kit.portal import pages
from a2i_kit.service import hosts, sessions
from a2i_kit.service.bodies import BodyError, check_text, read_capped
from a2i_kit.service.context import ServiceContext

FORM_LIMIT = 4096
# Task templates run inside a srcdoc iframe, which inherits this policy: they need inline
# scripts/styles (their own <script> and onsubmit handlers) and may pull https libraries, their
# data, fonts and workers (CDN samples). The frame is sandboxed without allow-same-origin (an
# opaque origin, SameSite=Strict cookies never sent), so none of this reaches the portal's origin.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https:; style-src 'self' 'unsafe-inline' https:; "
       "img-src 'self' data: blob: http: https:; media-src 'self' data: blob: http: https:; "
       "font-src 'self' data: https:; connect-src 'self' https:; worker-src 'self' blob: https:; "
       "frame-src 'self' blob: data: http: https:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on
                    # form posts, which the CSRF guard refuses.
                    "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
                    "X-Frame-Options": "SAMEORIGIN"}
LEGACY_COOKIES = ("a2i_worker", "a2i_admin")   # held raw tokens before sessions; cleared on sight
_HERE: ContextVar[str] = ContextVar("a2i_portal_path", default="/")   # the page's path (service side)
Handler = Callable[[Request], Awaitable[Response]]
# A portal route for a signed-in worker: (request, worker, session nonce, CSRF token).
WorkerHandler = Callable[[Request, dict[str, Any], str, str], Awaitable[Response]]


class Refused(Exception):
    """A portal request refused with a readable page: ``status``, ``title``, ``message``."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


@contextmanager
def addressed_page(request: Request, ctx: ServiceContext) -> Iterator[str]:
    """While a portal page is built: its proxy prefix (``""`` direct) for links and redirects.

    >>> relative("/_a2i/portal/", "/_a2i/portal/signin")
    '../../_a2i/portal/'
    """
    view = hosts.addressed(request.scope, ctx.config.public_base_url)
    request.scope[hosts.SCOPE_KEY] = view
    tokens = (hosts.PAGE_PREFIX.set(view.prefix), _HERE.set(request.url.path))
    try:
        yield view.prefix
    finally:
        _HERE.reset(tokens[1])
        hosts.PAGE_PREFIX.reset(tokens[0])


def relative(target: str, here: str) -> str:
    """``target`` (a service path) as a reference relative to the page at ``here``."""
    depth = here.count("/") - 1
    return ("../" * depth if depth > 0 else "./") + target.lstrip("/")


def redirect(url: str) -> RedirectResponse:
    """A 303 to a portal path; behind a proxy the Location is relative, so it keeps the prefix
    (jupyter-server-proxy would prefix an absolute path again)."""
    if hosts.PAGE_PREFIX.get():
        url = relative(url, _HERE.get())
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def refused_page(exc: Refused) -> HTMLResponse:
    return html(pages.error_page(exc.title, exc.message), exc.status)


async def read_form(request: Request, limit: int = FORM_LIMIT) -> dict[str, str]:
    """The fields of an urlencoded form (first value of each), refused if large or not text."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise Refused(415, "Request refused", "Portal forms are sent as application/x-www-form-urlencoded "
                      "by the portal's own pages; use the form on the page.")
    try:
        raw = await read_capped(request, limit)
    except BodyError as exc:
        raise Refused(exc.status, "Request refused", f"The form could not be read: {exc.message}.") from None
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=8, errors="strict")
        fields: dict[str, str] = {}
        for key, value in pairs:
            fields.setdefault(check_text(key, "a form field"), check_text(value, "a form field").strip())
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "Request refused", "The form could not be read (it is not valid UTF-8 text, or "
                      "has too many fields). Reload the page and try again.") from None
    return fields


def check_post(request: Request, ctx: ServiceContext, fields: dict[str, str], anchors: list[str | None]) -> None:
    """Refuse a form post from another origin, or without the CSRF token of ``anchors``."""
    reason = sessions.cross_origin_reason(request)
    if reason:
        raise Refused(403, "Request refused", f"Forms of the portal can only be sent from the portal's "
                      f"own pages: {reason}.")
    if not sessions.csrf_matches(ctx, fields.get(sessions.CSRF_FIELD), anchors):
        raise Refused(403, "This form expired", "The form's security token is missing or belongs to "
                      "another session. Reload the page and try again.")


def pre_session(request: Request) -> tuple[str, bool]:
    """(nonce, is_new): the CSRF anchor of sign-in forms shown before any session exists."""
    nonce = sessions.pre_nonce(request)
    return (nonce, False) if nonce else (sessions.new_nonce(), True)


def with_pre_session(request: Request, ctx: ServiceContext, build: Any, status: int = 200) -> Response:
    """A page with a sign-in form: ``build(csrf)`` is its HTML; sets the pre-session cookie."""
    nonce, new = pre_session(request)
    response = html(build(sessions.csrf_token(ctx, nonce)), status)
    if new:
        sessions.set_cookie(request, response, sessions.PRE_COOKIE, nonce, ctx.config.session_seconds)
    return response


def clear_legacy(request: Request, response: Response) -> Response:
    for name in LEGACY_COOKIES:
        if name in request.cookies:
            response.delete_cookie(name, path="/_a2i")
    return response
