"""Admin routes of reviewer quality control (``X-A2I-Admin-Token``), under ``/_a2i/quality``.

- ``GET /_a2i/quality/flows/{flow}``: settings and item counts (never the known answers)
- ``POST /_a2i/quality/flows/{flow}/gold``: ``{"items": [...], "rate": 0.1}`` (either or both)
- ``PUT /_a2i/quality/flows/{flow}/qualification``: ``{"items": [...], "threshold": 0.8}``
- ``DELETE /_a2i/quality/flows/{flow}``: stop quality control of the flow definition
- ``POST /_a2i/quality/flows/{flow}/workers/{worker_id}/reset``: let a worker take the qualification again
- ``GET /_a2i/quality/accuracy[?flow=NAME]``: ``{"workers": [...]}`` (see :mod:`.quality_report`)

Errors are ``{"error": message, "code": Code}`` like the workforce routes.

Example:
    >>> httpx.post(f"{url}/_a2i/quality/flows/f/gold", headers=admin, json={"rate": 0.1})  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from a2i_kit.service import quality_config
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.quality_report import worker_accuracy
from a2i_kit.service.worker_http import endpoint, json_body, require_admin, worker_id_param
from a2i_kit.service.workforce import WorkforceError

BODY_LIMIT = 8 * 1024 * 1024
FLOW_NAME = re.compile(r"[A-Za-z0-9](-*[A-Za-z0-9]){0,62}")


def flow_param(value: str) -> str:
    if not FLOW_NAME.fullmatch(value):
        raise WorkforceError(400, "InvalidRequest", f"{value[:70]!r} is not a flow definition name: 1-63 letters, "
                             "digits and hyphens, starting and ending with a letter or digit")
    return value


def _only(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise WorkforceError(400, "InvalidRequest", f"unknown field(s) {unknown}; this route takes {list(allowed)}")


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    async def read(request: Request) -> Any:
        require_admin(request, ctx)
        flow = flow_param(request.path_params["flow"])
        await run_in_threadpool(quality_config.flow_record, ctx, flow)
        return await run_in_threadpool(quality_config.describe, ctx, flow)

    async def gold(request: Request) -> Any:
        require_admin(request, ctx)
        flow = flow_param(request.path_params["flow"])
        body = await json_body(request, BODY_LIMIT)
        _only(body, ("items", "rate"))
        return await run_in_threadpool(quality_config.add_gold, ctx, flow, body.get("items"), body.get("rate"))

    async def qualification(request: Request) -> Any:
        require_admin(request, ctx)
        flow = flow_param(request.path_params["flow"])
        body = await json_body(request, BODY_LIMIT)
        _only(body, ("items", "threshold"))
        return await run_in_threadpool(quality_config.set_qualification, ctx, flow, body.get("items"),
                                       body.get("threshold"))

    async def remove(request: Request) -> Any:
        require_admin(request, ctx)
        return await run_in_threadpool(quality_config.remove, ctx, flow_param(request.path_params["flow"]))

    async def reset(request: Request) -> Any:
        require_admin(request, ctx)
        flow, worker_id = flow_param(request.path_params["flow"]), worker_id_param(request)
        return await run_in_threadpool(quality_config.reset_qualification, ctx, flow, worker_id)

    async def accuracy(request: Request) -> Any:
        require_admin(request, ctx)
        flow = request.query_params.get("flow")
        if flow is not None:
            flow_param(flow)
        return {"workers": await run_in_threadpool(worker_accuracy, ctx, flow)}

    base = "/_a2i/quality"
    return [
        Route(f"{base}/flows/{{flow}}", endpoint(read), methods=["GET"]),
        Route(f"{base}/flows/{{flow}}", endpoint(remove), methods=["DELETE"]),
        Route(f"{base}/flows/{{flow}}/gold", endpoint(gold), methods=["POST"]),
        Route(f"{base}/flows/{{flow}}/qualification", endpoint(qualification), methods=["PUT"]),
        Route(f"{base}/flows/{{flow}}/workers/{{worker_id}}/reset", endpoint(reset), methods=["POST"]),
        Route(f"{base}/accuracy", endpoint(accuracy), methods=["GET"]),
    ]
