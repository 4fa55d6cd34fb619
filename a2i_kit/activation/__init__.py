"""Activation conditions of built-in task types (Textract forms, Rekognition moderation).

Build them with small helpers, validate them like CreateFlowDefinition, and evaluate them
locally against saved AnalyzeDocument / DetectModerationLabels responses.

Example:
    >>> from a2i_kit.activation import conditions, moderation_check, validate_conditions
    >>> text = conditions(moderation_check("*", lt=80))
    >>> validate_conditions(REKOGNITION_SOURCE, text)
    []
"""

from __future__ import annotations

from a2i_kit.activation.schema import REKOGNITION_SOURCE, REQUEST_SOURCES, TEXTRACT_SOURCE
from a2i_kit.activation.validate import format_problems, validate_conditions

__all__ = [
    "REKOGNITION_SOURCE",
    "REQUEST_SOURCES",
    "TEXTRACT_SOURCE",
    "format_problems",
    "validate_conditions",
]

try:  # builders/evaluation are added in later modules; validation must import on its own
    from a2i_kit.activation.build import (
        And,
        Or,
        conditions,
        form_key_check,
        missing_form_key,
        moderation_check,
        sampling,
    )

    __all__ += ["And", "Or", "conditions", "form_key_check", "missing_form_key",
                "moderation_check", "sampling"]
except ModuleNotFoundError as _exc:  # pragma: no cover - only while the tree is being built
    if _exc.name != "a2i_kit.activation.build":
        raise
