"""Choose the answer field that carries the main label, from a worker task template.

Uses ``a2i_kit.templates.answer_shape`` when it is available and falls back to reading the crowd
elements' ``name`` attributes in document order.

Example:
    >>> label_field_from_template('<crowd-form><crowd-classifier name="category" '
    ...     'categories="[1]"></crowd-classifier></crowd-form>')
    'category'
"""

from __future__ import annotations

import re
from typing import Any

from a2i_kit.results.flatten import REKOGNITION_SOURCE, TEXTRACT_SOURCE

_SINGLE = ("crowd-classifier", "crowd-image-classifier")
_MULTI = ("crowd-classifier-multi-select", "crowd-image-classifier-multi-select")
_ELEMENT = re.compile(r"<(crowd-[a-z-]+)\b([^>]*)>", re.IGNORECASE)
_NAME = re.compile(r"""\bname\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _from_shape(shape: Any) -> str | None:
    if not isinstance(shape, dict):
        return None
    fields = shape.get("properties") if shape.get("type") == "object" else shape
    if not isinstance(fields, dict):
        return None
    ranked: list[tuple[int, str]] = []
    for name, schema in fields.items():
        if not isinstance(schema, dict):
            continue
        props = schema.get("properties") or {}
        element = str(schema.get("element") or schema.get("x-element") or "")
        if "label" in props or element in _SINGLE:
            ranked.append((0, name))
        elif "labels" in props or element in _MULTI:
            ranked.append((1, name))
        elif "moderationLabels" in props:
            ranked.append((2, name))
    return min(ranked)[1] if ranked else None


def _from_markup(template: str) -> str | None:
    ranked: list[tuple[int, int, str]] = []
    for pos, match in enumerate(_ELEMENT.finditer(template)):
        tag = match.group(1).lower()
        if tag == "crowd-rekognition-detect-moderation-labels":
            ranked.append((2, pos, REKOGNITION_SOURCE))
        elif tag == "crowd-textract-analyze-document":
            ranked.append((3, pos, TEXTRACT_SOURCE))
        name = _NAME.search(match.group(2))
        if name is None:
            continue
        value = next(g for g in name.groups() if g is not None)
        if tag in _SINGLE:
            ranked.append((0, pos, value))
        elif tag in _MULTI:
            ranked.append((1, pos, value))
    return min(ranked)[2] if ranked else None


def label_field_from_template(template: str) -> str | None:
    """Name of the element whose answer is the main label, or None (heuristic per answer)."""
    try:
        from a2i_kit.templates import answer_shape

        found = _from_shape(answer_shape(template))
    except Exception:  # no templates package, or a template it cannot read: use the markup
        found = None
    return found if found is not None else _from_markup(template)
