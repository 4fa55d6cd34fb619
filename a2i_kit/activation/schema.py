"""What activation conditions may contain: request sources, condition types and their parameters.

Facts from the A2I "JSON Schema for Human Loop Activation Conditions" page (restated); the
parameter tables drive both validation and evaluation.

Example:
    >>> sorted(ALLOWED_TYPES[TEXTRACT_SOURCE])
    ['ImportantFormKeyConfidenceCheck', 'MissingImportantFormKey', 'Sampling']
    >>> bound_keys("Confidence")[:2]
    ('ConfidenceEquals', 'ConfidenceLessThan')
"""

from __future__ import annotations

import operator
from collections.abc import Callable

TEXTRACT_SOURCE = "AWS/Textract/AnalyzeDocument/Forms/V1"
REKOGNITION_SOURCE = "AWS/Rekognition/DetectModerationLabels/Image/V3"
REQUEST_SOURCES = (TEXTRACT_SOURCE, REKOGNITION_SOURCE)

FORM_KEY_CHECK = "ImportantFormKeyConfidenceCheck"
MISSING_FORM_KEY = "MissingImportantFormKey"
MODERATION_CHECK = "ModerationLabelConfidenceCheck"
SAMPLING = "Sampling"

ALLOWED_TYPES: dict[str, frozenset[str]] = {
    TEXTRACT_SOURCE: frozenset({FORM_KEY_CHECK, MISSING_FORM_KEY, SAMPLING}),
    REKOGNITION_SOURCE: frozenset({MODERATION_CHECK, SAMPLING}),
}

# Suffix -> comparison; all strict/non-strict as named (A2I uses strict "<" for LessThan).
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}

MAX_CONDITIONS_CHARS = 10_240
MAX_LOGICAL_DEPTH = 2
SAMPLING_MIN, SAMPLING_MAX = 0.01, 100.0
CONFIDENCE_MIN, CONFIDENCE_MAX = 0.0, 100.0
CONDITIONS_PATH = (
    "humanLoopActivationConfig.humanLoopActivationConditionsConfig.humanLoopActivationConditions"
)


def bound_keys(metric: str) -> tuple[str, ...]:
    """The five parameter names of one metric, e.g. ``ConfidenceLessThan``."""
    return tuple(metric + suffix for suffix in OPERATORS)


# Per condition type: (required string keys, optional alias-list keys, bound metrics).
PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    FORM_KEY_CHECK: (("ImportantFormKey",), ("ImportantFormKeyAliases",),
                     ("KeyValueBlockConfidence", "WordBlockConfidence")),
    MISSING_FORM_KEY: (("ImportantFormKey",), ("ImportantFormKeyAliases",), ()),
    MODERATION_CHECK: (("ModerationLabelName",), (), ("Confidence",)),
    SAMPLING: ((), (), ()),
}


def allowed_parameters(condition_type: str) -> frozenset[str]:
    """Every parameter name a condition type accepts."""
    required, lists, metrics = PARAMETERS[condition_type]
    names = set(required) | set(lists)
    for metric in metrics:
        names.update(bound_keys(metric))
    if condition_type == SAMPLING:
        names.add("RandomSamplingPercentage")
    return frozenset(names)


def split_bound(key: str) -> tuple[str, str] | None:
    """``'WordBlockConfidenceLessThan'`` -> ``('WordBlockConfidence', 'LessThan')``."""
    for suffix in sorted(OPERATORS, key=len, reverse=True):
        if key.endswith(suffix):
            return key[: -len(suffix)], suffix
    return None
