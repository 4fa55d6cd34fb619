"""Lint rules on Liquid: filters, grant_read_access, the sample input, rendered attributes.

Example:
    >>> from a2i_kit.templates.lint import lint
    >>> [f.code for f in lint('<script src="https://assets.crowd.aws/crowd-html-elements.js">'
    ...  '</script><crowd-form><crowd-input name="a"></crowd-input>'
    ...  '{{ task.input.t | skip_autoescape }}</crowd-form>')]
    ['skip-autoescape']
"""

from __future__ import annotations

from typing import Any

from a2i_kit.templates.catalogue import ARRAY_ATTRS, CROWD
from a2i_kit.templates.environment import get_environment
from a2i_kit.templates.findings import Collector, suggest
from a2i_kit.templates.html_scan import HtmlScan, crowd_attribute_values
from a2i_kit.templates.infer_input import input_paths
from a2i_kit.templates.jslit import JsLiteralError, parse_js_literal
from a2i_kit.templates.liquid_scan import LiquidScan
from a2i_kit.templates.signing import NotS3Error, parse_s3_location

SIGNABLE_ATTRS = {"src", "href", "poster", "data", "srcset"}


def liquid_rules(out: Collector, html: HtmlScan, liquid: LiquidScan) -> None:
    """Rules on Liquid filters (unknown, grant_read_access, skip_autoescape)."""
    known = get_environment().filters
    for use in liquid.filters:
        if use.name not in known:
            out.add("unknown-filter", "error", use.offset, f"unknown filter '{use.name}'",
                    suggest(use.name, known))
        elif use.name == "skip_autoescape":
            out.add("skip-autoescape", "warning", use.offset,
                    "skip_autoescape prints the value as raw HTML: an XSS risk unless the "
                    "input is fully trusted",
                    "drop it, or sanitise the HTML before starting the human loop")
        elif use.name == "grant_read_access":
            _check_grant(out, html, use)


def _check_grant(out: Collector, html: HtmlScan, use: Any) -> None:
    if use.literal is not None:
        try:
            parse_s3_location(use.literal)
        except NotS3Error:
            out.add("grant-read-access-literal", "info", use.offset,
                    f'"{use.literal}" is not in S3: grant_read_access passes it through',
                    "drop the filter for public URLs")
        except ValueError:
            out.add("grant-read-access-literal", "error", use.offset,
                    f'"grant_read_access" input is not a valid S3 URI: "{use.literal}"',
                    "write s3://bucket/key")
    hit = html.attr_at(use.offset)
    if hit is None or hit[1].name not in SIGNABLE_ATTRS:
        where = f"in the '{hit[1].name}' attribute" if hit else "outside an attribute"
        out.add("grant-read-access-context", "warning", use.offset,
                f"grant_read_access is used {where}: the signed URL expires and is meant "
                "for src/href", "use it inside src=\"…\" or href=\"…\"")


def input_rules(out: Collector, template: str, data: dict[str, Any]) -> None:
    """``task.input`` paths the sample input does not have."""
    reported: set[tuple[str, ...]] = set()
    for item in input_paths(template):
        if item.path in reported or not item.path or item.optional:
            continue
        if not _present(data, item.path):
            reported.add(item.path)
            severity = "error" if item.format == "s3-uri" else "warning"
            out.at("missing-input-path", severity, item.line, item.column,
                   f"{item.dotted} is not in the sample input (renders as empty)",
                   "grant_read_access fails on an empty value" if severity == "error" else "")
        elif item.format == "uri" and item.path not in reported and any(
                isinstance(v, str) and v.strip().startswith("s3://")
                for v in _values(data, item.path)):
            reported.add(item.path)
            out.at("missing-grant-read-access", "error", item.line, item.column,
                   f"{item.dotted} holds an s3:// URI in the sample, which a browser cannot load",
                   "pipe it through grant_read_access: {{ … | grant_read_access }}")


def _values(data: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value found at ``path`` (lists fan out)."""
    if not path:
        return [data]
    head, rest = path[0], path[1:]
    if head in ("[]", "*"):
        items = data if isinstance(data, list) else (
            list(data.values()) if isinstance(data, dict) else [])
        return [v for item in items for v in _values(item, rest)]
    if isinstance(data, dict) and head in data:
        return _values(data[head], rest)
    return []


def _present(data: Any, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    head, rest = path[0], path[1:]
    if head in ("[]", "*"):
        if isinstance(data, list):
            return not data or any(_present(item, rest) for item in data)
        return isinstance(data, dict) and (not data or any(
            _present(v, rest) for v in data.values()))
    if isinstance(data, dict) and head in data:
        return _present(data[head], rest)
    return False


def rendered_rules(out: Collector, html: HtmlScan, rendered: str) -> None:
    """Array/object attributes written with Liquid must parse once rendered."""
    wanted: dict[str, set[str]] = {}
    for element in html.elements:
        if element.tag in CROWD and element.tag != "crowd-classifier":
            names = {n for n in ARRAY_ATTRS & set(element.attrs) if element.attrs[n].has_liquid}
            if names:
                wanted.setdefault(element.tag, set()).update(names)
        elif element.tag == "crowd-classifier" and "categories" in element.attrs \
                and element.attrs["categories"].has_liquid:
            wanted.setdefault(element.tag, set()).add("categories")
    after = crowd_attribute_values(rendered, wanted)
    for tag in wanted:
        sources = html.by_tag(tag)
        outputs = [values for name, values in after if name == tag]
        for index, values in enumerate(outputs):
            source = sources[index] if len(sources) == len(outputs) else sources[0]
            for name, value in values.items():
                attr = source.attrs.get(name)
                if attr is None or not attr.has_liquid:
                    continue
                try:
                    parse_js_literal(value)
                except JsLiteralError as exc:
                    out.add("malformed-attribute", "error", attr.value_start,
                            f"<{tag}> {name}=… is not a valid array/object literal once "
                            f"rendered with the sample input: {exc}",
                            "print lists with '| to_json' and check the sample values")
