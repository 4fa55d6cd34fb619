"""AWS error codes of botocore exceptions: what went wrong, and whether to retry or ignore it.

Example:
    >>> from botocore.exceptions import ClientError
    >>> exc = client_error("ThrottlingException", "Rate exceeded")
    >>> error_code(exc), is_throttle(exc), is_not_found(exc)
    ('ThrottlingException', True, False)
    >>> error_message(exc)
    'ThrottlingException: Rate exceeded'
"""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

THROTTLE_CODES = frozenset({
    "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
    "RequestLimitExceeded", "ServiceQuotaExceededException",
})
SERVER_CODES = frozenset({"InternalServerException", "InternalFailure", "ServiceUnavailable",
                          "RequestTimeout"})
RETRYABLE_CODES = THROTTLE_CODES | SERVER_CODES
NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "ResourceNotFound", "NoSuchKey",
                             "NoSuchBucket", "NotFound", "404"})
CONNECTION_ERRORS = (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError,
                     ConnectTimeoutError)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "") or None
    return None


def error_message(exc: BaseException) -> str:
    """``Code: message`` for AWS errors, else ``ExceptionType: text``."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code')}: {err.get('Message')}"
    return f"{type(exc).__name__}: {exc}"


def is_throttle(exc: BaseException) -> bool:
    """True for throttling and quota errors (slow down and try again)."""
    return error_code(exc) in THROTTLE_CODES


def is_not_found(exc: BaseException) -> bool:
    """True when the named resource does not exist (or no longer exists)."""
    return error_code(exc) in NOT_FOUND_CODES


def is_retryable(exc: BaseException) -> bool:
    """True for throttling, server-side and connection errors."""
    return isinstance(exc, CONNECTION_ERRORS) or error_code(exc) in RETRYABLE_CODES


def client_error(code: str, message: str = "", operation: str = "StartHumanLoop") -> ClientError:
    """A botocore ClientError as the service would raise it (for tests and examples)."""
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)
