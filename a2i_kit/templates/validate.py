"""Check an answer against a JSON-schema-like shape (the subset answer_shape emits).

Example:
    >>> validate_answer({"type": "object", "properties": {"n": {"type": "number"}},
    ...                  "required": ["n"]}, {"n": "3"})
    ["answer.n: expected number, got str '3'"]
"""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, Any] = {
    "object": dict, "array": list, "string": str, "boolean": bool,
    "number": (int, float), "integer": int,
}


def validate_answer(shape: dict[str, Any], answer: Any) -> list[str]:
    """Problems found in ``answer`` (empty list = it matches ``shape``)."""
    problems: list[str] = []
    _check(shape, answer, "answer", problems)
    return problems


def _type_ok(kind: str, value: Any) -> bool:
    if kind in ("number", "integer") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES.get(kind, object))


def _check(shape: dict[str, Any], value: Any, where: str, problems: list[str]) -> None:
    kind = shape.get("type")
    if kind and not _type_ok(kind, value):
        text = repr(value) if not isinstance(value, (dict, list)) else ""
        problems.append(f"{where}: expected {kind}, got {type(value).__name__} {text}".rstrip())
        return
    if "enum" in shape and value not in shape["enum"]:
        problems.append(f"{where}: {value!r} is not one of {shape['enum']}")
    if isinstance(value, list) and "items" in shape:
        for index, item in enumerate(value):
            _check(shape["items"], item, f"{where}[{index}]", problems)
    if isinstance(value, dict):
        _check_object(shape, value, where, problems)


def _check_object(shape: dict[str, Any], value: dict[str, Any], where: str,
                  problems: list[str]) -> None:
    props = shape.get("properties", {})
    for key in shape.get("required", []):
        if key not in value:
            problems.append(f"{where}: missing {key!r}")
    patterns = shape.get("patternProperties", {})
    extra = shape.get("additionalProperties", True)
    for key, item in value.items():
        if key in props:
            _check(props[key], item, f"{where}.{key}", problems)
            continue
        matched = [p for p in patterns if re.search(p, key)]
        for pattern in matched:
            _check(patterns[pattern], item, f"{where}.{key}", problems)
        if matched:
            continue
        if extra is False:
            problems.append(f"{where}: unexpected key {key!r} (no form field has this name)")
        elif isinstance(extra, dict):
            _check(extra, item, f"{where}.{key}", problems)
