"""Retry transient AWS errors: the launcher's names for :mod:`a2i_kit.client.retry`.

The policy, the retried error codes and the helpers live in the client layer; this module keeps
the names ``a2i_kit.launch`` has always exported.

Example:
    >>> RetryPolicy().max_attempts, error_code(client_error("ThrottlingException"))
    (10, 'ThrottlingException')
"""

from __future__ import annotations

from a2i_kit.client.errors import (
    CONNECTION_ERRORS,
    RETRYABLE_CODES,
    client_error,
    error_code,
    error_message,
    is_retryable,
)
from a2i_kit.client.retry import RetryPolicy, call_with_retry

__all__ = ["CONNECTION_ERRORS", "RETRYABLE_CODES", "RetryPolicy", "call_with_retry", "client_error",
           "error_code", "error_message", "is_retryable"]
