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

from a2i_kit.templates.answer_shape import NATIVE_SKIP
from a2i_kit.templates.catalogue import ARRAY_ATTRS, CROWD, LOADER_URLS, REGIONS, is_known_attribute
from a2i_kit.templates.findings import Collector, suggest
from a2i_kit.templates.html_scan import (
    OUT_MARK,
    TAG_MARK,
    Element,
    HtmlScan,
)
from a2i_kit.templates.jslit import JsLiteralError, parse_js_literal

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
        for name in ("src", "href"):
            value = element.value(name)
            if value and value.strip().startswith("s3://") and not element.attrs[name].has_liquid:
                out.add("missing-grant-read-access", "error", element.attrs[name].value_start,
                        f"{name}=\"{value.strip()}\" is an S3 URI, which a browser cannot load",
                        f"write {name}=\"{{{{ '{value.strip()}' | grant_read_access }}}}\"")
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
