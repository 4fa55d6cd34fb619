"""One exception hierarchy for everything a2i-kit raises on purpose.

Example:
    >>> try:
    ...     raise InputError("item 'x-1': confidence is NaN")
    ... except A2IKitError as exc:
    ...     print(type(exc).__name__, exc)
    InputError item 'x-1': confidence is NaN
"""

from __future__ import annotations


class A2IKitError(Exception):
    """Base class: catch this to catch every a2i-kit error."""


class ConfigError(A2IKitError):
    """A setting or environment variable is missing or invalid."""


class InputError(A2IKitError, ValueError):
    """User data (predictions, payloads, arguments) cannot be used as given."""


class TemplateError(A2IKitError):
    """A worker task template cannot be parsed or rendered."""


class ServiceError(A2IKitError):
    """The embedded service could not start, or answered in an unexpected way."""


class LaunchError(A2IKitError):
    """Human loops could not be launched as asked."""


class ResultsError(A2IKitError):
    """Review outputs could not be read or parsed."""
