"""Expected-input and answer-shape inference: built-ins and A2I-style sample templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from a2i_kit.templates import (
    answer_shape,
    builtin,
    builtin_names,
    expected_input,
    input_paths,
    lint,
    render,
    sample_skeleton,
    validate_answer,
)

SAMPLES = Path(__file__).with_name("samples")
S3 = "s3://a2i-kit-samples/images/shapes-1.png"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def dotted(template: str) -> dict[str, tuple[str | None, str | None]]:
    return {p.dotted: (p.type, p.format) for p in input_paths(template)}


# builtin -> the task.input paths it reads, with (type, format)
BUILTIN_INPUTS = {
    "text-classification": {"task.input.labels": (None, None),
                            "task.input.predictedLabel": ("string", None),
                            "task.input.taskObject": ("string", None),
                            "task.input.confidence": ("number", None)},
    "text-multi-label": {"task.input.labels": (None, None), "task.input.taskObject": ("string", None),
                         "task.input.predictedLabels": ("array", None)},
    "image-classification": {"task.input.taskObject": ("string", "s3-uri"),
                             "task.input.labels": (None, None),
                             "task.input.predictedLabel": ("string", None)},
    "image-multi-label": {"task.input.taskObject": ("string", "s3-uri"),
                          "task.input.labels": (None, None)},
    "bounding-boxes": {"task.input.taskObject": ("string", "s3-uri"),
                       "task.input.labels": (None, None), "task.input.initialBoxes": (None, None)},
    "entity-annotation": {"task.input.labels": (None, None),
                          "task.input.initialEntities": (None, None),
                          "task.input.taskObject": ("string", None)},
    "textract-key-value": {
        "task.input.aiServiceRequest.document.s3Object.bucket": ("string", "s3-part"),
        "task.input.aiServiceRequest.document.s3Object.name": ("string", "s3-part"),
        "task.input.selectedAiServiceResponse.blocks": (None, None),
        "task.input.humanLoopContext.importantFormKeys": (None, None)},
    "rekognition-moderation": {
        "task.input.aiServiceRequest.image.s3Object.bucket": ("string", "s3-part"),
        "task.input.aiServiceRequest.image.s3Object.name": ("string", "s3-part"),
        "task.input.selectedAiServiceResponse.moderationLabels": ("array", None),
        "task.input.selectedAiServiceResponse.moderationLabels[].name": ("string", None),
        "task.input.selectedAiServiceResponse.moderationLabels[].parentName": ("string", None)},
    "transcription-correction": {
        "task.input.title": ("string", None), "task.input.audio": ("string", "s3-uri"),
        "task.input.segments": ("array", None), "task.input.segments[].start": ("string", None),
        "task.input.segments[].end": ("string", None),
        "task.input.segments[].confidence": ("string", None),
        "task.input.segments[].text": ("string", None),
        "task.input.segments[].words": ("array", None),
        "task.input.segments[].words[].confidence": ("string", None),
        "task.input.segments[].words[].text": ("string", None)},
    "tabular-review": {"task.input.question": ("string", None), "task.input.columns": ("array", None),
                       "task.input.columns[]": ("string", None),
                       "task.input.rows": ("array", None), "task.input.rows[].values": ("array", None),
                       "task.input.rows[].values[]": ("string", None),
                       "task.input.rows[].prediction": ("string", None)},
}


def test_every_builtin_has_an_input_expectation() -> None:
    assert set(BUILTIN_INPUTS) == set(builtin_names())


@pytest.mark.parametrize("name", sorted(BUILTIN_INPUTS))
def test_builtin_expected_input(name: str) -> None:
    item = builtin(name)
    paths = dotted(item.content)
    # "audio" is read as a condition, then signed: the later (s3-uri) use is kept
    assert paths == BUILTIN_INPUTS[name]
    skeleton = sample_skeleton(item.content)
    assert [str(f) for f in lint(item.content, skeleton) if f.severity == "error"] == []
    render(item.content, skeleton, signer=lambda b, k: f"https://x/{b}/{k}")


def test_expected_input_schema_shape() -> None:
    schema = expected_input(builtin("transcription-correction").content)
    props = schema["properties"]
    assert props["audio"] == {"x-line": 15, "x-optional": True, "type": "string",
                              "format": "s3-uri"}
    assert props["segments"]["type"] == "array"
    assert set(props["segments"]["items"]["properties"]) == {"start", "end", "confidence", "text",
                                                              "words"}


SAMPLE_CASES = {
    "image-contains.html": (
        {"taskObject": S3},
        {"containsVehicle": "crowd-image-classifier"}, {},
        {"containsVehicle": {"label": "Yes"}},
        ({"containsVehicle": {"label": "Maybe"}},
         "answer.containsVehicle.label: 'Maybe' is not one of ['Yes', 'No', 'Cannot determine']"),
    ),
    "keypoint-faces.html": (
        {"metadata": {"photoId": "sample photoId", "author": "sample author"}, "source-ref": S3},
        {"landmarks": "crowd-keypoint", "flags": "crowd-checkbox"}, {},
        {"landmarks": {"keypoints": [{"label": "Nose", "x": 3, "y": 4}],
                       "inputImageProperties": {"width": 10, "height": 10}},
         "flags": {"blurry": False, "occluded": True}},
        ({"flags": {"blurry": "yes"}, "landmarks": {"keypoints": [],
                                                    "inputImageProperties": {"width": 1, "height": 1}}},
         "answer.flags.blurry: expected boolean, got str 'yes'"),
    ),
    "product-pairs.html": (
        {"pairs": [{"left": {"image": S3, "title": "sample title 1"},
                    "right": {"image": S3, "title": "sample title 1"}},
                   {"left": {"image": S3, "title": "sample title 2"},
                    "right": {"image": S3, "title": "sample title 2"}}]},
        {"comments": "crowd-text-area"},
        {"^same.+$": "crowd-radio-button", "^different.+$": "crowd-radio-button"},
        {"same1": {"yes": True}, "different1": {"no": False}, "comments": "ok"},
        ({"same1": {"yes": 1}}, "answer.same1.yes: expected boolean, got int 1"),
    ),
    "translation-rating.html": (
        {"sourceLanguage": "sample sourceLanguage", "original": {"text": "sample text"},
         "targetLanguage": "sample targetLanguage", "translation": {"text": "sample text"},
         "modelVersion": "sample modelVersion"},
        {"adequacy": "crowd-slider", "fluency": "crowd-slider", "problem": "select",
         "modelVersion": "input[type=hidden]", "correction": "textarea"}, {},
        {"adequacy": 4, "fluency": 5, "problem": "none", "modelVersion": "v3"},
        ({"adequacy": 4, "problem": "none", "modelVersion": "v3"}, "answer: missing 'fluency'"),
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLE_CASES))
def test_sample_templates(name: str) -> None:
    skeleton, props, patterns, good, (bad, problem) = SAMPLE_CASES[name]
    template = sample(name)
    assert sample_skeleton(template) == skeleton
    assert [str(f) for f in lint(template, skeleton)] == []
    shape = answer_shape(template)
    assert {k: v["x-element"] for k, v in shape["properties"].items()} == props
    assert {k: v["x-element"] for k, v in shape.get("patternProperties", {}).items()} == patterns
    assert validate_answer(shape, good) == []
    assert problem in validate_answer(shape, bad)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ task.input.a.b[0].c }}", {"task.input.a.b[].c": ("string", None)}),
        ("{% for i in (1..task.input.n) %}{% endfor %}", {"task.input.n": ("integer", None)}),
        ("{{ task.input.price | plus: 1 }}", {"task.input.price": ("number", None)}),
        ("<a href=\"{{ task.input.link }}\">x</a>", {"task.input.link": ("string", "uri")}),
        ("{% assign r = task.input.rows %}{% for x in r %}{{ x.id }}{% endfor %}",
         {"task.input.rows": ("array", None), "task.input.rows[].id": ("string", None)}),
        ("{{ task.input.items.size }}", {"task.input.items": ("array", None)}),
        ("{{ task.input.items | join: ',' }}", {"task.input.items": ("array", None)}),
        ("{{ other.thing }}{{ task }}", {}),
    ],
)
def test_input_path_types(template: str, expected: dict) -> None:
    assert dotted(template) == expected


def test_classifier_categories_from_literal_become_enum() -> None:
    shape = answer_shape("<crowd-form><crowd-classifier-multi-select name='m' header='h' "
                         "categories=\"['a', 'b',]\"></crowd-classifier-multi-select></crowd-form>")
    assert shape["properties"]["m"]["properties"]["labels"]["items"]["enum"] == ["a", "b"]
    assert shape["required"] == ["m"]


@pytest.mark.parametrize(
    ("body", "name", "shape"),
    [
        ('<crowd-input name="t"></crowd-input>', "t", {"type": "string", "x-element": "crowd-input"}),
        ('<crowd-toggle-button name="on"></crowd-toggle-button>', "on",
         {"type": "object", "properties": {"on": {"type": "boolean"}},
          "x-element": "crowd-toggle-button"}),
        ('<crowd-slider name="s" min="1" max="5"></crowd-slider>', "s",
         {"type": "number", "x-element": "crowd-slider"}),
        ('<input type="checkbox" name="c" value="x"><input type="checkbox" name="c" value="y">',
         "c", {"type": "object", "properties": {"x": {"type": "boolean"}, "y": {"type": "boolean"}},
               "x-element": "input[type=checkbox]"}),
        ('<crowd-polygon name="p" src="https://x/a.png" labels="[\'a\']"></crowd-polygon>', "p",
         None),
        ('<crowd-line name="l" src="https://x/a.png" labels="[\'a\']"></crowd-line>', "l", None),
        ('<crowd-polyline name="l" src="https://x/a.png" labels="[\'a\']"></crowd-polyline>',
         "l", None),
    ],
)
def test_element_shapes(body: str, name: str, shape: dict | None) -> None:
    result = answer_shape(f"<crowd-form>{body}</crowd-form>")["properties"][name]
    if shape is not None:
        assert result == shape
    else:
        key = {"crowd-polygon": "polygons", "crowd-line": "lines",
               "crowd-polyline": "polylines"}[result["x-element"]]
        assert result["required"] == [key, "inputImageProperties"]


def test_elements_outside_crowd_form_do_not_answer() -> None:
    shape = answer_shape('<crowd-input name="x"></crowd-input><input name="y">')
    assert shape["properties"] == {}
