"""a2i-kit: human review of ML predictions from a notebook.

Example:
    >>> import a2i_kit
    >>> session = a2i_kit.connect()          # embedded A2I-compatible service  # doctest: +SKIP
    >>> session.sagemaker.list_flow_definitions()["FlowDefinitionSummaries"]  # doctest: +SKIP
    []
"""

from __future__ import annotations

from a2i_kit.errors import (
    A2IKitError,
    ConfigError,
    InputError,
    LaunchError,
    ResultsError,
    ServiceError,
    TemplateError,
)
from a2i_kit.session import Session, connect

__version__ = "0.1.0"

__all__ = [
    "A2IKitError",
    "ConfigError",
    "InputError",
    "Session",
    "LaunchError",
    "ResultsError",
    "ServiceError",
    "TemplateError",
    "__version__",
    "connect",
]
