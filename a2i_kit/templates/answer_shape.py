"""Infer the ``answerContent`` a template produces, and check answers against it.

Example:
    >>> shape = answer_shape('<crowd-form><crowd-classifier name="v" header="?" '
    ...                      'categories="[\\'Spam\\', \\'Ham\\']"></crowd-classifier></crowd-form>')
    >>> shape["properties"]["v"]["properties"]["label"]["enum"]
    ['Spam', 'Ham']
    >>> validate_answer(shape, {"v": {"label": "Eggs"}})
    ["answer.v.label: 'Eggs' is not one of ['Spam', 'Ham']"]
"""

from __future__ import annotations

import re
from typing import Any

from a2i_kit.templates.catalogue import CROWD, REKOGNITION_KEY, TEXTRACT_KEY
from a2i_kit.templates.html_scan import OUT_MARK, TAG_MARK, Element, scan_html
from a2i_kit.templates.jslit import parse_js_literal
from a2i_kit.templates.validate import validate_answer

__all__ = ["answer_shape", "name_pattern", "validate_answer"]

_NUM = {"type": "number"}
_STR = {"type": "string"}
_SIZE = {"type": "object", "properties": {"width": _NUM, "height": _NUM},
         "required": ["width", "height"]}
_XY = {"type": "object", "properties": {"x": _NUM, "y": _NUM}, "required": ["x", "y"]}
_IMAGE_PNG = {"type": "object", "properties": {"pngImageData": _STR}, "required": ["pngImageData"]}
NATIVE_SKIP = {"submit", "button", "reset", "image", "file"}
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def _shape_item(label_props: dict[str, Any]) -> dict[str, Any]:
    return _obj({"label": _STR, **label_props}, ["label", *label_props])


def _geometry(key: str, item: dict[str, Any]) -> dict[str, Any]:
    return _obj({key: _array(item), "inputImageProperties": _SIZE}, [key, "inputImageProperties"])


KIND_SHAPES: dict[str, Any] = {
    "bounding-box": lambda: _geometry("boundingBoxes", _shape_item(
        {"left": _NUM, "top": _NUM, "width": _NUM, "height": _NUM})),
    "polygon": lambda: _geometry("polygons", _shape_item({"vertices": _array(_XY)})),
    "line": lambda: _geometry("lines", _shape_item({"vertices": _array(_XY)})),
    "polyline": lambda: _geometry("polylines", _shape_item({"vertices": _array(_XY)})),
    "keypoint": lambda: _geometry("keypoints", _shape_item({"x": _NUM, "y": _NUM})),
    "semantic-segmentation": lambda: _obj(
        {"labeledImage": _IMAGE_PNG, "labelMappings": {"type": "object"},
         "inputImageProperties": _SIZE}, ["labeledImage", "labelMappings", "inputImageProperties"]),
    "instance-segmentation": lambda: _obj(
        {"labeledImage": _IMAGE_PNG, "instances": _array(
            _obj({"color": _STR, "label": _STR}, ["color", "label"])),
         "inputImageProperties": _SIZE}, ["labeledImage", "instances", "inputImageProperties"]),
    "entities": lambda: _obj({"entities": _array(_obj(
        {"label": _STR, "startOffset": {"type": "integer"}, "endOffset": {"type": "integer"}},
        ["label", "startOffset", "endOffset"]))}, ["entities"]),
    "textract": lambda: _obj({"blocks": _array({"type": "object"})}, ["blocks"]),
    "rekognition": lambda: _obj({"moderationLabels": {"type": "array"}}, ["moderationLabels"]),
    "text": lambda: dict(_STR),
    "number": lambda: dict(_NUM),
    "any": dict,
}


def literal_categories(element: Element, attr: str = "categories") -> list[str] | None:
    """Category strings of a literal (Liquid-free) ``categories`` attribute, else None."""
    value = element.value(attr)
    if value is None or OUT_MARK in value or TAG_MARK in value:
        return None
    try:
        parsed = parse_js_literal(value)
    except ValueError:
        return None
    if not isinstance(parsed, list):
        return None
    return [str(c.get("name", c) if isinstance(c, dict) else c) for c in parsed]


def _element_shape(element: Element, kind: str) -> dict[str, Any]:
    if kind in ("label", "image-label", "labels"):
        label: dict[str, Any] = dict(_STR)
        enum = literal_categories(element)
        if enum is not None and kind != "labels":
            label["enum"] = enum
        if kind == "labels":
            items = {**_STR, **({"enum": enum} if enum is not None else {})}
            return _obj({"labels": _array(items)}, ["labels"])
        shape = _obj({"label": label}, ["label"])
        if kind == "image-label":
            shape["properties"]["workerComment"] = dict(_STR)
        return shape
    shape = KIND_SHAPES[kind]()
    if element.value("initial-value") is not None and kind in (
            "bounding-box", "polygon", "line", "polyline", "keypoint", "semantic-segmentation",
            "instance-segmentation"):
        shape["properties"]["initialValueModified"] = {"type": "boolean"}
    return shape


def _classify(element: Element) -> str | None:
    """The answer kind of an element inside a crowd-form, or None."""
    if element.tag in CROWD:
        return CROWD[element.tag].answer
    if element.tag == "input":
        kind = (element.value("type") or "text").lower()
        if kind in NATIVE_SKIP:
            return None
        return "bool-native" if kind in ("radio", "checkbox") else "text"
    if element.tag in ("select", "textarea"):
        return "text"
    return None


def name_pattern(raw: str) -> str:
    """A regex for a name written with Liquid: ``q{{ forloop.index }}`` → ``^q.+$``."""
    parts = _LIQUID.split(raw)
    return "^" + ".+".join(re.escape(p) for p in parts) + "$"


def answer_shape(template: str) -> dict[str, Any]:
    """JSON-schema-like ``answerContent`` shape, one property per answer name.

    Each property carries ``x-element`` (the element producing it); names made with
    Liquid (e.g. inside ``for`` loops) become ``patternProperties``.
    """
    scan = scan_html(template)
    props: dict[str, Any] = {}
    patterns: dict[str, Any] = {}
    required: list[str] = []
    for element in scan.elements:
        kind = _classify(element)
        in_form = "crowd-form" in element.parents or element.tag == "crowd-entity-annotation"
        if kind is None or not in_form:
            continue
        key, shape = _named_shape(element, kind)
        if key is None:
            continue
        raw = element.raw("name") or key
        target = patterns if element.attrs.get("name") and element.attrs["name"].has_liquid \
            else props
        name = name_pattern(raw) if target is patterns else key
        if kind in ("bool", "bool-native") and name in target:
            target[name]["properties"].update(shape["properties"])
            continue
        target[name] = shape
        always = kind != "text" or "required" in element.attrs or (
            element.tag == "input" and element.value("type") == "hidden"
            and bool(element.value("value")))
        if target is props and always and name not in required:
            required.append(name)
        elif target is props and not always and name in required:
            required.remove(name)
    result: dict[str, Any] = {"type": "object", "properties": props, "required": required}
    if patterns:
        result["patternProperties"] = patterns
    result["additionalProperties"] = scan.inline_scripts > 0
    return result


def _named_shape(element: Element, kind: str) -> tuple[str | None, dict[str, Any]]:
    if kind == "textract":
        return TEXTRACT_KEY, {**_element_shape(element, kind), "x-element": element.tag}
    if kind == "rekognition":
        return REKOGNITION_KEY, {**_element_shape(element, kind), "x-element": element.tag}
    name = element.value("name")
    if not name:
        return None, {}
    if kind in ("bool", "bool-native"):
        value = element.value("value") or "on"
        value = "*" if OUT_MARK in value else value
        tag = element.tag if kind == "bool" else f"input[type={element.value('type')}]"
        return name, {"type": "object", "properties": {value: {"type": "boolean"}},
                      "x-element": tag}
    tag = element.tag
    if tag == "input":
        tag = f"input[type={(element.value('type') or 'text').lower()}]"
    return name, {**_element_shape(element, kind), "x-element": tag}
