"""Make up a worker's answer for any template from its answer shape.

The shape is what :func:`a2i_kit.templates.answer_shape` infers: a JSON-schema-like description
keyed by element name (``{"type": "object", "properties": {name: schema}}`` or ``{name: schema}``).
One element is the *target* (the one ground truth applies to: ``target=`` or the first element
with a label, labels or boxes); the others get plausible filler.

Example:
    >>> import random
    >>> shape = {"sentiment": {"type": "object", "properties": {"label": {
    ...     "type": "string", "enum": ["positive", "negative"]}}}}
    >>> generate_answer(shape, random.Random(0), truth="negative", accuracy=1.0)
    {'sentiment': {'label': 'negative'}}
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from a2i_kit.errors import InputError

TEXTRACT = "AWS/Textract/AnalyzeDocument/Forms/V1"
REKOGNITION = "AWS/Rekognition/DetectModerationLabels/Image/V3"
MISSING: Any = object()
WORDS = ("looks", "right", "checked", "the", "input", "model", "answer", "is", "fine", "unclear")


def elements(shape: Mapping[str, Any]) -> dict[str, Any]:
    """``{element name: schema}`` from either shape form; a Liquid-made name pattern such as
    ``^q.+$`` stands for its first instance (``q1``)."""
    if isinstance(shape.get("properties"), Mapping):
        named = dict(shape["properties"])
        for pattern, schema in (shape.get("patternProperties") or {}).items():
            named.setdefault(_first_instance(pattern), schema)
        return named
    return {k: v for k, v in shape.items() if isinstance(v, Mapping) and k not in ("type", "required")}


def _first_instance(pattern: str) -> str:
    """``^q.+$`` → ``q1``: the name a Liquid ``for`` loop gives its first element."""
    return re.sub(r"\\(.)", r"\1", pattern.strip("^$").replace(".+", "1"))


def _props(schema: Mapping[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return dict(props) if isinstance(props, Mapping) else {}


def _enum(schema: Mapping[str, Any] | None) -> list[Any]:
    if not isinstance(schema, Mapping):
        return []
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    items = schema.get("items")
    return _enum(items) if isinstance(items, Mapping) else []


def kind(schema: Mapping[str, Any]) -> str:
    """label | labels | boxes | booleans | text | number | choice | array | object | other."""
    props = _props(schema)
    if "label" in props:
        return "label"
    if "labels" in props:
        return "labels"
    if "boundingBoxes" in props:
        return "boxes"
    types = schema.get("type")
    if types == "array":
        return "array"
    if types == "object" and props and all(p.get("type") == "boolean" for p in props.values()):
        return "booleans"
    if types == "string":
        return "choice" if _enum(schema) else "text"
    if types in ("number", "integer"):
        return "number"
    return "object" if types == "object" else "other"


def pick_target(shape: Mapping[str, Any]) -> str | None:
    """The element ground truth applies to: the first label, labels or boxes element."""
    named = elements(shape)
    for wanted in ("label", "labels", "boxes", "choice", "booleans"):
        for name, schema in named.items():
            if kind(schema) == wanted:
                return name
    return next(iter(named), None)


def choose_label(truth: Any, candidates: Sequence[Any], rng: random.Random, *, accuracy: float = 1.0,
                 confusion: Mapping[str, Mapping[str, float]] | None = None) -> Any:
    """A label for an item whose true label is ``truth``.

    With ``confusion`` (``{true: {answer: probability}}``) the answer is drawn from that row;
    otherwise it is ``truth`` with probability ``accuracy`` and another candidate uniformly else.
    Truth is matched to the candidates ignoring case; unknown truth (MISSING, None, or no
    matching candidate) gives a uniform draw.
    """
    if not candidates:
        raise InputError("no labels to choose from: pass labels=[...] or use a template with categories")
    if confusion is not None and truth is not MISSING and str(truth) in confusion:
        row = confusion[str(truth)]
        labels, weights = list(row), [float(row[k]) for k in row]
        return rng.choices(labels, weights=weights)[0] if sum(weights) > 0 else truth
    if truth is not MISSING and truth not in candidates:  # "Positive" for category "positive"
        folded = {str(c).casefold(): c for c in candidates}
        truth = folded.get(str(truth).casefold(), MISSING)
    if truth is MISSING or truth is None:
        return rng.choice(list(candidates))
    if rng.random() < accuracy:
        return truth
    others = [c for c in candidates if c != truth]
    return rng.choice(others) if others else truth


def jitter_boxes(boxes: Sequence[Mapping[str, Any]], rng: random.Random, scale: float = 0.05) -> list[dict[str, Any]]:
    """Ground-truth boxes moved and resized by up to ``scale`` of their size (integers ≥ 0)."""
    out = []
    for box in boxes:
        width, height = float(box.get("width", 10)), float(box.get("height", 10))
        out.append({"label": box.get("label", "object"),
                    "left": max(0, round(float(box.get("left", 0)) + rng.uniform(-scale, scale) * width)),
                    "top": max(0, round(float(box.get("top", 0)) + rng.uniform(-scale, scale) * height)),
                    "width": max(1, round(width * (1 + rng.uniform(-scale, scale)))),
                    "height": max(1, round(height * (1 + rng.uniform(-scale, scale))))})
    return out


def free_text(rng: random.Random, words: int = 4) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _value(schema: Mapping[str, Any], rng: random.Random, truth: Any, opts: dict[str, Any]) -> Any:
    """One element's answer; ``truth`` is MISSING for non-target elements."""
    which = kind(schema)
    props = _props(schema)
    if which == "label":
        candidates = opts["labels"] or _enum(props["label"])
        if not candidates:  # categories made with Liquid: only the truth (or free text) is known
            return {"label": str(truth) if truth not in (MISSING, None) else free_text(rng, 1)}
        return {"label": choose_label(truth, candidates, rng, accuracy=opts["accuracy"], confusion=opts["confusion"])}
    if which == "labels":
        candidates = opts["labels"] or _enum(props["labels"])
        if truth is MISSING or truth is None:
            return {"labels": [c for c in candidates if rng.random() < 0.3] or candidates[:1]}
        true_set = set(truth) if isinstance(truth, list | tuple | set) else {truth}
        keep = [c for c in candidates if (c in true_set) == (rng.random() < opts["accuracy"])]
        return {"labels": keep}
    if which == "boxes":
        boxes = truth if isinstance(truth, list) else []
        if not boxes:
            labels = opts["labels"] or _enum(_props(props["boundingBoxes"].get("items") or {}).get("label")) or ["object"]
            boxes = [{"label": rng.choice(labels), "left": rng.randint(0, 300), "top": rng.randint(0, 300),
                      "width": rng.randint(20, 200), "height": rng.randint(20, 200)}]
        return {"boundingBoxes": jitter_boxes(boxes, rng), "inputImageProperties": {"width": 800, "height": 600}}
    if which == "booleans":
        names = list(props)
        chosen = str(truth) if truth is not MISSING and str(truth) in names else None
        if chosen is not None and rng.random() >= opts["accuracy"] and len(names) > 1:
            chosen = rng.choice([n for n in names if n != chosen])
        if chosen is None and "radio" in str(schema.get("x-element", "")):
            chosen = rng.choice(names)  # a radio group has exactly one choice
        return {n: (n == chosen) if chosen else rng.random() < 0.5 for n in names}
    if which == "choice":
        return choose_label(truth, _enum(schema), rng, accuracy=opts["accuracy"], confusion=opts["confusion"])
    if which == "text":
        return str(truth) if truth is not MISSING and truth is not None else free_text(rng)
    if which == "number":
        low, high = float(schema.get("minimum", 0)), float(schema.get("maximum", 10))
        return rng.randint(int(low), int(high)) if schema.get("type") == "integer" else round(rng.uniform(low, high), 3)
    if which == "array":
        return []
    if which == "object":
        return {name: _value(sub, rng, MISSING, opts) for name, sub in props.items()}
    return free_text(rng)


def generate_answer(shape: Mapping[str, Any] | None, rng: random.Random, *, truth: Any = MISSING,
                    accuracy: float = 1.0, confusion: Mapping[str, Mapping[str, float]] | None = None,
                    labels: Sequence[Any] | None = None, target: str | None = None,
                    task_input: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An ``answerContent`` object for a template of this shape (``{}`` when there is no shape).

    ``task_input`` is needed only for the Textract/Rekognition built-in elements.
    """
    if not shape:
        return {}
    opts = {"accuracy": accuracy, "confusion": confusion, "labels": list(labels) if labels else None}
    target = target or pick_target(shape)
    answer: dict[str, Any] = {}
    for name, schema in elements(shape).items():
        if name in (TEXTRACT, REKOGNITION):
            answer.update(builtin_answer(name, task_input or {}, rng, accuracy=accuracy))
            continue
        answer[name] = _value(schema, rng, truth if name == target else MISSING, opts)
    return answer


def builtin_answer(source: str, task_input: Mapping[str, Any], rng: random.Random, *,
                   accuracy: float = 1.0) -> dict[str, Any]:
    """Answers for the Textract and Rekognition built-in task types, from the loop's input."""
    selected = task_input.get("selectedAiServiceResponse") or task_input.get("aiServiceResponse") or {}
    if source == TEXTRACT:
        return {TEXTRACT: {"blocks": list(selected.get("blocks") or [])}}
    if source == REKOGNITION:
        labels = [{"name": label.get("name"), "parentName": label.get("parentName", "")}
                  for label in selected.get("moderationLabels") or [] if rng.random() < accuracy]
        return {REKOGNITION: {"moderationLabels": labels}}
    raise InputError(f"unknown built-in request source {source!r}")
