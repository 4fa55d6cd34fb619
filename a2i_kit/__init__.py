"""a2i-kit: human review of ML predictions from a notebook.

Example:
    >>> import a2i_kit
    >>> session = a2i_kit.connect()          # embedded A2I-compatible service  # doctest: +SKIP
    >>> session.sagemaker.list_flow_definitions()["FlowDefinitionSummaries"]  # doctest: +SKIP
    []

The names below load on first use, so ``import a2i_kit`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

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

# public name -> module that defines it
_LAZY = {
    "ReviewPolicy": "a2i_kit.routing",
    "Budget": "a2i_kit.routing",
    "launch_loops": "a2i_kit.launch",
    "escalate": "a2i_kit.launch",
    "EscalatedResults": "a2i_kit.results",
    "status_summary": "a2i_kit.monitor",
    "wait_until_done": "a2i_kit.monitor",
    "ResourceTracker": "a2i_kit.monitor",
    "simulate_reviewers": "a2i_kit.review",
    "Results": "a2i_kit.results",
    "render": "a2i_kit.templates",
    "lint": "a2i_kit.templates",
    "builtin": "a2i_kit.templates",
    "LoopStatus": "a2i_kit.client",
    "WaiterError": "a2i_kit.client",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'a2i_kit' has no attribute {name!r}")


__all__ = [
    "A2IKitError",
    "Budget",
    "ConfigError",
    "EscalatedResults",
    "InputError",
    "LaunchError",
    "LoopStatus",
    "ResourceTracker",
    "Results",
    "ResultsError",
    "ReviewPolicy",
    "ServiceError",
    "Session",
    "TemplateError",
    "WaiterError",
    "__version__",
    "builtin",
    "connect",
    "escalate",
    "launch_loops",
    "lint",
    "render",
    "simulate_reviewers",
    "status_summary",
    "wait_until_done",
]
