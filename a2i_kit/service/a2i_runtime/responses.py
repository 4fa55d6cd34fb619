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
from a2i_kit.service.bodies import BodyError, check_text
from a2i_kit.service.protocol import (
    AwsError,
    InternalServerException,
    ValidationException,
    json_response,
    parse_json_object,
    parse_timestamp,
    read_body,
    refuse_browser,
    rest_error,
)
from a2i_kit.service.validation import RUNTIME, validate

log = logging.getLogger(__name__)
LIST_QUERY = ("FlowDefinitionArn", "CreationTimeAfter", "CreationTimeBefore", "SortOrder", "NextToken",
              "MaxResults")


def _member(key: str) -> str:
    return key[0].lower() + key[1:]


def _list_params(request: Request) -> dict[str, Any]:
    query = request.query_params
    params: dict[str, Any] = {key: _text(query[key], _member(key)) for key in LIST_QUERY if key in query}
    for key in ("CreationTimeAfter", "CreationTimeBefore"):
        if key in params:
            params[key] = parse_timestamp(params[key], _member(key))
    if "MaxResults" in params:
        params["MaxResults"] = _integer(params["MaxResults"], "maxResults")
    return params


def _integer(text: str, member: str) -> int | str:
    """An integer query value: ASCII digits only ('١٢' is not 12 here); long ones are out of range."""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        return text  # the validator words the type error
    if len(digits) > 18:
        raise ValidationException(
            f"1 validation error detected: Value '{text[:64]}' at '{member}' failed to satisfy constraint: "
            "Member must have value less than or equal to 100")
    return int(text)


def _text(value: str, member: str) -> str:
    try:
        return check_text(value, member)
    except BodyError as exc:
        raise ValidationException(f"1 validation error detected: {exc.message}") from None


async def _params(request: Request, operation: str, limit: int) -> dict[str, Any]:
    if operation in ("StartHumanLoop", "StopHumanLoop"):
        return parse_json_object(await read_body(request, limit))
    if operation == "ListHumanLoops":
        return _list_params(request)
    return {"HumanLoopName": _text(request.path_params["name"], "humanLoopName")}


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
            refuse_browser(request, "application/json")
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
