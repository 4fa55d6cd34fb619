"""``GET /_a2i/events``: status-change events as a stream any client can follow with a cursor.

``GET /_a2i/events?after=<seq>&limit=<n>&wait=<seconds>`` (admin token) answers
``{"events": [...], "next": <seq>}``: up to ``limit`` (1-1000, default 100) EventBridge-shaped
events recorded after cursor ``after`` (default 0, the start; ``latest`` = the newest event, to
follow only what happens from now on), oldest first, and the cursor to pass next. With ``wait`` (0-20 seconds, default 0) and nothing new yet, the answer waits until an event
arrives or ``wait`` has passed (a long poll), then answers what it has (maybe nothing).

Webhook administration lives beside it, under ``/_a2i/admin/webhooks`` (admin token):
``POST`` ``{"url", "secret"}`` registers, ``GET`` lists, ``DELETE …/{id}`` removes,
``GET …/{id}/deliveries`` reads the delivery log (see ``a2i_kit.service.webhooks``).

Example:
    >>> import httpx                                                    # doctest: +SKIP
    >>> httpx.get(f"{url}/_a2i/events", params={"after": 0, "wait": 10},
    ...           headers={"X-A2I-Admin-Token": token}).json()["next"]  # doctest: +SKIP
    3
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from a2i_kit.errors import InputError
from a2i_kit.service.auth import require_admin
from a2i_kit.service.bodies import BodyError, read_capped, strict_object
from a2i_kit.service.events import head_seq, read_after

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_WAIT_SECONDS = 20
# How often a long poll looks again when no in-process event woke it (events of other processes).
POLL_SECONDS = 0.5
MAX_SEQ = 2**63 - 1
WEBHOOK_BODY_BYTES = 16 * 1024
_NUMBER = re.compile(r"\d{1,19}(\.\d{1,6})?")


class ParamError(Exception):
    """A query parameter refused at the door (400)."""


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status)


def _number(request: Request, name: str, default: float, low: int, high: int, *,
            whole: bool = True, hint: str = "") -> float:
    values = request.query_params.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise ParamError(f"query parameter {name!r} is given {len(values)} times; give it once")
    raw = values[0]
    kind = "a whole number" if whole else "a number of seconds"
    if not (raw.isascii() and _NUMBER.fullmatch(raw)) or (whole and "." in raw) or not low <= float(raw) <= high:
        shown = raw if len(raw) <= 40 else raw[:40] + "..."
        raise ParamError(f"query parameter {name}={shown!r} must be {kind} from {low} to {high}{hint}")
    return int(raw) if whole else float(raw)


def cursor_params(request: Request) -> tuple[int | None, int, float]:
    """``(after, limit, wait)`` of an events request (after None = latest); raises ParamError."""
    unknown = sorted(set(request.query_params.keys()) - {"after", "limit", "wait"})
    if unknown:
        raise ParamError(f"unknown query parameter {unknown[0][:40]!r}; /_a2i/events takes after, limit and wait")
    if request.query_params.getlist("after") == ["latest"]:
        after = None
    else:
        after = int(_number(request, "after", 0, 0, MAX_SEQ,
                            hint=' (the "next" of the previous answer) or latest'))
    limit = int(_number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT))
    wait = _number(request, "wait", 0.0, 0, MAX_WAIT_SECONDS, whole=False)
    return after, limit, wait


async def wait_for_events(ctx: Any, after: int, limit: int, wait: float) -> list[tuple[int, dict[str, Any]]]:
    """Events after ``after``; when none, look again on every in-process event or poll, until ``wait``."""
    deadline = time.monotonic() + wait
    woke = asyncio.Event()
    loop = asyncio.get_running_loop()

    def wake(_event: dict[str, Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits any more
            loop.call_soon_threadsafe(woke.set)

    unsubscribe = ctx.bus.subscribe(wake)
    try:
        while True:
            woke.clear()
            items = await run_in_threadpool(read_after, ctx, after, limit)
            remaining = deadline - time.monotonic()
            if items or remaining <= 0:
                return items
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woke.wait(), min(POLL_SECONDS, remaining))
    finally:
        unsubscribe()


def event_routes(ctx: Any) -> list[BaseRoute]:
    """``GET /_a2i/events``."""

    async def events(request: Request) -> Response:
        require_admin(request, ctx)
        try:
            after, limit, wait = cursor_params(request)
        except ParamError as exc:
            return _error(400, "InvalidRequest", str(exc))
        if after is None:
            after = await run_in_threadpool(head_seq, ctx)
        items = await wait_for_events(ctx, after, limit, wait)
        return JSONResponse({"events": [event for _seq, event in items],
                             "next": items[-1][0] if items else after})

    return [Route("/_a2i/events", events, methods=["GET"])]


def webhook_routes(ctx: Any) -> list[BaseRoute]:
    """Admin routes that register, list and remove webhooks and read their delivery log."""
    from a2i_kit.service import webhook_delivery as hooks

    async def add(request: Request) -> Response:
        require_admin(request, ctx)
        try:
            body = strict_object(await read_capped(request, WEBHOOK_BODY_BYTES), empty_ok=False)
            unknown = sorted(set(body) - {"url", "secret"})
            if unknown:
                raise InputError(f"unknown field {unknown[0][:40]!r}; a webhook takes url and secret")
            view = await run_in_threadpool(hooks.add_webhook, ctx, body.get("url"), body.get("secret"))
        except BodyError as exc:
            return _error(exc.status, "PayloadTooLarge" if exc.status == 413 else "InvalidRequest", exc.message)
        except InputError as exc:
            return _error(400, "InvalidRequest", str(exc))
        return JSONResponse(view, status_code=201)

    async def listing(request: Request) -> Response:
        require_admin(request, ctx)
        return JSONResponse({"webhooks": await run_in_threadpool(hooks.list_webhooks, ctx)})

    def _id(request: Request) -> int | None:
        raw = request.path_params["webhook_id"]
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None

    def _missing(request: Request) -> JSONResponse:
        return _error(404, "NotFound", f"no webhook {request.path_params['webhook_id'][:40]!r}; "
                      "list them with GET /_a2i/admin/webhooks (a2i-kit admin list-webhooks)")

    async def remove(request: Request) -> Response:
        require_admin(request, ctx)
        webhook_id = _id(request)
        if webhook_id is None or not await run_in_threadpool(hooks.remove_webhook, ctx, webhook_id):
            return _missing(request)
        return JSONResponse({"deleted": webhook_id})

    async def deliveries(request: Request) -> Response:
        require_admin(request, ctx)
        webhook_id = _id(request)
        try:
            unknown = sorted(set(request.query_params.keys()) - {"limit"})
            if unknown:
                raise ParamError(f"unknown query parameter {unknown[0][:40]!r}; the delivery log takes limit")
            limit = int(_number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT))
        except ParamError as exc:
            return _error(400, "InvalidRequest", str(exc))
        log = None if webhook_id is None else await run_in_threadpool(hooks.delivery_log, ctx, webhook_id, limit)
        if log is None:
            return _missing(request)
        return JSONResponse({"deliveries": log})

    base = "/_a2i/admin/webhooks"
    return [Route(base, add, methods=["POST"]), Route(base, listing, methods=["GET"]),
            Route(base + "/{webhook_id}", remove, methods=["DELETE"]),
            Route(base + "/{webhook_id}/deliveries", deliveries, methods=["GET"])]


def routes(ctx: Any) -> list[BaseRoute]:
    """Every route of this module; the service registers them before the ``/_a2i`` mount."""
    return [*event_routes(ctx), *webhook_routes(ctx)]
