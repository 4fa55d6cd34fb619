"""The individual lint rules (see :func:`a2i_kit.templates.lint.lint`).

Example:
    >>> from a2i_kit.templates.lint import lint
    >>> [f.code for f in lint('<script src="https://assets.crowd.aws/crowd-html-elements.js">'
    ...  '</script><crowd-form><crowd-input name="a.b"></crowd-input></crowd-form>')]
    ['dotted-name']
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from a2i_kit.templates.answer_shape import NATIVE_SKIP
from a2i_kit.templates.catalogue import ARRAY_ATTRS, CROWD, LOADER_URLS, REGIONS, is_known_attribute
from a2i_kit.templates.environment import get_environment
from a2i_kit.templates.findings import Collector, suggest
from a2i_kit.templates.html_scan import (
    OUT_MARK,
    TAG_MARK,
    Element,
    HtmlScan,
    crowd_attribute_values,
)
from a2i_kit.templates.infer_input import input_paths
from a2i_kit.templates.jslit import JsLiteralError, parse_js_literal
from a2i_kit.templates.liquid_scan import LiquidScan
from a2i_kit.templates.signing import NotS3Error, parse_s3_location

SIGNABLE_ATTRS = {"src", "href", "poster", "data", "srcset"}
_NAME_OK = re.compile(r"^[A-Za-z0-9_\-/\ue000\ue001]+$")


def _answer_element(element: Element) -> bool:
    if element.tag in CROWD:
        return CROWD[element.tag].answer is not None
    if element.tag == "input":
        return (element.value("type") or "text").lower() not in NATIVE_SKIP
    return element.tag in ("select", "textarea")


def element_rules(out: Collector, html: HtmlScan) -> None:
    """Rules on the HTML structure (Liquid masked out)."""
    if not any(src.strip() in LOADER_URLS for src in html.script_srcs):
        out.add("missing-loader", "warning", 0,
                "the template does not load the Crowd HTML Elements",
                f'add <script src="{LOADER_URLS[0]}"></script> as the first line')
    forms = html.by_tag("crowd-form")
    entity = html.by_tag("crowd-entity-annotation")
    if not forms and not entity:
        out.add("missing-crowd-form", "error", 0,
                "no <crowd-form>: workers get no Submit button and answers are not posted",
                "wrap the task's answer elements in <crowd-form> … </crowd-form>")
    for extra in forms[1:]:
        out.at("multiple-crowd-forms", "warning", extra.line, extra.column,
               "more than one <crowd-form>: only one is submitted",
               "keep every answer element in a single <crowd-form>")
    for element in entity:
        if "crowd-form" in element.parents:
            out.at("entity-annotation-in-form", "error", element.line, element.column,
                   "<crowd-entity-annotation> must not be wrapped in <crowd-form>: it brings "
                   "its own form and Submit button", "remove the surrounding <crowd-form>")
    for element in html.elements:
        _check_element(out, element)
    _check_names(out, html)
    if (forms or entity) and not any(
            _answer_element(e) and ("crowd-form" in e.parents or e.tag in (
                "crowd-entity-annotation",)) for e in html.elements):
        target = (forms or entity)[0]
        out.at("no-answer-field", "error", target.line, target.column,
               "the form has no answer field: nothing the worker does is recorded",
               "add a named element such as <crowd-classifier name=…> or <crowd-input name=…>")


def _check_element(out: Collector, element: Element) -> None:
    tag = element.tag
    crowd = tag.startswith("crowd-")
    if element.self_closing and (crowd or tag in REGIONS):
        out.at("self-closing-crowd-tag", "error", element.line, element.column,
               f"<{tag} … /> is not closed: custom elements are never void, so the "
               "markup after it becomes its child", f"write <{tag} …></{tag}>")
    if crowd and tag not in CROWD:
        out.at("unknown-element", "error", element.line, element.column,
               f"unknown crowd element <{tag}>", suggest(tag, CROWD))
        return
    spec = CROWD.get(tag)
    if spec is None:
        return
    for name, attr in element.attrs.items():
        if not is_known_attribute(tag, name):
            out.add("unknown-attribute", "warning", attr.offset,
                    f"<{tag}> has no attribute '{name}'", suggest(name, spec.attributes))
    for name in spec.required:
        if name not in element.attrs:
            code = "missing-name" if name == "name" else "missing-required-attribute"
            out.at(code, "error", element.line, element.column,
                   f"<{tag}> needs a '{name}' attribute",
                   "the answer is stored under the element's name" if name == "name" else "")
    for name in ARRAY_ATTRS & set(element.attrs):
        _check_literal(out, element, name, spec.max_labels)
    if tag == "crowd-radio-button" and "required" in element.attrs:
        out.add("radio-required", "warning", element.attrs["required"].offset,
                "crowd-radio-button ignores 'required': the form submits with nothing chosen",
                "check the choice in the form's onsubmit handler, or use native radios")
    if spec.answer and tag != "crowd-entity-annotation" and "crowd-form" not in element.parents:
        out.at("element-outside-form", "warning", element.line, element.column,
               f"<{tag}> is outside <crowd-form>, so its answer is not submitted")


def _check_literal(out: Collector, element: Element, name: str, max_labels: int | None) -> None:
    attr = element.attrs[name]
    value = attr.value
    if value is None or OUT_MARK in value or TAG_MARK in value:
        return
    if name == "initial-value" and element.tag in ("crowd-classifier",):
        return
    try:
        parsed = parse_js_literal(value)
    except JsLiteralError as exc:
        out.add("malformed-attribute", "error", attr.value_start,
                f"<{element.tag}> {name}=… is not a valid array/object literal: {exc}",
                "write e.g. \"['Cat', 'Dog']\" (single quotes inside a double-quoted attribute)")
        return
    if name in ("categories", "labels") and not isinstance(parsed, list):
        out.add("malformed-attribute", "error", attr.value_start,
                f"<{element.tag}> {name} must be an array, got {type(parsed).__name__}")
    elif name in ("categories", "labels") and max_labels and len(parsed) > max_labels:
        out.add("too-many-labels", "warning", attr.value_start,
                f"<{element.tag}> has {len(parsed)} {name}; the console allows {max_labels}")


def _check_names(out: Collector, html: HtmlScan) -> None:
    named = [e for e in html.elements if _answer_element(e) and e.tag not in (
        "crowd-textract-analyze-document", "crowd-rekognition-detect-moderation-labels")]
    counts = Counter(e.value("name") for e in named if e.value("name"))
    grouped = {"crowd-checkbox", "crowd-radio-button", "crowd-toggle-button"}
    seen: set[str] = set()
    for element in named:
        name = element.value("name")
        in_form = "crowd-form" in element.parents
        if not name:
            if element.tag not in CROWD and in_form:
                out.at("missing-name", "warning", element.line, element.column,
                       f"<{element.tag}> has no name, so its value is not submitted")
            continue
        attr = element.attrs["name"]
        shared = element.tag in grouped or (element.value("type") or "").lower() in (
            "radio", "checkbox")
        liquid = attr.has_liquid
        if not liquid and element.loops and not shared:
            out.add("duplicate-name", "warning", attr.offset,
                    f"name '{name}' is inside a for loop, so every iteration reuses it",
                    "make it unique, e.g. name=\"" + name + "{{ forloop.index }}\"")
        elif counts[name] > 1 and not shared and not liquid and name not in seen:
            out.add("duplicate-name", "warning", attr.offset,
                    f"name '{name}' is used {counts[name]} times: only one value is kept",
                    "give every answer field its own name")
        seen.add(name)
        if not _NAME_OK.match(name):
            out.add("dotted-name", "warning", attr.offset,
                    f"name '{name}' contains dots or spaces, which make awkward answer keys",
                    "use letters, digits, '_' and '-' only")


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
                    "input is fully trusted", "drop it, or sanitise the HTML before the loop")
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
