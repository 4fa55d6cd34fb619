"""AWS wire protocol pieces: one exception class per error code, error rendering, timestamps.

SageMaker speaks JSON 1.1 (errors: HTTP 400, ``{"__type": code, "Message": msg}``, timestamps
as epoch seconds); the A2I runtime speaks rest-json (errors: the modeled status, header
``X-Amzn-ErrorType``, body ``{"Message": msg, "message": msg}``, timestamps ISO-8601 with ms).

Example:
    >>> err = ConflictException("HumanLoop 'a' is active with other input")
    >>> err.code, err.status
    ('ConflictException', 409)
    >>> iso_ms(1709647329.417)
    '2024-03-05T14:02:09.417Z'
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from a2i_kit.service.timefmt import iso_ms

__all__ = [
    "AwsError", "ConflictException", "InternalServerException", "RequestEntityTooLargeException",
    "ResourceInUse", "ResourceLimitExceeded", "ResourceNotFound", "ResourceNotFoundException",
    "SerializationException", "ServiceQuotaExceededException", "ThrottlingException",
    "UnknownOperationException", "ValidationException", "epoch", "iso_ms", "json11_error",
    "json_response", "parse_timestamp", "rest_error",
]


class AwsError(Exception):
    """An error the service answers with; ``code`` is what botocore shows as ``Error.Code``."""

    code = "InternalFailure"
    status = 400  # rest-json status
    json_status = 400  # JSON 1.1 status (400 for client faults)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationException(AwsError):
    code = "ValidationException"


# SageMaker (JSON 1.1) codes: modeled without status, sent as 400.
class ResourceNotFound(AwsError):
    code = "ResourceNotFound"


class ResourceInUse(AwsError):
    code = "ResourceInUse"


class ResourceLimitExceeded(AwsError):
    code = "ResourceLimitExceeded"


# A2I runtime (rest-json) codes with their modeled HTTP status.
class ResourceNotFoundException(AwsError):
    code, status = "ResourceNotFoundException", 404


class ConflictException(AwsError):
    code, status = "ConflictException", 409


class ServiceQuotaExceededException(AwsError):
    code, status = "ServiceQuotaExceededException", 402


class ThrottlingException(AwsError):
    code, status = "ThrottlingException", 429


class InternalServerException(AwsError):
    code, status, json_status = "InternalServerException", 500, 500


# Protocol-level problems (not modeled per operation; AWS uses these codes service-wide).
class SerializationException(AwsError):
    code = "SerializationException"


class UnknownOperationException(AwsError):
    code = "UnknownOperationException"


class RouteNotFoundException(AwsError):
    code, status, json_status = "UnknownOperationException", 404, 404


class RequestEntityTooLargeException(AwsError):
    code, status, json_status = "RequestEntityTooLargeException", 413, 413


class MethodNotAllowedException(AwsError):
    code, status, json_status = "MethodNotAllowedException", 405, 405


def _dumps(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _request_id() -> dict[str, str]:
    """``x-amzn-RequestId`` (botocore shows it as ``ResponseMetadata.RequestId``)."""
    return {"x-amzn-RequestId": str(uuid.uuid4())}


def json_response(body: object, *, json11: bool = False, status: int = 200) -> Response:
    """A success response in the content type of the protocol."""
    media = "application/x-amz-json-1.1" if json11 else "application/json"
    return Response(_dumps(body), status_code=status, media_type=media, headers=_request_id())


def json11_error(exc: AwsError) -> Response:
    """JSON 1.1 error: ``{"__type": code, "Message": msg}`` (HTTP 400 unless a server fault)."""
    return Response(_dumps({"__type": exc.code, "Message": exc.message}), status_code=exc.json_status,
                    media_type="application/x-amz-json-1.1",
                    headers={"x-amzn-ErrorType": exc.code, **_request_id()})


def rest_error(exc: AwsError) -> Response:
    """rest-json error: modeled status, ``X-Amzn-ErrorType`` header, message in the body."""
    return Response(_dumps({"Message": exc.message, "message": exc.message}), status_code=exc.status,
                    media_type="application/json", headers={"X-Amzn-ErrorType": exc.code, **_request_id()})


def epoch(value: float) -> float:
    """Epoch seconds as SageMaker returns them (millisecond precision)."""
    return round(value, 3)


def parse_timestamp(value: object, member: str) -> float:
    """Epoch seconds from a number, a numeric string or an ISO-8601 string (``Z`` or offset).

    >>> parse_timestamp("2020-02-24T01:02:03Z", "creationTimeAfter")
    1582506123.0
    """
    if isinstance(value, bool):
        raise _bad_timestamp(value, member)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise _bad_timestamp(value, member) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    raise _bad_timestamp(value, member)


def _bad_timestamp(value: object, member: str) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        "Member must be a timestamp (epoch seconds or ISO-8601 such as 2020-02-24T01:02:03Z)")


JSON_CONTENT_TYPES = frozenset({"", "application/json", "application/x-amz-json-1.1",
                                "application/x-amz-json-1.0"})


async def read_body(request: Any, limit: int) -> bytes:
    """The request body, refusing (without reading it all) anything larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise SerializationException(f"Content-Length '{declared[:40]}' is not a number.")
        if int(declared) > limit:
            raise _too_large(int(declared), limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> RequestEntityTooLargeException:
    return RequestEntityTooLargeException(
        f"The request body ({size} bytes or more) is larger than this service accepts "
        f"({limit} bytes, ServiceConfig.max_body_bytes).")


def check_content_type(request: Any, expected: str) -> None:
    """Accept JSON content types (or none); anything else, such as a browser form post, is refused."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in JSON_CONTENT_TYPES:
        raise SerializationException(f"Content-Type '{media[:80]}' is not supported; send {expected}.")


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Decode a JSON object body (an empty body counts as ``{}``)."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SerializationException(f"The request body must be a JSON object, not a JSON {type(value).__name__}.")
    return value
