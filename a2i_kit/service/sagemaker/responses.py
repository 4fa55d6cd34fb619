"""The JSON 1.1 front door: ``POST /`` with ``X-Amz-Target: SageMaker.<Operation>``.

Example:
    >>> TARGET_PREFIX
    'SageMaker.'
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from a2i_kit.service.protocol import (
    AwsError,
    InternalServerException,
    UnknownOperationException,
    json11_error,
    json_response,
    parse_json_object,
    read_body,
    refuse_browser,
)
from a2i_kit.service.sagemaker import OPERATIONS, SLOW_OPERATIONS
from a2i_kit.service.validation import SAGEMAKER, validate

TARGET_PREFIX = "SageMaker."
log = logging.getLogger(__name__)


def resolve(target: str | None) -> str:
    """Operation name of an ``X-Amz-Target`` header value."""
    if not target:
        raise UnknownOperationException(
            "Missing X-Amz-Target header; name the operation there, e.g. SageMaker.ListFlowDefinitions.")
    operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else ""
    if operation not in OPERATIONS:
        raise UnknownOperationException(
            f"Operation '{target[:120]}' is not supported by this service. Supported: "
            + ", ".join(TARGET_PREFIX + name for name in OPERATIONS) + ".")
    return operation


def json11_endpoint(ctx: Any, faults: Any) -> Any:
    """The ASGI endpoint for ``POST /``."""

    async def endpoint(request: Request) -> Response:
        try:
            refuse_browser(request, "application/x-amz-json-1.1")
            operation = resolve(request.headers.get("x-amz-target"))
            delay = faults.check()
            if delay:
                await asyncio.sleep(delay)
            params = parse_json_object(await read_body(request, ctx.config.max_body_bytes))
            validate(SAGEMAKER, operation, params)
            handler = OPERATIONS[operation]
            if operation in SLOW_OPERATIONS:
                result = await run_in_threadpool(handler, ctx, params)
            else:
                result = handler(ctx, params)
            return json_response(result, json11=True)
        except AwsError as exc:
            return json11_error(exc)
        except Exception:
            log.exception("SageMaker operation failed")
            return json11_error(InternalServerException("The service hit an unexpected error; see its log."))

    return endpoint
