"""HTTP face of the local workforce: the worker API (``/_a2i/worker``) and its admin routes.

The logic lives in :mod:`a2i_kit.service.worker_api` (tasks, claims, answers) and
:mod:`a2i_kit.service.workforce` (workers, tokens, teams); the handlers here only authenticate,
parse and translate :class:`~a2i_kit.service.workforce.WorkforceError` into
``{"error": message, "code": Code}`` answers. Bodies are capped before they are read and parsed
strictly (:mod:`a2i_kit.service.bodies`); a state-changing call authenticated by the portal's
session cookie needs its CSRF header and the portal's origin (:mod:`a2i_kit.service.sessions`).
The continuous-work routes (jobs, next, amend, answer) are in :mod:`a2i_kit.service.work_http`.

Example:
    >>> app_routes = routes(ctx)   # mounted by a2i_kit.service.server  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from a2i_kit.service import sessions
from a2i_kit.service.bodies import BodyError, read_capped, strict_object
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.work_queue import LOOP_NAME
from a2i_kit.service.worker_api import (
    MAX_ANSWER_BYTES,
    claim,
    list_tasks,
    release,
    submit,
    task_details,
)
from a2i_kit.service.workforce import (
    WorkforceError,
    authenticate,
    create_worker,
    delete_worker,
    get_worker,
    list_workers,
    member_teams,
    rotate_token,
    sign_in_url,
    worker_view,
)

WORKER_ID = re.compile(r"[0-9a-f]{16}")
ADMIN_BODY_LIMIT = 64 * 1024
ANSWER_BODY_LIMIT = MAX_ANSWER_BYTES + 64 * 1024


def error_response(exc: WorkforceError) -> JSONResponse:
    return JSONResponse({"error": str(exc), "code": exc.code}, status_code=exc.status)


def is_admin(request: Request, ctx: ServiceContext) -> bool:
    """True when the request carries the service's admin token (``X-A2I-Admin-Token``)."""
    from a2i_kit.service import auth

    return auth.is_admin(request, ctx)


def require_admin(request: Request, ctx: ServiceContext) -> None:
    if not is_admin(request, ctx):
        raise WorkforceError(401, "Unauthorized",
                             "this route needs the admin token in the X-A2I-Admin-Token header "
                             "(ServiceThread.admin_token, or the file <data_dir>/admin-token)")


def bearer_token(request: Request) -> str | None:
    """A worker token from ``Authorization: Bearer`` (scripts, simulated reviewers, widgets)."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()[:512] or None
    return None


def require_worker(request: Request, ctx: ServiceContext, *, changes_state: bool = False) -> dict[str, Any]:
    """The worker of a bearer token, or of the portal's session cookie.

    A state-changing call authenticated by the cookie must come from the portal's own page
    (Origin/Sec-Fetch-Site) and carry the session's CSRF token in ``X-A2I-CSRF``; a bearer call
    cannot be forged by another page and is exempt.
    """
    token = bearer_token(request)
    if token is not None:
        worker = authenticate(ctx, token)
    else:
        found = sessions.request_worker(ctx, request)
        worker = found[0] if found else None
        if found and changes_state:
            check_csrf(request, ctx, found[1]["n"])
    if worker is None:
        raise WorkforceError(401, "Unauthorized",
                             "sign in first: send 'Authorization: Bearer <worker token>' (a2i-kit review "
                             "add-worker prints one) or open the worker's sign-in link")
    return worker


def check_csrf(request: Request, ctx: ServiceContext, nonce: str) -> None:
    reason = sessions.cross_origin_reason(request)
    if reason:
        raise WorkforceError(403, "CrossOriginRequest", f"refused: {reason}")
    if not sessions.csrf_matches(ctx, request.headers.get(sessions.CSRF_HEADER), [nonce]):
        raise WorkforceError(403, "InvalidCsrfToken",
                             f"refused: the {sessions.CSRF_HEADER} header is missing or does not match "
                             "your session; reload the portal page and try again")


def loop_param(request: Request) -> str:
    """The ``{loop}`` path parameter, refused when it cannot be a human loop name."""
    name = request.path_params["loop"]
    if len(name) > 63 or not LOOP_NAME.fullmatch(name):
        shown = name[:64].encode("utf-8", "backslashreplace").decode()
        raise WorkforceError(400, "InvalidRequest",
                             f"{shown!r} is not a human loop name: 1-63 letters, digits and hyphens, "
                             "starting and ending with a letter or digit")
    return name


def worker_id_param(request: Request) -> str:
    worker_id = request.path_params["worker_id"]
    if not WORKER_ID.fullmatch(worker_id):
        raise WorkforceError(400, "InvalidRequest", "a workerId is 16 lowercase hex digits, e.g. "
                             "0f3c9a2b7d1e4c55; list workers with GET /_a2i/workforce/workers")
    return worker_id


def check_json_type(request: Request, *, required: bool) -> None:
    """JSON routes take ``application/json`` only (a form or text/plain post is refused)."""
    declared = request.headers.get("content-type")
    if declared is None and not required:
        return
    media = (declared or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise WorkforceError(415, "UnsupportedMediaType",
                             f"this route takes Content-Type: application/json, not {(declared or 'none')[:60]!r}")


async def json_body(request: Request, limit: int, *, required: bool = True) -> dict[str, Any]:
    check_json_type(request, required=required)
    try:
        raw = await read_capped(request, limit)
        return strict_object(raw, empty_ok=not required)
    except BodyError as exc:
        code = "RequestTooLarge" if exc.status == 413 else "InvalidRequest"
        raise WorkforceError(exc.status, code, f"request body: {exc.message}") from None


def endpoint(work: Callable[[Request], Awaitable[Any]]) -> Callable[[Request], Awaitable[Response]]:
    """Wrap ``work(request) -> JSON-able`` so WorkforceError becomes ``{"error", "code"}``."""

    async def handler(request: Request) -> Response:
        try:
            result = await work(request)
        except WorkforceError as exc:
            return error_response(exc)
        return result if isinstance(result, Response) else JSONResponse(result)

    return handler


def admin_routes(ctx: ServiceContext) -> list[BaseRoute]:
    """``/_a2i/workforce/workers``: add, list, delete, new token, new sign-in link."""

    async def add(request: Request) -> Any:
        require_admin(request, ctx)
        body = await json_body(request, ADMIN_BODY_LIMIT)
        name: Any = body.get("name")  # unchecked JSON: create_worker validates every field
        groups: Any = body.get("groups")
        view, token = await run_in_threadpool(
            create_worker, ctx, name, groups, body.get("identityProvider", "Cognito"))
        link = await run_in_threadpool(sign_in_url, ctx, view["workerId"])
        return JSONResponse({**view, "token": token, "signInUrl": link}, status_code=201)

    async def listing(request: Request) -> Any:
        require_admin(request, ctx)
        return {"workers": await run_in_threadpool(list_workers, ctx)}

    async def remove(request: Request) -> Any:
        require_admin(request, ctx)
        released = await run_in_threadpool(delete_worker, ctx, worker_id_param(request))
        return {"releasedClaims": released}

    async def new_token(request: Request) -> Any:
        require_admin(request, ctx)
        worker_id = worker_id_param(request)
        await json_body(request, ADMIN_BODY_LIMIT, required=False)
        token = await run_in_threadpool(rotate_token, ctx, worker_id)
        view = worker_view(get_worker(ctx, worker_id))
        return {**view, "token": token, "signInUrl": sign_in_url(ctx, worker_id)}

    async def new_link(request: Request) -> Any:
        """A fresh one-time sign-in link (the token stays; earlier unused links keep working)."""
        require_admin(request, ctx)
        worker_id = worker_id_param(request)
        await json_body(request, ADMIN_BODY_LIMIT, required=False)
        return {"workerId": worker_id, "signInUrl": await run_in_threadpool(sign_in_url, ctx, worker_id),
                "expiresInSeconds": ctx.config.signin_link_seconds}

    return [
        Route("/_a2i/workforce/workers", endpoint(add), methods=["POST"]),
        Route("/_a2i/workforce/workers", endpoint(listing), methods=["GET"]),
        Route("/_a2i/workforce/workers/{worker_id}", endpoint(remove), methods=["DELETE"]),
        Route("/_a2i/workforce/workers/{worker_id}/token", endpoint(new_token), methods=["POST"]),
        Route("/_a2i/workforce/workers/{worker_id}/signin-link", endpoint(new_link), methods=["POST"]),
    ]


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """Worker API under ``/_a2i/worker`` (continuous work: work_http) and admin routes under
    ``/_a2i/workforce`` (events: events_http)."""

    async def me(request: Request) -> Any:
        worker = require_worker(request, ctx)
        teams = await run_in_threadpool(member_teams, ctx, worker)
        return {**worker_view(worker), "workteams": [team["arn"] for team in teams]}

    async def tasks(request: Request) -> Any:
        worker = require_worker(request, ctx)
        return {"tasks": await run_in_threadpool(list_tasks, ctx, worker)}

    async def claim_route(request: Request) -> Any:
        loop = loop_param(request)
        worker = require_worker(request, ctx, changes_state=True)
        await json_body(request, ADMIN_BODY_LIMIT, required=False)
        # A simulated reviewer (admin token) also gets the task input, sparing a task_details call.
        return await run_in_threadpool(claim, ctx, worker, loop, with_input=is_admin(request, ctx))

    async def submit_route(request: Request) -> Any:
        loop = loop_param(request)
        worker = require_worker(request, ctx, changes_state=True)
        body = await json_body(request, ANSWER_BODY_LIMIT)
        if "answerContent" not in body:
            raise WorkforceError(400, "InvalidRequest",
                                 'the body needs "answerContent": {...} (the crowd-form answer object)')
        time_spent, accepted = _simulated_times(request, body)
        return await run_in_threadpool(lambda: submit(ctx, worker, loop,
                                                      body["answerContent"], time_spent=time_spent,
                                                      acceptance_time=accepted))

    async def release_route(request: Request) -> Any:
        loop = loop_param(request)
        worker = require_worker(request, ctx, changes_state=True)
        await json_body(request, ADMIN_BODY_LIMIT, required=False)
        return await run_in_threadpool(release, ctx, worker, loop)

    async def details(request: Request) -> Any:
        require_admin(request, ctx)
        return await run_in_threadpool(task_details, ctx, loop_param(request))

    def _simulated_times(request: Request, body: dict[str, Any]) -> tuple[float | None, float | None]:
        """Simulated reviewers may set their time; real workers (no admin token) may not."""
        time_spent, accepted = body.get("timeSpentInSeconds"), body.get("acceptanceTime")
        if time_spent is None and accepted is None:
            return None, None
        if not is_admin(request, ctx):
            raise WorkforceError(403, "Forbidden", "timeSpentInSeconds and acceptanceTime are measured by "
                                 "the service; only simulated reviewers (admin token) may set them")
        for label, value in (("timeSpentInSeconds", time_spent), ("acceptanceTime", accepted)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise WorkforceError(400, "InvalidRequest", f"{label} must be a number ≥ 0 (seconds)")
        return time_spent, accepted

    worker_routes = [
        Route("/_a2i/worker/me", endpoint(me), methods=["GET"]),
        Route("/_a2i/worker/tasks", endpoint(tasks), methods=["GET"]),
        Route("/_a2i/worker/tasks/{loop}/claim", endpoint(claim_route), methods=["POST"]),
        Route("/_a2i/worker/tasks/{loop}/submit", endpoint(submit_route), methods=["POST"]),
        Route("/_a2i/worker/tasks/{loop}/release", endpoint(release_route), methods=["POST"]),
        Route("/_a2i/workforce/tasks/{loop}", endpoint(details), methods=["GET"]),
    ]
    from a2i_kit.service import work_http  # here, not at the top: work_http builds on this module

    return worker_routes + work_http.routes(ctx) + admin_routes(ctx)
