"""Check an activation-conditions JSON string the way CreateFlowDefinition does.

``validate_conditions`` returns a list of problems (empty = valid), each one sentence in AWS
wording that names the node path (``Conditions[0].Or[1]``) and what to change. The service
joins them into one ``ValidationException``; ``format_problems`` builds that message.

Example:
    >>> validate_conditions(REKOGNITION_SOURCE, '{"Conditions": [{"ConditionType": "Sampling",'
    ...                     ' "ConditionParameters": {"RandomSamplingPercentage": 5}}]}')
    []
    >>> validate_conditions(REKOGNITION_SOURCE, '{"Conditions": [{"And": []}]}')[0]
    'Invalid HumanLoopActivationConditions: Conditions[0].And must contain at least 2 conditions, found 0.'
"""

from __future__ import annotations

import json
import math
from typing import Any

from a2i_kit.activation.schema import (
    ALLOWED_TYPES,
    CONDITIONS_PATH,
    CONFIDENCE_MAX,
    CONFIDENCE_MIN,
    MAX_CONDITIONS_CHARS,
    MAX_LOGICAL_DEPTH,
    PARAMETERS,
    REKOGNITION_SOURCE,
    REQUEST_SOURCES,
    SAMPLING,
    SAMPLING_MAX,
    SAMPLING_MIN,
    TEXTRACT_SOURCE,
    allowed_parameters,
    split_bound,
)

__all__ = ["REKOGNITION_SOURCE", "TEXTRACT_SOURCE", "format_problems", "validate_conditions"]

PREFIX = "Invalid HumanLoopActivationConditions: "


def format_problems(problems: list[str]) -> str:
    """Join problems the way AWS reports several validation errors.

    >>> format_problems(["a", "b"])
    '2 validation errors detected: a; b'
    """
    noun = "error" if len(problems) == 1 else "errors"
    return f"{len(problems)} validation {noun} detected: " + "; ".join(problems)


def validate_conditions(source: str | None, conditions_json: Any) -> list[str]:
    """Problems with ``conditions_json`` for request source ``source`` (None = custom task type)."""
    if source is None:
        return [PREFIX + "activation conditions are only supported for built-in task types; set "
                "HumanLoopRequestSource.AwsManagedHumanLoopRequestSource to one of "
                f"[{', '.join(REQUEST_SOURCES)}] or remove HumanLoopActivationConfig."]
    if source not in REQUEST_SOURCES:
        return [f"Value '{source}' at 'humanLoopRequestSource.awsManagedHumanLoopRequestSource' "
                f"failed to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(REQUEST_SOURCES)}]"]
    if not isinstance(conditions_json, str):
        return [PREFIX + f"expected a JSON string (use json.dumps), got {type(conditions_json).__name__}."]
    if len(conditions_json) > MAX_CONDITIONS_CHARS:
        return [f"Value '{conditions_json[:40]}...' at '{CONDITIONS_PATH}' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_CONDITIONS_CHARS}"]
    try:
        document = json.loads(conditions_json)
    except ValueError as exc:
        return [PREFIX + f"the value is not valid JSON ({exc})."]
    if not isinstance(document, dict) or not isinstance(document.get("Conditions"), list):
        return [PREFIX + "the document must be a JSON object with a \"Conditions\" array."]
    problems: list[str] = []
    extra = sorted(set(document) - {"Conditions"})
    if extra:
        problems.append(PREFIX + f"unknown top-level member(s) {extra}; only \"Conditions\" is allowed.")
    if not document["Conditions"]:
        problems.append(PREFIX + "Conditions must contain at least 1 condition.")
    for index, node in enumerate(document["Conditions"]):
        problems.extend(_check_node(source, node, f"Conditions[{index}]", depth=0))
    return problems


def _check_node(source: str, node: Any, path: str, depth: int) -> list[str]:
    if not isinstance(node, dict):
        return [PREFIX + f"{path} must be an object, got {type(node).__name__}."]
    logical = [key for key in ("And", "Or") if key in node]
    if logical:
        return _check_logical(source, node, path, depth, logical)
    if "ConditionType" not in node:
        return [PREFIX + f"{path} needs a \"ConditionType\" (or an \"And\"/\"Or\" array)."]
    extra = sorted(set(node) - {"ConditionType", "ConditionParameters"})
    problems = [PREFIX + f"{path} has unknown member(s) {extra}."] if extra else []
    ctype = node["ConditionType"]
    if ctype not in ALLOWED_TYPES[source]:
        allowed = ", ".join(sorted(ALLOWED_TYPES[source]))
        problems.append(PREFIX + f"{path}.ConditionType '{ctype}' is not supported for "
                        f"{source}; use one of [{allowed}].")
        return problems
    params = node.get("ConditionParameters")
    if not isinstance(params, dict):
        problems.append(PREFIX + f"{path}.ConditionParameters must be an object.")
        return problems
    return problems + _check_parameters(ctype, params, f"{path}.ConditionParameters")


def _check_logical(source: str, node: dict, path: str, depth: int, logical: list[str]) -> list[str]:
    if len(logical) > 1 or len(node) > 1:
        return [PREFIX + f"{path} must hold exactly one of \"And\", \"Or\" or a ConditionType, "
                f"found {sorted(node)}."]
    key = logical[0]
    children = node[key]
    here = f"{path}.{key}"
    if depth + 1 > MAX_LOGICAL_DEPTH:
        return [PREFIX + f"{here} nests logical operators more than {MAX_LOGICAL_DEPTH} levels deep; "
                "flatten the tree (at most e.g. Or -> And -> condition)."]
    if not isinstance(children, list):
        return [PREFIX + f"{here} must be an array of conditions."]
    if len(children) < 2:
        return [PREFIX + f"{here} must contain at least 2 conditions, found {len(children)}."]
    problems: list[str] = []
    for index, child in enumerate(children):
        problems.extend(_check_node(source, child, f"{here}[{index}]", depth + 1))
    return problems


def _check_parameters(ctype: str, params: dict, path: str) -> list[str]:
    required, lists, metrics = PARAMETERS[ctype]
    unknown = sorted(set(params) - allowed_parameters(ctype))
    problems = [PREFIX + f"{path} has unknown parameter(s) {unknown} for {ctype}."] if unknown else []
    for key in required:
        value = params.get(key)
        if not isinstance(value, str) or not value:
            problems.append(PREFIX + f"{path}.{key} is required and must be a non-empty string.")
    for key in lists:
        if key in params and (not isinstance(params[key], list)
                              or not all(isinstance(v, str) and v for v in params[key])):
            problems.append(PREFIX + f"{path}.{key} must be an array of non-empty strings.")
    if ctype == SAMPLING:
        return problems + _check_number(params, "RandomSamplingPercentage", path,
                                        SAMPLING_MIN, SAMPLING_MAX, required=True)
    bounds = [key for key in params if (split_bound(key) or ("", ""))[0] in metrics]
    if metrics and not bounds:
        names = " or ".join(m + "<LessThan|...>" for m in metrics)
        problems.append(PREFIX + f"{path} needs at least one confidence bound ({names}).")
    for key in bounds:
        problems.extend(_check_number(params, key, path, CONFIDENCE_MIN, CONFIDENCE_MAX))
    return problems


def _check_number(params: dict, key: str, path: str, low: float, high: float,
                  *, required: bool = False) -> list[str]:
    if key not in params:
        return [PREFIX + f"{path}.{key} is required."] if required else []
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return [PREFIX + f"{path}.{key} must be a number, got {json.dumps(value)}."]
    if not low <= value <= high:
        return [PREFIX + f"{path}.{key} must be between {low:g} and {high:g}, got {value:g}."]
    return []
