"""The Crowd HTML Elements catalogue: attributes, required attributes, answer kinds.

Example:
    >>> CROWD["crowd-classifier"].required
    ('name', 'categories', 'header')
    >>> is_known_attribute("crowd-input", "data-row")
    True
"""

from __future__ import annotations

from dataclasses import dataclass

TEXTRACT_KEY = "AWS/Textract/AnalyzeDocument/Forms/V1"
REKOGNITION_KEY = "AWS/Rekognition/DetectModerationLabels/Image/V3"
LOADER_URLS = (
    "https://assets.crowd.aws/crowd-html-elements.js",
    "https://assets.crowd.aws/crowd-html-elements-v2.js",
)
# Regions (not crowd-* elements) the library understands.
REGIONS = {
    "short-instructions", "full-instructions", "classification-target", "worker-comment",
    "short-summary", "detailed-instructions", "positive-example", "negative-example",
}
GLOBAL_ATTRS = {"id", "class", "style", "slot", "hidden", "title", "dir", "lang",
                "tabindex", "role", "is", "part"}
ARRAY_ATTRS = {"categories", "labels", "initial-value", "exclusion-category", "keys",
               "block-types", "overlay", "label-colors"}


@dataclass(frozen=True)
class CrowdElement:
    tag: str
    attributes: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    answer: str | None = None  # answer kind, see answer_shape.py
    max_labels: int | None = None


_IMAGE = ("name", "src", "header", "labels", "initial-value")
_FORM = ("name", "value", "disabled", "required", "label", "placeholder", "auto-focus",
         "auto-validate", "allowed-pattern", "error-message", "max-length", "min-length")

CROWD: dict[str, CrowdElement] = {e.tag: e for e in (
    CrowdElement("crowd-form", ("action", "method", "onsubmit", "answer-format")),
    CrowdElement("crowd-button", ("form-action", "variant", "disabled", "loading", "href",
                                  "target", "icon", "icon-align", "icon-url", "type")),
    CrowdElement("crowd-classifier", ("name", "categories", "header", "initial-value"),
                 ("name", "categories", "header"), "label"),
    CrowdElement("crowd-classifier-multi-select",
                 ("name", "categories", "header", "exclusion-category", "initial-value"),
                 ("name", "categories", "header"), "labels"),
    CrowdElement("crowd-image-classifier",
                 ("name", "categories", "header", "src", "overlay", "initial-value"),
                 ("name", "categories", "header", "src"), "image-label", 10),
    CrowdElement("crowd-image-classifier-multi-select",
                 ("name", "categories", "header", "src", "exclusion-category", "initial-value"),
                 ("name", "categories", "header", "src"), "labels", 10),
    CrowdElement("crowd-bounding-box", _IMAGE, ("name", "src", "labels"), "bounding-box", 10),
    CrowdElement("crowd-polygon", _IMAGE, ("name", "src", "labels"), "polygon"),
    CrowdElement("crowd-line", (*_IMAGE, "label-colors"), ("name", "src", "labels"), "line", 10),
    CrowdElement("crowd-polyline", (*_IMAGE, "label-colors"), ("name", "src", "labels"),
                 "polyline", 10),
    CrowdElement("crowd-keypoint", _IMAGE, ("name", "src", "labels"), "keypoint"),
    CrowdElement("crowd-semantic-segmentation", _IMAGE, ("name", "src", "labels"),
                 "semantic-segmentation"),
    CrowdElement("crowd-instance-segmentation", _IMAGE, ("name", "src", "labels"),
                 "instance-segmentation"),
    CrowdElement("crowd-entity-annotation", ("name", "header", "text", "labels", "initial-value"),
                 ("name", "text", "labels"), "entities"),
    CrowdElement("crowd-input", (*_FORM, "type"), ("name",), "text"),
    CrowdElement("crowd-text-area", (*_FORM, "rows", "max-rows", "char-counter"), ("name",),
                 "text"),
    CrowdElement("crowd-checkbox", ("name", "value", "checked", "disabled", "required"),
                 ("name",), "bool"),
    CrowdElement("crowd-radio-group", ("name", "required")),
    CrowdElement("crowd-radio-button", ("name", "value", "checked", "disabled"), ("name",),
                 "bool"),
    CrowdElement("crowd-toggle-button",
                 ("name", "value", "checked", "disabled", "invalid", "required"), ("name",),
                 "bool"),
    CrowdElement("crowd-slider", ("name", "min", "max", "step", "value", "pin", "editable",
                                  "required", "disabled", "secondary-progress"),
                 ("name",), "number"),
    CrowdElement("crowd-slider-label", ("position",)),
    CrowdElement("crowd-instructions", ("link-text", "link-type")),
    CrowdElement("crowd-alert", ("type", "dismissible")),
    CrowdElement("crowd-badge", ("for", "label", "icon")),
    CrowdElement("crowd-card", ("heading", "image")),
    CrowdElement("crowd-fab", ("icon", "label", "disabled")),
    CrowdElement("crowd-icon-button", ("icon", "disabled")),
    CrowdElement("crowd-modal", ("link-text", "link-type")),
    CrowdElement("crowd-tabs", ()),
    CrowdElement("crowd-tab", ("header",)),
    CrowdElement("crowd-toast", ("text", "duration")),
    CrowdElement("crowd-textract-analyze-document",
                 ("src", "header", "initial-value", "block-types", "keys", "no-key-edit",
                  "no-geometry-edit"), ("src", "initial-value"), "textract"),
    CrowdElement("crowd-rekognition-detect-moderation-labels",
                 ("src", "header", "categories", "exclusion-category"), ("src", "categories"),
                 "rekognition"),
    CrowdElement("crowd-question-answer-generation", (
        "name", "source", "min-questions", "max-questions", "question-min-words",
        "question-max-words", "answer-min-words", "answer-max-words", "question-tags",
        "allow-custom-question-tags", "header"), ("name",), "any"),
    CrowdElement("crowd-text-ranking", (
        "name", "header", "responses", "ordinal-ranking-dimensions", "prompt"), ("name",), "any"),
)}


def is_known_attribute(tag: str, attribute: str) -> bool:
    """True when ``attribute`` is documented for ``tag`` or is a global/data/aria/on* one."""
    if attribute in GLOBAL_ATTRS or attribute.startswith(("data-", "aria-", "on")):
        return True
    element = CROWD.get(tag)
    return element is not None and attribute in element.attributes
