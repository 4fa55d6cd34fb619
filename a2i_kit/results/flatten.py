"""Flatten one worker answer (``answerContent``) into columns and pick its main label.

Columns are ``answer.<name>`` for plain values and ``answer.<name>.<sub>`` for objects (recursively);
lists (boxes, polygons, entities, moderation labels, Textract blocks) stay lists in one cell.

Example:
    >>> row, label, odd = flatten_answer({"category": {"label": "Billing"}, "notes": "ok"})
    >>> row, label, odd
    ({'answer.category.label': 'Billing', 'answer.notes': 'ok'}, 'Billing', [])
"""

from __future__ import annotations

from typing import Any

TEXTRACT_SOURCE = "AWS/Textract/AnalyzeDocument/Forms/V1"
REKOGNITION_SOURCE = "AWS/Rekognition/DetectModerationLabels/Image/V3"

# Keys that make an answer object a shape we know (reference worker-templates §2–3).
KNOWN_KEYS = frozenset(
    {
        "label", "labels", "workerComment", "boundingBoxes", "polygons", "lines", "polylines",
        "keypoints", "labeledImage", "labelMappings", "instances", "inputImageProperties",
        "initialValueModified", "entities", "moderationLabels", "blocks",
    }
)  # fmt: skip


def _flatten_into(out: dict[str, Any], col: str, value: dict[str, Any]) -> None:
    for sub, v in value.items():
        if type(v) is dict:
            _flatten_into(out, f"{col}.{sub}", v)
        else:
            out[f"{col}.{sub}"] = v


def _is_known(value: dict[str, Any]) -> bool:
    return all(k in KNOWN_KEYS or type(v) is bool for k, v in value.items())


def flatten_answer(
    content: dict[str, Any], label_field: str | None = None, prefix: str = "answer."
) -> tuple[dict[str, Any], Any, list[str]]:
    """Return ``(columns, label, unknown_fields)`` for one ``answerContent`` object.

    ``label_field`` names the element that carries the main answer; without it the label is the
    first ``{label}`` object, else the first ``{labels}`` (as a sorted tuple), else the first true
    value of a checkbox/radio object, else the moderation labels of a Rekognition review.
    ``unknown_fields`` lists object fields whose shape is not a known crowd element answer.
    """
    out: dict[str, Any] = {}
    unknown: list[str] = []
    for name, value in content.items():
        col = prefix + name
        if type(value) is dict:
            if value and all(type(v) is not dict for v in value.values()):
                for sub, v in value.items():
                    out[f"{col}.{sub}"] = v
            else:
                _flatten_into(out, col, value)
            if not _is_known(value):
                unknown.append(name)
        else:
            out[col] = value
    if label_field is not None:
        return out, label_of(content.get(label_field)), unknown
    return out, pick_label(content), unknown


def label_of(value: Any) -> Any:
    """The main answer value of one element's answer (see :func:`flatten_answer`).

    >>> label_of({"labels": ["b", "a"]}), label_of({"yes": False, "no": True}), label_of("x")
    (('a', 'b'), 'no', 'x')
    """
    if type(value) is not dict:
        return value
    if "label" in value:
        return value["label"]
    if "labels" in value:
        labels = value["labels"]
        return tuple(sorted(map(str, labels))) if isinstance(labels, list) else labels
    if "moderationLabels" in value:
        return _moderation(value["moderationLabels"])
    for k, v in value.items():
        if v is True:
            return k
    return None


def _moderation(labels: Any) -> Any:
    if not isinstance(labels, list):
        return None
    names = (x.get("name") if isinstance(x, dict) else x for x in labels)
    return tuple(sorted(str(n) for n in names if n is not None))


def _is_checked(value: dict[str, Any]) -> bool:
    """A checkbox/radio answer (all booleans) with at least one true value."""
    return any(v is True for v in value.values()) and all(type(v) is bool for v in value.values())


def pick_label(content: dict[str, Any]) -> Any:
    """Heuristic main label of an ``answerContent`` (no template given)."""
    multi = checked = None
    for value in content.values():
        if type(value) is not dict:
            continue
        if "label" in value:
            return value["label"]
        if multi is None and "labels" in value:
            multi = value
        elif checked is None and ("moderationLabels" in value or _is_checked(value)):
            checked = value
    if multi is not None:
        return label_of(multi)
    if checked is not None:
        return label_of(checked)
    return None
