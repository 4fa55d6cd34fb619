"""Every built-in template, answered by a worker in the portal; output.json has the reference shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from e2e_actions import draw_box, select_text

from a2i_kit.templates import answer_shape, builtin, builtin_names, install_assets, validate_answer

pytestmark = pytest.mark.browser

Act = Callable[[Any, Any], None]   # (page, frame) -> None


def choose(host: str, *names: str) -> Act:
    def act(_page: Any, frame: Any) -> None:
        for name in names:
            frame.locator(f"{host} .crowd-choice", has_text=name).first.click()
    return act


def text_classification(_page: Any, frame: Any) -> None:
    frame.locator("crowd-classifier .crowd-choice", has_text="Mixed").click()


def image_classification(_page: Any, frame: Any) -> None:
    frame.locator("crowd-image-classifier .crowd-choice", has_text="Triangle").click()
    frame.get_by_role("button", name="Add a comment").click()
    frame.locator("crowd-image-classifier textarea[data-comment]").fill("the triangle is small")


def image_multi(page: Any, frame: Any) -> None:
    frame.locator("crowd-image-classifier-multi-select .crowd-choice").first.focus()
    page.keyboard.press("1")
    page.keyboard.press("2")


def bounding_boxes(page: Any, frame: Any) -> None:
    frame.locator("crowd-bounding-box .crowd-choice", has_text="Triangle").click()
    draw_box(page, frame, "crowd-bounding-box", 10, 170, 110, 230)
    frame.get_by_role("button", name="Delete Circle 2").click()


def entity_annotation(page: Any, frame: Any) -> None:
    text = builtin("entity-annotation").sample_input["taskObject"]
    start = text.index("3 March 2025")
    select_text(page, frame, "crowd-entity-annotation", start, start + len("3 March 2025"))
    frame.locator("crowd-entity-annotation .crowd-choice", has_text="Date").click()


def rekognition(_page: Any, frame: Any) -> None:
    frame.locator("crowd-rekognition-detect-moderation-labels .crowd-choice", has_text="Weapons").click()


def tabular(_page: Any, frame: Any) -> None:
    frame.locator('input[name="verdict1"][value="agree"]').check()
    frame.locator('input[name="verdict2"][value="disagree"]').check()
    frame.locator('crowd-input[name="reason2"] input').fill("48 months of tenure")
    frame.locator('input[name="verdict3"][value="agree"]').check()


def textract(_page: Any, frame: Any) -> None:
    frame.locator("crowd-textract-analyze-document input[data-field=value]").first.fill("Jane A. Doe")
    frame.locator("crowd-textract-analyze-document input[data-add-value]").fill("1990-04-01")
    frame.get_by_role("button", name="Add", exact=True).click()


def transcription(_page: Any, frame: Any) -> None:
    frame.locator('crowd-text-area[name="segment2"] textarea').fill("my order for number twenty five never arrived")


def checks_text_classification(a: dict[str, Any]) -> None:
    assert a == {"sentiment": {"label": "Mixed"}}


def checks_text_multi(a: dict[str, Any]) -> None:
    assert a == {"topics": {"labels": ["Billing", "Bug report"]}}


def checks_image(a: dict[str, Any]) -> None:
    assert a == {"category": {"label": "Triangle", "workerComment": "the triangle is small"}}


def checks_image_multi(a: dict[str, Any]) -> None:
    assert a == {"shapes": {"labels": ["Rectangle", "Circle"]}}


def checks_boxes(a: dict[str, Any]) -> None:
    result = a["annotatedResult"]
    assert result["inputImageProperties"] == {"width": 320, "height": 240}
    assert result["initialValueModified"] is True
    boxes = result["boundingBoxes"]
    assert [b["label"] for b in boxes] == ["Rectangle", "Triangle"]
    assert boxes[0] == {"label": "Rectangle", "left": 28, "top": 36, "width": 106, "height": 118}
    drawn = boxes[1]
    for key, want in {"left": 10, "top": 170, "width": 100, "height": 60}.items():
        assert abs(drawn[key] - want) <= 1, (key, drawn)


def checks_entities(a: dict[str, Any]) -> None:
    sample = builtin("entity-annotation").sample_input
    text = sample["taskObject"]
    start = text.index("3 March 2025")
    assert a["entities"]["entities"] == [*sample["initialEntities"],
                                         {"label": "date", "startOffset": start, "endOffset": start + 12}]


def checks_rekognition(a: dict[str, Any]) -> None:
    assert a == {"AWS/Rekognition/DetectModerationLabels/Image/V3": {
        "moderationLabels": [{"name": "Weapons", "parentName": "Violence"}]}}


def checks_tabular(a: dict[str, Any]) -> None:
    assert a == {"verdict1": {"agree": True, "disagree": False}, "verdict2": {"agree": False, "disagree": True},
                 "verdict3": {"agree": True, "disagree": False}, "reason2": "48 months of tenure"}


def checks_textract(a: dict[str, Any]) -> None:
    blocks = a["AWS/Textract/AnalyzeDocument/Forms/V1"]["blocks"]
    by_id = {b["id"]: b for b in blocks}
    assert by_id["key-1"]["text"] == "Name:"
    assert by_id["value-1"]["text"] == "Jane A. Doe"
    assert {"type": "VALUE", "ids": ["value-1"]} in by_id["key-1"]["relationships"]
    added = [b for b in blocks if b["id"].startswith("worker-")]
    assert [(b["entityTypes"], b["text"]) for b in added] == [(["KEY"], "Name"), (["VALUE"], "1990-04-01")]


def checks_transcription(a: dict[str, Any]) -> None:
    assert a == {"segment1": "hello thank you for calling acme support",
                 "segment2": "my order for number twenty five never arrived"}


PLAN: dict[str, tuple[Act, Callable[[dict[str, Any]], None]]] = {
    "text-classification": (text_classification, checks_text_classification),
    "text-multi-label": (choose("crowd-classifier-multi-select", "Billing", "Bug report"), checks_text_multi),
    "image-classification": (image_classification, checks_image),
    "image-multi-label": (image_multi, checks_image_multi),
    "bounding-boxes": (bounding_boxes, checks_boxes),
    "entity-annotation": (entity_annotation, checks_entities),
    "rekognition-moderation": (rekognition, checks_rekognition),
    "tabular-review": (tabular, checks_tabular),
    "textract-key-value": (textract, checks_textract),
    "transcription-correction": (transcription, checks_transcription),
}


def test_every_builtin_has_a_plan() -> None:
    assert sorted(PLAN) == sorted(builtin_names())


@pytest.mark.parametrize("name", sorted(PLAN))
def test_builtin_answered_in_portal(name: str, service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                    portal: Any, output_of: Any, page: Any) -> None:
    template = builtin(name)
    install_assets(service.context.config.mirror_dir)
    flow = make_flow(template=template.content)
    loop = start_loop(flow, template.sample_input)
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    act, check = PLAN[name]
    act(page, frame)
    portal.submit_and_wait(frame)
    output = output_of(loop)
    answer = output["humanAnswers"][0]["answerContent"]
    assert validate_answer(answer_shape(template.content), answer) == []
    check(answer)
    assert output["humanLoopName"] == loop
    assert output["inputContent"] == template.sample_input
