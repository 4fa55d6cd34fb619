"""The worker portal under ``/_a2i/portal`` and its static files under ``/_a2i/static``.

Sign-in (one-time link or token form, :mod:`a2i_kit.portal.signin`) sets an HttpOnly,
SameSite=Strict session cookie (``__Host-a2i_session`` on https and loopback hosts); the cookie
holds a signed session, never a token. The queue, claim, release and task pages reuse the worker
API's functions (``a2i_kit.service.worker_api``), so the rules are the same as over HTTP. Every
form post needs the portal's origin and the session's CSRF token (:mod:`a2i_kit.portal.forms`).
A claimed task is shown in ``<iframe sandbox="allow-scripts allow-forms">`` (no
allow-same-origin) via ``srcdoc``; the page script relays the frame's ``a2i-kit:submit`` message
to ``POST /_a2i/worker/tasks/{loop}/submit`` with the cookie and the ``X-A2I-CSRF`` header.
Continuous work on a job (``.../jobs/{flow}``) is in :mod:`a2i_kit.portal.work_routes`.

Example:
    >>> from a2i_kit.portal.routes import CSP
    >>> "frame-ancestors 'self'" in CSP
    True
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from a2i_kit.crowd import CROWD_DIR
from a2i_kit.portal import manager_routes, pages, work_pages, work_routes
from a2i_kit.portal.forms import (
    CSP,
    SECURITY_HEADERS,
    Handler,
    Refused,
    WorkerHandler,
    addressed_page,
    check_post,
    html,
    read_form,
    redirect,
    refused_page,
    with_pre_session,
)
from a2i_kit.portal.signin import SignIn
from a2i_kit.service import quality, sessions, work_queue, worker_api
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.worker_http import (
    loop_param,
)
from a2i_kit.service.workforce import WorkforceError

__all__ = ["CSP", "SECURITY_HEADERS", "routes"]
# The portal's own files (``static/portal/``); the crowd elements come from a2i_kit.crowd.
STATIC_DIR = Path(__file__).with_name("static")


class CorsStatic:
    """StaticFiles plus ``Access-Control-Allow-Origin: *`` so module scripts load cross-origin."""

    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=directory)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_cors(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"access-control-allow-origin", b"*"),
                                      (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.files(scope, receive, send_with_cors)


def addressed(handler: Handler, ctx: ServiceContext) -> Handler:
    """Build the page for the address the browser used (proxy prefix), and turn
    :class:`Refused` into its HTML page (never a 500 for bad input)."""

    async def run(request: Request) -> Response:
        with addressed_page(request, ctx):
            try:
                return await handler(request)
            except Refused as exc:
                return refused_page(exc)

    return run


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """Portal pages and static files (full paths: the service mounts them at the root)."""
    signin = SignIn(ctx)

    def session(request: Request) -> tuple[dict[str, Any], str, str] | None:
        """(worker, session nonce, CSRF token) of the request's session."""
        found = sessions.request_worker(ctx, request)
        if found is None:
            return None
        return found[0], found[1]["n"], sessions.csrf_token(ctx, found[1]["n"])

    def failure(exc: WorkforceError, worker: dict[str, Any], csrf: str) -> Response:
        titles = {400: "Request refused", 401: "Please sign in", 403: "Not your team's task",
                  404: "No such task", 409: "Task not available"}
        return html(pages.error_page(titles.get(exc.status, "Error"), str(exc), who=worker["doc"]["name"],
                                     csrf=csrf), exc.status)

    def please_sign_in(request: Request, message: str | None = None, status: int = 401) -> Response:
        return with_pre_session(request, ctx, lambda csrf: pages.signin_page(message, csrf=csrf), status)

    def signed_in(handler: WorkerHandler) -> Handler:
        """``handler(request, worker, nonce, csrf)`` for a signed-in worker: the sign-in page without a
        session, and a WorkforceError the handler raises as its page."""

        async def run(request: Request) -> Response:
            found = session(request)
            if found is None:
                return please_sign_in(request, "Sign in to work on tasks.")
            worker, nonce, csrf = found
            try:
                return await handler(request, worker, nonce, csrf)
            except WorkforceError as exc:
                return failure(exc, worker, csrf)

        return run

    async def home(request: Request) -> Response:
        found = session(request)
        flash = pages.MESSAGES.get(request.query_params.get("msg", ""))
        if found is None:
            return with_pre_session(request, ctx, lambda csrf: pages.signin_page(notice=flash, csrf=csrf), 401)
        worker, _nonce, csrf = found
        jobs = await run_in_threadpool(work_queue.jobs, ctx, worker)
        notices = await run_in_threadpool(quality.notices, ctx, worker)
        return html(work_pages.queue_page(worker["doc"]["name"], jobs, flash, csrf=csrf, notices=notices))

    def task_action(action: Callable[..., Any]) -> Handler:
        """Claim / Release as plain forms: do it, then 303 to the task or the queue."""

        async def run(request: Request, worker: dict[str, Any], nonce: str, _csrf: str) -> Response:
            check_post(request, ctx, await read_form(request), [nonce])
            loop = loop_param(request)
            await run_in_threadpool(action, ctx, worker, loop)
            return redirect(f"{pages.PORTAL}/tasks/{quote(loop)}" if action is worker_api.claim
                            else f"{pages.PORTAL}/?msg=released")

        return signed_in(run)

    @signed_in
    async def task(request: Request, worker: dict[str, Any], _nonce: str, csrf: str) -> Response:
        # 400 not a loop name, 404 unknown, 403 another team's, 409 when the worker holds no live claim
        loop = loop_param(request)
        claimed = await run_in_threadpool(worker_api.held_claim, ctx, worker, loop)
        return html(pages.task_page(worker["doc"]["name"], claimed, remaining(worker, loop), csrf=csrf))

    def remaining(worker: dict[str, Any], loop: str) -> float:
        """Seconds left on this worker's claim of a loop (a gold task's claim lives with it)."""
        left = quality.hidden_seconds_left(ctx, worker, loop)
        if left is not None:
            return left
        mine = next(a for a in ctx.store.claims.of_loop(loop) if a["worker_id"] == worker["name"])
        return float(mine["deadline"]) - ctx.clock.now()

    async def not_found(_request: Request) -> Response:
        return html(pages.error_page("Page not found", "There is no such portal page. Go back to your tasks "
                                     "and start from there."), 404)

    base = pages.PORTAL

    def page(handler: Handler) -> Handler:
        return addressed(handler, ctx)

    return [
        Route(base, page(home), methods=["GET"]),
        Route(f"{base}/", page(home), methods=["GET"]),
        Route(f"{base}/signin", page(signin.link), methods=["GET"]),
        Route(f"{base}/login", page(signin.link), methods=["GET"]),
        Route(f"{base}/signin", page(signin.token_form), methods=["POST"]),
        Route(f"{base}/login", page(signin.token_form), methods=["POST"]),
        Route(f"{base}/signin/link", page(signin.confirm_link), methods=["POST"]),
        Route(f"{base}/signout", page(signin.signout), methods=["GET", "POST"]),
        Route(f"{base}/tasks/{{loop}}", page(task), methods=["GET"]),
        Route(f"{base}/tasks/{{loop}}/claim", page(task_action(worker_api.claim)), methods=["POST"]),
        Route(f"{base}/tasks/{{loop}}/release", page(task_action(worker_api.release)), methods=["POST"]),
        *work_routes.routes(ctx, page, session=session, signed_in=signed_in, remaining=remaining),
        *manager_routes.routes(ctx, signin, page),
        Route(f"{base}/{{rest:path}}", not_found),   # a readable page, not the API's JSON 404
        # The crowd mount first: the /_a2i/static mount would answer 404 for crowd/ paths.
        Mount("/_a2i/static/crowd", app=CorsStatic(CROWD_DIR)),
        Mount("/_a2i/static", app=CorsStatic(STATIC_DIR)),
    ]
