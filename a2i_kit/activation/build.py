"""Small builders for activation conditions; ``conditions(...)`` gives the JSON string.

Bounds use short keywords: ``lt`` (<), ``le`` (<=), ``gt`` (>), ``ge`` (>=), ``eq`` (==);
Textract checks prefix them with ``kv_`` (KEY_VALUE_SET block) or ``word_`` (WORD blocks).

Example:
    >>> from a2i_kit.activation.schema import TEXTRACT_SOURCE
    >>> text = conditions(
    ...     Or(form_key_check("Invoice Total", aliases=["Total"], kv_lt=80, word_lt=90),
    ...        And(sampling(2.5), form_key_check("*", kv_ge=80))),
    ...     source=TEXTRACT_SOURCE)
    >>> json.loads(text)["Conditions"][0]["Or"][0]["ConditionParameters"]["KeyValueBlockConfidenceLessThan"]
    80
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from a2i_kit.activation.schema import (
    FORM_KEY_CHECK,
    MISSING_FORM_KEY,
    MODERATION_CHECK,
    SAMPLING,
)
from a2i_kit.activation.validate import format_problems, validate_conditions
from a2i_kit.errors import InputError

__all__ = ["And", "Or", "conditions", "form_key_check", "missing_form_key", "moderation_check",
           "sampling"]

_SUFFIX = {"eq": "Equals", "lt": "LessThan", "le": "LessThanEquals", "gt": "GreaterThan",
           "ge": "GreaterThanEquals"}
Node = dict[str, Any]


def _bounds(metric: str, values: dict[str, float | None]) -> dict[str, float]:
    return {metric + _SUFFIX[op]: value for op, value in values.items() if value is not None}


def form_key_check(key: str, aliases: Iterable[str] | None = None, *,
                   kv_lt: float | None = None, kv_le: float | None = None,
                   kv_gt: float | None = None, kv_ge: float | None = None,
                   kv_eq: float | None = None, word_lt: float | None = None,
                   word_le: float | None = None, word_gt: float | None = None,
                   word_ge: float | None = None, word_eq: float | None = None) -> Node:
    """ImportantFormKeyConfidenceCheck on ``key`` (``"*"`` = any key) and its aliases."""
    params: dict[str, Any] = {"ImportantFormKey": key}
    if aliases:
        params["ImportantFormKeyAliases"] = list(aliases)
    params.update(_bounds("KeyValueBlockConfidence",
                          {"lt": kv_lt, "le": kv_le, "gt": kv_gt, "ge": kv_ge, "eq": kv_eq}))
    params.update(_bounds("WordBlockConfidence",
                          {"lt": word_lt, "le": word_le, "gt": word_gt, "ge": word_ge, "eq": word_eq}))
    return {"ConditionType": FORM_KEY_CHECK, "ConditionParameters": params}


def missing_form_key(key: str, aliases: Iterable[str] | None = None) -> Node:
    """MissingImportantFormKey: true when neither ``key`` nor an alias was detected."""
    params: dict[str, Any] = {"ImportantFormKey": key}
    if aliases:
        params["ImportantFormKeyAliases"] = list(aliases)
    return {"ConditionType": MISSING_FORM_KEY, "ConditionParameters": params}


def moderation_check(label: str, *, lt: float | None = None, le: float | None = None,
                     gt: float | None = None, ge: float | None = None,
                     eq: float | None = None) -> Node:
    """ModerationLabelConfidenceCheck on ``label`` (``"*"`` = any label)."""
    params: dict[str, Any] = {"ModerationLabelName": label}
    params.update(_bounds("Confidence", {"lt": lt, "le": le, "gt": gt, "ge": ge, "eq": eq}))
    return {"ConditionType": MODERATION_CHECK, "ConditionParameters": params}


def sampling(percentage: float) -> Node:
    """Sampling: a reproducible ``percentage`` % (0.01–100) of requests."""
    return {"ConditionType": SAMPLING, "ConditionParameters": {"RandomSamplingPercentage": percentage}}


def And(*nodes: Node) -> Node:
    """All children hold (at least 2 children)."""
    return {"And": list(nodes)}


def Or(*nodes: Node) -> Node:
    """Any child holds (at least 2 children)."""
    return {"Or": list(nodes)}


def conditions(*nodes: Node, source: str | None = None) -> str:
    """The ``HumanLoopActivationConditions`` JSON string; checked when ``source`` is given.

    Raises InputError listing every problem when ``source`` is set and the tree is invalid.
    """
    text = json.dumps({"Conditions": list(nodes)})
    if source is not None:
        problems = validate_conditions(source, text)
        if problems:
            raise InputError(format_problems(problems))
    return text



