"""The A2I runtime's REST routes: thin handlers that pull members from path, query and body.

| Operation | Route |
|---|---|
| StartHumanLoop | ``POST /human-loops`` |
| ListHumanLoops | ``GET /human-loops`` |
| StopHumanLoop | ``POST /human-loops/stop`` |
| DescribeHumanLoop | ``GET /human-loops/{HumanLoopName}`` |
| DeleteHumanLoop | ``DELETE /human-loops/{HumanLoopName}`` |

Example:
    >>> [r.path for r in routes(None, None)]
    ['/human-loops', '/human-loops/stop', '/human-loops/{name:path}']
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from a2i_kit.service.a2i_runtime import OPERATIONS
from a2i_kit.service.protocol import (
    AwsError,
    InternalServerException,
    check_content_type,
    json_response,
    parse_json_object,
    parse_timestamp,
    read_body,
    rest_error,
)
from a2i_kit.service.validation import RUNTIME, validate

log = logging.getLogger(__name__)
LIST_QUERY = ("FlowDefinitionArn", "CreationTimeAfter", "CreationTimeBefore", "SortOrder", "NextToken",
              "MaxResults")


def _list_params(request: Request) -> dict[str, Any]:
    query = request.query_params
    params: dict[str, Any] = {key: query[key] for key in LIST_QUERY if key in query}
    for key in ("CreationTimeAfter", "CreationTimeBefore"):
        if key in params:
            params[key] = parse_timestamp(params[key], key[0].lower() + key[1:])
    if "MaxResults" in params:
        text = params["MaxResults"]
        params["MaxResults"] = int(text) if text.lstrip("-").isdigit() else text
    return params


async def _params(request: Request, operation: str, limit: int) -> dict[str, Any]:
    if operation in ("StartHumanLoop", "StopHumanLoop"):
        check_content_type(request, "application/json")
        return parse_json_object(await read_body(request, limit))
    if operation == "ListHumanLoops":
        return _list_params(request)
    return {"HumanLoopName": request.path_params["name"]}


def _operation(request: Request) -> str:
    path, method = request.scope["path"], request.method
    if path.endswith("/human-loops"):
        return "StartHumanLoop" if method == "POST" else "ListHumanLoops"
    if path.endswith("/human-loops/stop") and method == "POST":
        return "StopHumanLoop"
    return "DeleteHumanLoop" if method == "DELETE" else "DescribeHumanLoop"


def routes(ctx: Any, faults: Any) -> list[Route]:
    """The five runtime routes, bound to ``ctx`` and the fault switchboard."""

    async def endpoint(request: Request) -> Response:
        try:
            operation = _operation(request)
            delay = faults.check()
            if delay:
                await asyncio.sleep(delay)
            params = await _params(request, operation, ctx.config.max_body_bytes)
            validate(RUNTIME, operation, params, lenient_names=ctx.config.lenient_names)
            return json_response(OPERATIONS[operation](ctx, params))
        except AwsError as exc:
            return rest_error(exc)
        except Exception:
            log.exception("A2I runtime operation failed")
            return rest_error(InternalServerException("The service hit an unexpected error; see its log."))

    return [
        Route("/human-loops", endpoint, methods=["GET", "POST"]),
        Route("/human-loops/stop", endpoint, methods=["POST"]),
        Route("/human-loops/{name:path}", endpoint, methods=["GET", "DELETE"]),
    ]
