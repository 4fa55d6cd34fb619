"""Every built-in renders with its sample input, lints clean and has a known answer shape."""

from __future__ import annotations

import html.parser

import pytest

from a2i_kit.errors import TemplateError
from a2i_kit.templates import (
    answer_shape,
    builtin,
    builtin_assets,
    builtin_names,
    install_assets,
    lint,
    local_signer,
    render,
    validate_answer,
)

NAMES = builtin_names()
BOX = {"label": "Circle", "left": 1, "top": 2, "width": 3, "height": 4}
SIZE = {"width": 320, "height": 240}

# name -> (properties, patternProperties, a valid answerContent)
SHAPES = {
    "text-classification": ({"sentiment": "crowd-classifier"}, {},
                            {"sentiment": {"label": "Mixed"}}),
    "text-multi-label": ({"topics": "crowd-classifier-multi-select"}, {},
                         {"topics": {"labels": ["Billing", "Bug report"]}}),
    "image-classification": ({"category": "crowd-image-classifier"}, {},
                             {"category": {"label": "Circle", "workerComment": "blurry"}}),
    "image-multi-label": ({"shapes": "crowd-image-classifier-multi-select"}, {},
                          {"shapes": {"labels": ["Circle"]}}),
    "bounding-boxes": ({"annotatedResult": "crowd-bounding-box"}, {},
                       {"annotatedResult": {"boundingBoxes": [BOX], "inputImageProperties": SIZE,
                                            "initialValueModified": True}}),
    "entity-annotation": ({"entities": "crowd-entity-annotation"}, {},
                          {"entities": {"entities": [
                              {"label": "person", "startOffset": 0, "endOffset": 11}]}}),
    "textract-key-value": (
        {"AWS/Textract/AnalyzeDocument/Forms/V1": "crowd-textract-analyze-document"}, {},
        {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [{"blockType": "KEY_VALUE_SET"}]}}),
    "rekognition-moderation": (
        {"AWS/Rekognition/DetectModerationLabels/Image/V3":
         "crowd-rekognition-detect-moderation-labels"}, {},
        {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": []}}),
    "transcription-correction": ({"notes": "crowd-input"}, {"^segment.+$": "crowd-text-area"},
                                 {"segment1": "hello", "segment2": "my order number 25"}),
    "tabular-review": ({}, {"^verdict.+$": "input[type=radio]", "^reason.+$": "crowd-input"},
                       {"verdict1": {"agree": True, "disagree": False},
                        "verdict2": {"agree": False, "disagree": True},
                        "reason2": "tenure is long"}),
}


def test_at_least_ten_builtins_with_metadata() -> None:
    assert len(NAMES) >= 10
    assert set(SHAPES) <= set(NAMES)
    for name in NAMES:
        item = builtin(name)
        assert item.name == name
        assert item.title
        assert len(item.description) > 30
        assert item.sample_input
        assert 'src="https://assets.crowd.aws/crowd-html-elements.js"' in item.content


@pytest.mark.parametrize("name", NAMES)
def test_builtin_renders_with_sample_input(name: str) -> None:
    item = builtin(name)
    page = render(item.content, item.sample_input, signer=local_signer("http://127.0.0.1:1"))
    assert "{{" not in page
    assert "{%" not in page
    assert "s3://" not in page.split("crowd-html-elements.js")[1]
    parser = html.parser.HTMLParser()
    parser.feed(page)  # well-formed enough for the stdlib parser
    if any(uri.startswith("s3://") for uri in _strings(item.sample_input)):
        assert "http://127.0.0.1:1/_a2i/objects/a2i-kit-samples/" in page


@pytest.mark.parametrize("name", NAMES)
def test_builtin_lints_clean(name: str) -> None:
    item = builtin(name)
    findings = lint(item.content, item.sample_input)
    assert [str(f) for f in findings] == []


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_builtin_answer_shape(name: str) -> None:
    props, patterns, answer = SHAPES[name]
    shape = answer_shape(builtin(name).content)
    assert {k: v["x-element"] for k, v in shape["properties"].items()} == props
    assert {k: v["x-element"] for k, v in shape.get("patternProperties", {}).items()} == patterns
    assert validate_answer(shape, answer) == []
    assert validate_answer(shape, {**answer, "stray": 1}) == [
        "answer: unexpected key 'stray' (no form field has this name)"
    ]


def test_answer_shape_rejects_wrong_types() -> None:
    shape = answer_shape(builtin("bounding-boxes").content)
    problems = validate_answer(shape, {"annotatedResult": {"boundingBoxes": [
        {"label": "Circle", "left": "1", "top": 2, "width": 3}]}})
    assert problems == [
        "answer.annotatedResult: missing 'inputImageProperties'",
        "answer.annotatedResult.boundingBoxes[0]: missing 'height'",
        "answer.annotatedResult.boundingBoxes[0].left: expected number, got str '1'",
    ]
    assert validate_answer(answer_shape(builtin("text-classification").content), {}) == [
        "answer: missing 'sentiment'"]


def test_unknown_builtin_lists_the_choices() -> None:
    with pytest.raises(TemplateError, match="no built-in template named 'nope'; choose one of: "
                                            "bounding-boxes"):
        builtin("nope")


def test_builtin_assets_are_pngs_used_by_samples(tmp_path) -> None:
    assets = builtin_assets()
    uris = {f"s3://{b}/{k}" for b, k, _ in assets}
    for _bucket, _key, path in assets:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    used = {u for n in NAMES for u in _strings(builtin(n).sample_input) if u.startswith("s3://")}
    used |= {f"s3://{builtin(n).sample_input['aiServiceRequest'][k]['s3Object']['bucket']}/"
             f"{builtin(n).sample_input['aiServiceRequest'][k]['s3Object']['name']}"
             for n, k in (("textract-key-value", "document"), ("rekognition-moderation", "image"))}
    assert used <= uris
    written = install_assets(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(
        f"{b}/{k}" for b, k, _ in assets)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
