"""Infer which ``task.input`` fields a template reads, and build a sample input.

Example:
    >>> schema = expected_input('<img src="{{ task.input.image | grant_read_access }}">'
    ...                         '{% for t in task.input.tags %}{{ t.name }}{% endfor %}')
    >>> schema["properties"]["image"]["format"], schema["properties"]["tags"]["type"]
    ('s3-uri', 'array')
    >>> sample_skeleton('{{ task.input.text }}')
    {'text': 'sample text'}
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from a2i_kit.templates.catalogue import ARRAY_ATTRS
from a2i_kit.templates.html_scan import scan_html
from a2i_kit.templates.liquid_scan import NUMBER_FILTERS, InputUse, scan_liquid

SAMPLE_BUCKET = "a2i-kit-samples"
ARRAY_FILTERS = {"join", "first", "last", "size", "sort", "sort_natural", "map", "where",
                 "uniq", "reverse", "compact", "concat", "sum"}
SAMPLE_IMAGE_URI = f"s3://{SAMPLE_BUCKET}/images/shapes-1.png"


@dataclass(frozen=True)
class InputPath:
    """One path the template reads: ``("rows", "[]", "text")`` → ``rows[].text``."""

    path: tuple[str, ...]
    type: str | None  # string | integer | number | array | object | None (any)
    format: str | None  # s3-uri | uri | None
    line: int
    column: int
    optional: bool = False

    @property
    def dotted(self) -> str:
        return "task.input" + "".join("[]" if s in ("[]", "*") else f".{s}" for s in self.path)


def input_paths(template: str) -> list[InputPath]:
    """Every ``task.input`` read, with the likely type, in template order."""
    liquid = scan_liquid(template)
    html = scan_html(template)
    granted_captures = {f.left_path[0][1:] for f in liquid.filters
                        if f.name == "grant_read_access" and f.left_path
                        and f.left_path[0].startswith("$")}
    s3_parts = {id(u) for name in granted_captures for u in liquid.captures.get(name, [])}
    line_starts = [0] + [m.end() for m in re.finditer("\n", template)]
    out = []
    for use in liquid.uses:
        kind, fmt = _type_of(use, html)
        if id(use) in s3_parts:
            fmt = "s3-part"
        line = bisect.bisect_right(line_starts, use.offset)
        column = use.offset - line_starts[line - 1] + 1
        out.append(InputPath(use.path, kind, fmt, line, column, use.optional))
    return out


def _in_query_or_fragment(use: InputUse, attr: Any) -> bool:
    """True for ``src="{{ a }}#t={{ b }}"``'s ``b``: a value after ``?``/``#`` is not the URL."""
    before = (attr.raw or "")[: max(0, use.offset - attr.value_start)]
    return "#" in before or "?" in before


def _type_of(use: InputUse, html: Any) -> tuple[str | None, str | None]:
    if use.filters[:1] == ("grant_read_access",):
        return "string", "s3-uri"
    if use.kind == "loop":
        return "array", None
    if use.kind == "range" or (use.filters and use.filters[0] in NUMBER_FILTERS):
        return "integer" if use.kind == "range" else "number", None
    if use.filters and use.filters[0] in ARRAY_FILTERS:
        return "array", None
    if "to_json" in use.filters:
        return None, None
    hit = html.attr_at(use.offset)
    if hit and hit[1].name in ("src", "href") and not _in_query_or_fragment(use, hit[1]):
        return "string", "uri"
    if hit and hit[1].name in ARRAY_ATTRS and hit[1].raw and hit[1].raw.strip().startswith("{{"):
        return None, None
    return "string", None


def expected_input(template: str) -> dict[str, Any]:
    """A JSON-schema-like description of the input the template expects.

    Each property carries ``type`` (when known), ``format`` (``s3-uri`` for values
    given to grant_read_access, ``uri`` for src/href values) and ``x-line``.
    """
    root: dict[str, Any] = {"type": "object", "properties": {}}
    for item in input_paths(template):
        node = root
        for index, segment in enumerate(item.path):
            last = index == len(item.path) - 1
            node = _child(node, segment)
            if last:
                _set_leaf(node, item)
    _drop_false_optional(root)
    return root


def _drop_false_optional(node: dict[str, Any]) -> None:
    if node.get("x-optional") is False:
        del node["x-optional"]
    for child in node.get("properties", {}).values():
        _drop_false_optional(child)
    if isinstance(node.get("items"), dict):
        _drop_false_optional(node["items"])


def _child(node: dict[str, Any], segment: str) -> dict[str, Any]:
    if segment in ("[]", "*"):
        node["type"] = "array"
        node.pop("format", None)
        return node.setdefault("items", {})
    if node.get("type") != "array":
        node["type"] = "object"
        node.pop("format", None)
    return node.setdefault("properties", {}).setdefault(segment, {})


def _set_leaf(node: dict[str, Any], item: InputPath) -> None:
    node.setdefault("x-line", item.line)
    node["x-optional"] = node.get("x-optional", True) and item.optional
    if node.get("type") in ("object", "array") and item.type != "array":
        return
    if item.type and (node.get("type") in (None, "string") or item.type == "array"):
        node["type"] = item.type
    if item.format and item.type != "array":
        node["format"] = item.format


def sample_skeleton(template: str) -> dict[str, Any]:
    """A sample ``task.input`` with every field the template reads.

    S3 URIs point at the packaged sample image (see ``builtin_assets()``).
    """
    result = _sample(expected_input(template), "input")
    return result if isinstance(result, dict) else {}


def _sample(schema: dict[str, Any], name: str, n: int | None = None) -> Any:
    kind, fmt = schema.get("type"), schema.get("format")
    suffix = f" {n}" if n is not None else ""
    if kind == "object":
        return {key: _sample(sub, key, n) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        item = schema.get("items", {})
        if not item:
            return [f"{name} 1", f"{name} 2"]
        return [_sample(item, _singular(name), i) for i in (1, 2)]
    if fmt == "s3-uri":
        return SAMPLE_IMAGE_URI
    if fmt == "s3-part":
        return SAMPLE_BUCKET if "bucket" in name.lower() else "images/shapes-1.png"
    if fmt == "uri":
        return "https://example.com/sample"
    if kind == "integer":
        return 3
    if kind == "number":
        return 0.5
    if kind is None and name.endswith("s"):
        return [f"{name} A", f"{name} B"]
    return f"sample {name}{suffix}"


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and len(name) > 1 else name
