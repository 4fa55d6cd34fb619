"""The worker portal under ``/_a2i/portal`` and its static files under ``/_a2i/static``.

Sign-in by per-worker link (``/_a2i/portal/signin?token=...``, also ``/login``) or token form
sets the HttpOnly, SameSite=Strict ``a2i_worker`` cookie. The queue, claim, release and task pages
reuse the worker API's functions (``a2i_kit.service.worker_api``), so the rules are the same as
over HTTP. A claimed task is shown in ``<iframe sandbox="allow-scripts allow-forms">`` (no
allow-same-origin) via ``srcdoc``; the page script relays the frame's ``a2i-kit:submit`` message
to ``POST /_a2i/worker/tasks/{loop}/submit`` with the cookie.

Example:
    >>> from a2i_kit.portal.routes import CSP
    >>> "frame-ancestors 'self'" in CSP
    True
"""

from __future__ import annotations

import hmac
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from a2i_kit.portal import manager, pages
from a2i_kit.portal.assets import STATIC_DIR
from a2i_kit.service import auth, worker_api
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.workforce import WorkforceError, authenticate

COOKIE = "a2i_worker"
ADMIN_COOKIE = "a2i_admin"
COOKIE_PATH = "/_a2i"
COOKIE_MAX_AGE = 12 * 3600
# Task templates run inside a srcdoc iframe, which inherits this policy: they need inline
# scripts/styles (their own <script> and onsubmit handlers) and may pull https libraries.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https:; style-src 'self' 'unsafe-inline' https:; "
       "img-src 'self' data: blob: http: https:; media-src 'self' data: blob: http: https:; "
       "font-src 'self' data: https:; connect-src 'self'; frame-src 'self' blob: data: http: https:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on
                    # form posts, and foreign_post() needs the real origin.
                    "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
                    "X-Frame-Options": "SAMEORIGIN"}


def html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


async def form_field(request: Request, name: str) -> str:
    """One field of an urlencoded form body (no multipart dependency needed)."""
    raw = (await request.body())[:16384].decode("utf-8", "replace")
    return (parse_qs(raw).get(name) or [""])[0].strip()


def foreign_post(request: Request) -> bool:
    """True for a POST whose Origin is another site (or a sandboxed frame's "null"): refused."""
    origin = request.headers.get("origin")
    return request.method == "POST" and origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}"


def set_cookie(response: Response, name: str, value: str) -> Response:
    response.set_cookie(name, value, max_age=COOKIE_MAX_AGE, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=False)
    return response


class CorsStatic:
    """StaticFiles plus ``Access-Control-Allow-Origin: *`` so module scripts load cross-origin."""

    def __init__(self) -> None:
        self.files = StaticFiles(directory=STATIC_DIR)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_cors(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"access-control-allow-origin", b"*"),
                                      (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.files(scope, receive, send_with_cors)


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """Portal pages and static files (full paths: the service mounts them at the root)."""

    def current_worker(request: Request) -> dict[str, Any] | None:
        return authenticate(ctx, request.cookies.get(COOKIE))

    def is_manager(request: Request) -> bool:
        given = request.cookies.get(ADMIN_COOKIE, "")
        return auth.is_admin(request, ctx) or (
            bool(given) and hmac.compare_digest(given.encode(), auth.token_of(ctx).encode()))

    def failure(exc: WorkforceError, worker: dict[str, Any] | None) -> Response:
        titles = {401: "Please sign in", 403: "Not your team's task", 404: "No such task", 409: "Task not available"}
        who = worker["doc"]["name"] if worker else None
        return html(pages.error_page(titles.get(exc.status, "Error"), str(exc), who=who), exc.status)

    async def home(request: Request) -> Response:
        worker = current_worker(request)
        flash = pages.MESSAGES.get(request.query_params.get("msg", ""))
        if worker is None:
            return html(pages.signin_page(notice=flash), 401)
        tasks = await run_in_threadpool(worker_api.list_tasks, ctx, worker)
        return html(pages.queue_page(worker["doc"]["name"], tasks, flash))

    async def signin(request: Request) -> Response:
        token = request.query_params.get("token", "") if request.method == "GET" else await form_field(request, "token")
        if request.method == "GET" and not token:
            return html(pages.signin_page())
        worker = authenticate(ctx, token)
        if worker is None:
            return html(pages.signin_page("That sign-in link or token is not valid. Ask for a new one."), 401)
        same_site = request.headers.get("sec-fetch-site", "none") in ("none", "same-origin", "same-site")
        # After a cross-site link, a redirect would not carry the SameSite=Strict cookie yet:
        # show a page whose link (followed by portal.js) is a same-site navigation.
        response: Response = redirect(f"{pages.PORTAL}/") if same_site or request.method == "POST" \
            else html(pages.signed_in_page(worker["doc"]["name"]))
        response.headers["Referrer-Policy"] = "no-referrer"   # the link's URL holds the token
        return set_cookie(response, COOKIE, token)

    async def signout(_request: Request) -> Response:
        response = redirect(f"{pages.PORTAL}/?msg=signedout")
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    async def claim(request: Request) -> Response:
        worker = current_worker(request)
        loop = request.path_params["loop"]
        if worker is None:
            return html(pages.signin_page("Sign in to work on tasks."), 401)
        try:
            await run_in_threadpool(worker_api.claim, ctx, worker, loop)
        except WorkforceError as exc:
            return failure(exc, worker)
        return redirect(f"{pages.PORTAL}/tasks/{quote(loop)}")

    async def task(request: Request) -> Response:
        worker = current_worker(request)
        loop = request.path_params["loop"]
        if worker is None:
            return html(pages.signin_page("Sign in to work on tasks."), 401)
        try:   # 404 unknown, 403 another team's, 409 when the worker holds no live claim
            claimed = await run_in_threadpool(worker_api.held_claim, ctx, worker, loop)
        except WorkforceError as exc:
            return failure(exc, worker)
        mine = next(a for a in ctx.store.assignments(loop) if a["worker_id"] == worker["name"])
        now = ctx.clock.now()
        return html(pages.task_page(worker["doc"]["name"], claimed, mine["deadline"] - now))

    async def release(request: Request) -> Response:
        worker = current_worker(request)
        if worker is None:
            return html(pages.signin_page("Sign in to work on tasks."), 401)
        try:
            await run_in_threadpool(worker_api.release, ctx, worker, request.path_params["loop"])
        except WorkforceError as exc:
            return failure(exc, worker)
        return redirect(f"{pages.PORTAL}/?msg=released")

    async def manage(request: Request) -> Response:
        if not is_manager(request):
            return html(manager.manager_signin_page(), 401)
        data = await run_in_threadpool(manager.overview, ctx)
        return html(manager.manager_page(data))

    async def manage_signin(request: Request) -> Response:
        token = await form_field(request, "token")
        if not token or not hmac.compare_digest(token.encode(), auth.token_of(ctx).encode()):
            return html(manager.manager_signin_page("That admin token is not valid."), 401)
        return set_cookie(redirect(f"{pages.PORTAL}/manage"), ADMIN_COOKIE, token)

    async def manage_signout(_request: Request) -> Response:
        response = redirect(f"{pages.PORTAL}/manage")
        response.delete_cookie(ADMIN_COOKIE, path=COOKIE_PATH)
        return response

    def guarded(handler: Any) -> Any:
        async def run(request: Request) -> Response:
            if foreign_post(request):
                return html(pages.error_page("Request refused", "Forms of the portal can only be sent from "
                                             "the portal's own pages."), 403)
            return await handler(request)
        return run

    base = pages.PORTAL
    signin, signout, claim, release = guarded(signin), guarded(signout), guarded(claim), guarded(release)
    manage_signin, manage_signout = guarded(manage_signin), guarded(manage_signout)
    return [
        Route(base, home, methods=["GET"]),
        Route(f"{base}/", home, methods=["GET"]),
        Route(f"{base}/signin", signin, methods=["GET", "POST"]),
        Route(f"{base}/login", signin, methods=["GET", "POST"]),
        Route(f"{base}/signout", signout, methods=["GET", "POST"]),
        Route(f"{base}/tasks/{{loop}}", task, methods=["GET"]),
        Route(f"{base}/tasks/{{loop}}/claim", claim, methods=["POST"]),
        Route(f"{base}/tasks/{{loop}}/release", release, methods=["POST"]),
        Route(f"{base}/manage", manage, methods=["GET"]),
        Route(f"{base}/manage/signin", manage_signin, methods=["POST"]),
        Route(f"{base}/manage/signout", manage_signout, methods=["GET", "POST"]),
        Mount("/_a2i/static", app=CorsStatic()),
    ]
