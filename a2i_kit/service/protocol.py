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
import math
import os
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import Response

from a2i_kit.service.bodies import BodyError, read_capped, strict_object
from a2i_kit.service.timefmt import iso_ms

__all__ = [
    "AccessDeniedException", "AwsError", "ConflictException", "InternalServerException", "RequestEntityTooLargeException",
    "ResourceInUse", "ResourceLimitExceeded", "ResourceNotFound", "ResourceNotFoundException",
    "SerializationException", "ServiceQuotaExceededException", "ThrottlingException",
    "UnknownOperationException", "ValidationException", "epoch", "iso_ms", "json11_error",
    "json_response", "parse_timestamp", "refuse_browser", "rest_error",
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


class AccessDeniedException(AwsError):
    code, status, json_status = "AccessDeniedException", 403, 403


class MethodNotAllowedException(AwsError):
    code, status, json_status = "MethodNotAllowedException", 405, 405


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # built once, not per answer
JSON = b"application/json"
JSON11 = b"application/x-amz-json-1.1"


def _dumps(body: object) -> bytes:
    return _ENCODER.encode(body).encode()


def _request_id() -> bytes:
    """``x-amzn-RequestId`` (botocore shows it as ``ResponseMetadata.RequestId``): a random UUID v4."""
    raw = bytearray(os.urandom(16))
    raw[6], raw[8] = raw[6] & 0x0F | 0x40, raw[8] & 0x3F | 0x80  # version 4, RFC 4122 variant
    text = raw.hex().encode()
    return b"-".join((text[:8], text[8:12], text[12:16], text[16:20], text[20:]))


class AwsResponse(Response):
    """A finished AWS answer whose header list is built directly (every AWS route answers with one).

    >>> AwsResponse(b"{}", 200, JSON).raw_headers[:2]
    [(b'content-length', b'2'), (b'content-type', b'application/json')]
    """

    def __init__(self, body: bytes, status: int, media: bytes, error_code: str | None = None) -> None:
        self.status_code, self.body, self.background = status, body, None
        self.raw_headers = [(b"content-length", b"%d" % len(body)), (b"content-type", media),
                            (b"x-amzn-requestid", _request_id())]
        if error_code is not None:
            self.raw_headers.append((b"x-amzn-errortype", error_code.encode("latin-1")))


def json_response(body: object, *, json11: bool = False, status: int = 200) -> Response:
    """A success response in the content type of the protocol."""
    return AwsResponse(_dumps(body), status, JSON11 if json11 else JSON)


def json11_error(exc: AwsError) -> Response:
    """JSON 1.1 error: ``{"__type": code, "Message": msg}`` (HTTP 400 unless a server fault)."""
    return AwsResponse(_dumps({"__type": exc.code, "Message": exc.message}), exc.json_status, JSON11, exc.code)


def rest_error(exc: AwsError) -> Response:
    """rest-json error: modeled status, ``X-Amzn-ErrorType`` header, message in the body."""
    return AwsResponse(_dumps({"Message": exc.message, "message": exc.message}), exc.status, JSON, exc.code)


def epoch(value: float) -> float:
    """Epoch seconds as SageMaker returns them (millisecond precision)."""
    return round(value, 3)


# Timestamps accepted in filters: 1970-01-01 up to 9999-12-31 (what a datetime can hold).
MAX_TIMESTAMP = 253402300799.0
_NUMERIC = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,9})?")


def parse_timestamp(value: object, member: str) -> float:
    """Epoch seconds from a number, a numeric string or an ISO-8601 string (``Z`` or offset).

    Only ASCII digits, finite values from 1970 to 9999 are accepted.

    >>> parse_timestamp("2020-02-24T01:02:03Z", "creationTimeAfter")
    1582506123.0
    """
    if isinstance(value, bool):
        raise _bad_timestamp(value, member)
    if isinstance(value, int | float):
        seconds = float(value) if not isinstance(value, int) or abs(value) < 10**18 else math.inf
    elif isinstance(value, str) and value.isascii():
        seconds = _parse_text_timestamp(value.strip(), value, member)
    else:
        raise _bad_timestamp(value, member)
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_TIMESTAMP):
        raise ValidationException(
            f"1 validation error detected: Value '{_cut(value)}' at '{member}' failed to satisfy constraint: "
            "Member must be a time between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z")
    return seconds


def _parse_text_timestamp(text: str, value: str, member: str) -> float:
    if _NUMERIC.fullmatch(text):
        return float(text)
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise _bad_timestamp(value, member) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.timestamp()
    except (OverflowError, ValueError):
        return math.inf


def _cut(value: object) -> str:
    text = str(value)
    return text if len(text) <= 64 else text[:64] + "..."


def _bad_timestamp(value: object, member: str) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value '{_cut(value)}' at '{member}' failed to satisfy constraint: "
        "Member must be a timestamp (epoch seconds or ISO-8601 such as 2020-02-24T01:02:03Z)")


JSON_CONTENT_TYPES = frozenset({"", "application/json", "application/x-amz-json-1.1",
                                "application/x-amz-json-1.0"})


async def read_body(request: Any, limit: int) -> bytes:
    """The request body, refusing (without reading it all) anything larger than ``limit`` bytes.

    One implementation for every route family (:func:`a2i_kit.service.bodies.read_capped`),
    with AWS's error shapes: 413 ``RequestEntityTooLargeException`` or 400 ``SerializationException``.
    """
    try:
        return await read_capped(request, limit)
    except ClientDisconnect:
        raise SerializationException("The client closed the connection before the whole body arrived.") from None
    except BodyError as exc:
        if exc.status == 413:
            raise RequestEntityTooLargeException(
                f"{_sentence(exc.message)} Send at most {limit} bytes (ServiceConfig.max_body_bytes).") from None
        raise SerializationException(_sentence(exc.message)) from None


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def refuse_browser(request: Any, expected: str) -> None:
    """Refuse what a web page can send: an ``Origin`` header or a non-AWS content type.

    AWS SDKs and the AWS CLI never send ``Origin``; browsers send it on every POST (also
    no-cors ``fetch`` and form posts, whose content types are text/plain, form-urlencoded or
    multipart). Without this, any page the user visits could start or stop loops here.
    The three headers are found in one pass over the raw header list (as starlette's
    ``Headers.get`` does, the first of repeated headers counts).
    """
    origin = site = media = None
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            media = value if media is None else media
        elif name == b"origin":
            origin = value if origin is None else origin
        elif name == b"sec-fetch-site":
            site = value if site is None else site
    if origin is not None:
        raise AccessDeniedException(
            f"Requests from web pages (Origin '{origin.decode('latin-1')[:80]}') are not accepted on the AWS API; "
            "call it from an AWS SDK or the AWS CLI.")
    if site is not None and site.decode("latin-1") in BROWSER_SITES:
        raise AccessDeniedException("Requests from web pages (Sec-Fetch-Site) are not accepted on the AWS API; "
                                    "call it from an AWS SDK or the AWS CLI.")
    _check_media((media or b"").decode("latin-1"), expected)


BROWSER_SITES = frozenset({"cross-site", "same-site", "same-origin"})


def check_content_type(request: Any, expected: str) -> None:
    """Accept JSON content types (or none); anything else, such as a browser form post, is refused."""
    _check_media(request.headers.get("content-type", ""), expected)


def _check_media(header: str, expected: str) -> None:
    media = header.split(";", 1)[0].strip().lower()
    if media not in JSON_CONTENT_TYPES:
        raise SerializationException(f"Content-Type '{media[:80]}' is not supported; send {expected}.")


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Decode a JSON object body strictly (an empty body counts as ``{}``); see ``bodies.strict_object``.

    >>> parse_json_object(b'{"a": 1}')
    {'a': 1}
    """
    try:
        return strict_object(body)
    except BodyError as exc:
        message = exc.message
        if message.startswith("not valid JSON"):
            message = "The request body is " + message
        raise SerializationException(_sentence(message)) from None
