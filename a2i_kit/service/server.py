"""The embedded service's ASGI app: AWS routes at the root, everything else under ``/_a2i/``.

- ``POST /`` — SageMaker JSON 1.1 (``X-Amz-Target: SageMaker.<Op>``).
- ``/human-loops…`` — A2I runtime rest-json.
- ``/_a2i/health`` (no auth), ``/_a2i/admin/{faults,clock,reset}`` (admin token),
  ``/_a2i/noop/…`` (fixed answers on the same stack: the benchmark baseline),
  ``/_a2i/ui-templates/{name}`` (signed link from DescribeHumanTaskUi), and the routes of the
  extension modules in ``EXTENSIONS``.

Example:
    >>> app = build_app(ctx, Faults())  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import json
import logging
import math
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from a2i_kit.errors import InputError
from a2i_kit.service.a2i_runtime.responses import routes as runtime_routes
from a2i_kit.service.auth import TEMPLATE_LINK, LinkRefused, require_admin, verify_link
from a2i_kit.service.bodies import BodyError, read_capped, strict_object
from a2i_kit.service.events_http import routes as events_routes
from a2i_kit.service.faults import Faults
from a2i_kit.service.hosts import HostGuard
from a2i_kit.service.protocol import (
    MethodNotAllowedException,
    RouteNotFoundException,
    json11_error,
    rest_error,
)
from a2i_kit.service.sagemaker.responses import json11_endpoint
from a2i_kit.service.sigv4_guard import guard as sigv4_guard

log = logging.getLogger(__name__)
EXTENSIONS = ("a2i_kit.service.worker_http", "a2i_kit.service.objects", "a2i_kit.service.builtin_loops",
              "a2i_kit.service.quality_http", "a2i_kit.portal.routes")
RESET_TABLES = ("task_uis", "flow_definitions", "workteams", "workers", "loops", "assignments", "settings",
                "outbox", "events", "quality_configs", "quality_items", "quality_tasks", "quality_workers")


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status)


ADMIN_BODY_BYTES = 64 * 1024
# Service time may move at most this far in one call, and in total (years of 365.25 days).
MAX_CLOCK_JUMP_SECONDS = 10 * 365.25 * 86400
MAX_CLOCK_OFFSET_SECONDS = 100 * 365.25 * 86400


class AdminBodyError(Exception):
    """A bad admin request body: answered as ``{"error", "code"}`` JSON."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


async def _json_object(request: Request) -> dict[str, Any]:
    """The admin body as a JSON object, read capped and parsed strictly (``bodies``)."""
    try:
        return strict_object(await read_capped(request, ADMIN_BODY_BYTES))
    except BodyError as exc:
        raise AdminBodyError(exc.message, exc.status) from None


def _admin_error(exc: AdminBodyError) -> JSONResponse:
    return _error(exc.status, "PayloadTooLarge" if exc.status == 413 else "BadRequest", exc.message)


def _clock_seconds(body: dict[str, Any], offset: float) -> float | str:
    """The clock jump asked for, or why it is refused."""
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
        return 'send {"seconds": n} with a number n >= 0'
    if seconds > MAX_CLOCK_JUMP_SECONDS:
        return (f"seconds={seconds:g} is more than the largest jump, {MAX_CLOCK_JUMP_SECONDS:.0f} "
                "(10 years); move the clock in smaller steps")
    if offset + seconds > MAX_CLOCK_OFFSET_SECONDS:
        return (f"the service clock is already {offset:.0f} s ahead; it may run at most "
                f"{MAX_CLOCK_OFFSET_SECONDS:.0f} s (100 years) ahead of the wall clock")
    return float(seconds)


def admin_routes(ctx: Any, faults: Faults) -> list[BaseRoute]:
    async def faults_endpoint(request: Request) -> Response:
        require_admin(request, ctx)
        if request.method == "PUT":
            try:
                return JSONResponse(faults.configure(**await _json_object(request)))
            except AdminBodyError as exc:
                return _admin_error(exc)
            except (InputError, TypeError) as exc:
                return _error(400, "BadRequest", str(exc))
        return JSONResponse(faults.snapshot())

    async def clock_endpoint(request: Request) -> Response:
        require_admin(request, ctx)
        try:
            seconds = _clock_seconds(await _json_object(request), ctx.clock.offset)
        except AdminBodyError as exc:
            return _admin_error(exc)
        if isinstance(seconds, str):
            return _error(400, "BadRequest", seconds)
        ctx.advance_clock(seconds)
        return JSONResponse({"offset": ctx.clock.offset, "now": ctx.clock.now()})

    async def reset_endpoint(request: Request) -> Response:
        require_admin(request, ctx)
        ctx.store.reset(RESET_TABLES)
        ctx.clock.offset = 0.0
        faults.reset()
        if ctx.config.events_log.exists():
            ctx.config.events_log.write_text("")
        return JSONResponse({"reset": True})

    return [
        Route("/admin/faults", faults_endpoint, methods=["GET", "PUT"]),
        Route("/admin/clock", clock_endpoint, methods=["POST"]),
        Route("/admin/reset", reset_endpoint, methods=["POST"]),
    ]


def noop_routes() -> list[BaseRoute]:
    """Fixed, valid answers for the runtime routes (and ``POST /``): the stack's own cost."""
    arn = "arn:aws:sagemaker:us-east-1:111122223333:human-loop/noop"
    describe = json.dumps({
        "CreationTime": "2024-03-05T14:02:09.417Z", "HumanLoopStatus": "InProgress", "HumanLoopName": "noop",
        "HumanLoopArn": arn, "FlowDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/noop",
        "HumanLoopOutput": {"OutputS3Uri": "s3://noop/noop/output.json"}}).encode()
    answers = {"start": json.dumps({"HumanLoopArn": arn}).encode(), "describe": describe,
               "list": b'{"HumanLoopSummaries":[]}', "empty": b"{}"}

    def fixed(kind: str, media: str = "application/json") -> Any:
        async def endpoint(request: Request) -> Response:
            await request.body()
            return Response(answers[kind], media_type=media)
        return endpoint

    async def loops(request: Request) -> Response:
        await request.body()
        return Response(answers["start" if request.method == "POST" else "list"], media_type="application/json")

    return [
        Route("/", fixed("empty", "application/x-amz-json-1.1"), methods=["POST"]),
        Route("/human-loops", loops, methods=["GET", "POST"]),
        Route("/human-loops/stop", fixed("empty"), methods=["POST"]),
        Route("/human-loops/{name:path}", fixed("describe"), methods=["GET"]),
        Route("/human-loops/{name:path}", fixed("empty"), methods=["DELETE"]),
    ]


def misc_routes(ctx: Any) -> list[BaseRoute]:
    """``/health`` and ``/ui-templates/{name}``: the task UI ``Url`` of DescribeHumanTaskUi.

    The Url returns the template's source (Describe returns no content), like the presigned S3
    link AWS gives. It is plain text in a sandbox, never a page of the service's origin: a hostile
    template opened by a signed-in manager cannot run script here. Rendered previews are
    RenderUiTemplate, the widgets and the portal, all in sandboxed frames without same-origin.
    """
    template_headers = {"Content-Security-Policy": "sandbox; default-src 'none'",
                        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                        "Referrer-Policy": "no-referrer"}

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok", "region": ctx.config.region, "account": ctx.config.account_id})

    async def ui_template(request: Request) -> Response:
        name, query = request.path_params["name"], request.query_params
        sha = query.get("sha256", "")
        try:
            verify_link(ctx, TEMPLATE_LINK.format(name=name, sha256=sha), query.get("expires", ""),
                        query.get("signature", ""))
        except LinkRefused as exc:
            if exc.expired:
                return _error(403, "Forbidden", f"this task template link expired at {exc.when()}; call "
                              "DescribeHumanTaskUi again for a fresh UiTemplate.Url")
            return _error(403, "Forbidden", "the signature of this template link is not valid (or its "
                          "expires was edited); call DescribeHumanTaskUi for a fresh UiTemplate.Url")
        record = ctx.store.task_uis.get(name)
        if record is None or record["doc"]["ContentSha256"] != sha:
            return _error(404, "NotFound", f"no task template {name[:80]!r} with this content; it was "
                          "deleted or replaced: call DescribeHumanTaskUi again")
        return Response(record["doc"]["UiTemplate"]["Content"], media_type="text/plain; charset=utf-8",
                        headers=template_headers)

    return [Route("/health", health, methods=["GET"]),
            Route("/ui-templates/{name}", ui_template, methods=["GET"])]


def extension_routes(ctx: Any) -> list[BaseRoute]:
    """Routes of the worker API, the mirror, the built-in entry points and the portal.

    Imported here, when the app is built, because the portal sits above the service's core.
    """
    return [route for name in EXTENSIONS for route in importlib.import_module(name).routes(ctx)]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "")
    path = request.url.path
    if path.startswith("/_a2i/") and not path.startswith("/_a2i/noop/"):
        code = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed"}.get(status, "Error")
        return _error(status, code, str(detail))
    error = (MethodNotAllowedException(f"{request.method} is not allowed on {path[:200]}") if status == 405
             else RouteNotFoundException(f"No operation matches {request.method} {path[:200]}"))
    return json11_error(error) if "x-amz-target" in request.headers else rest_error(error)


def warm_validators(lenient_names: bool) -> None:
    """Load the botocore models and compile every operation's checks before the first request."""
    from a2i_kit.service.a2i_runtime import OPERATIONS as RUNTIME_OPERATIONS
    from a2i_kit.service.sagemaker import OPERATIONS as SAGEMAKER_OPERATIONS
    from a2i_kit.service.validation import RUNTIME, SAGEMAKER, compiled

    for operation in SAGEMAKER_OPERATIONS:
        compiled(SAGEMAKER, operation)
    for operation in RUNTIME_OPERATIONS:
        compiled(RUNTIME, operation, lenient_names)


def build_app(ctx: Any, faults: Faults, bound_host: str = "127.0.0.1") -> Any:
    """The service's ASGI app, behind the Host-header guard (see ``a2i_kit.service.hosts``)."""
    warm_validators(ctx.config.lenient_names)
    routes: list[BaseRoute] = [
        Route("/", json11_endpoint(ctx, faults), methods=["POST"]),
        *runtime_routes(ctx, faults),
        *events_routes(ctx),  # before the extensions and the /_a2i mount: /_a2i/events is served here
        *extension_routes(ctx),  # they carry full paths such as /_a2i/worker/tasks
        Mount("/_a2i", routes=[*misc_routes(ctx), *admin_routes(ctx, faults), Mount("/noop", routes=noop_routes())]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    # require_auth: SigV4 with the service's access keys on every route outside /_a2i/ (sigv4.py)
    return HostGuard(sigv4_guard(app, ctx), (*ctx.config.allowed_hosts, bound_host),
                     ctx.config.public_base_url)
