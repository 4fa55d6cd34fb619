"""Activation conditions of built-in task types (Textract forms, Rekognition moderation).

Build them with small helpers, validate them like CreateFlowDefinition, evaluate them locally
against saved AnalyzeDocument / DetectModerationLabels responses, and replay saved calls against
the embedded service's built-in loops.

Example:
    >>> from a2i_kit.activation import conditions, moderation_check, validate_conditions
    >>> text = conditions(moderation_check("*", lt=80))
    >>> validate_conditions(REKOGNITION_SOURCE, text)
    []
"""

from __future__ import annotations

from a2i_kit.activation.build import (
    And,
    Or,
    conditions,
    form_key_check,
    missing_form_key,
    moderation_check,
    sampling,
)
from a2i_kit.activation.client import (
    analyze_document_with_review,
    detect_moderation_labels_with_review,
)
from a2i_kit.activation.evaluate import (
    Evaluation,
    EvaluationOptions,
    evaluate_conditions,
    sampling_draw,
)
from a2i_kit.activation.payload import build_input_content, lower_camel
from a2i_kit.activation.samples import load_sample, sample_names
from a2i_kit.activation.schema import REKOGNITION_SOURCE, REQUEST_SOURCES, TEXTRACT_SOURCE
from a2i_kit.activation.validate import format_problems, validate_conditions

__all__ = [
    "REKOGNITION_SOURCE",
    "REQUEST_SOURCES",
    "TEXTRACT_SOURCE",
    "And",
    "Evaluation",
    "EvaluationOptions",
    "Or",
    "analyze_document_with_review",
    "build_input_content",
    "conditions",
    "detect_moderation_labels_with_review",
    "evaluate_conditions",
    "form_key_check",
    "format_problems",
    "load_sample",
    "lower_camel",
    "missing_form_key",
    "moderation_check",
    "sample_names",
    "sampling",
    "sampling_draw",
    "validate_conditions",
]
