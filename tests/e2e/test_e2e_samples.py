"""Templates written like the public A2I samples run unchanged through the portal."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from e2e_actions import click_image
from PIL import Image

from a2i_kit.service.objects import put_object
from a2i_kit.templates import answer_shape, validate_answer

pytestmark = pytest.mark.browser
SAMPLES = Path(__file__).with_name("samples")


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(out, format="PNG")
    return out.getvalue()


def run(make_flow: Any, make_worker: Any, start_loop: Any, portal: Any,
        sample: str, task_input: dict[str, Any]) -> tuple[str, Any, str]:
    template = (SAMPLES / sample).read_text()
    loop = start_loop(make_flow(template=template), task_input)
    portal.sign_in(make_worker("alice"))
    return loop, portal.open_task(loop), template


def test_image_classification_sample(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                     portal: Any, output_of: Any) -> None:
    photo = put_object(service.context, "my-bucket", "photos/cat 1.png", png(64, 48))
    example = put_object(service.context, "my-bucket", "examples/dog.png", png(8, 8))
    loop, frame, template = run(make_flow, make_worker, start_loop, portal, "image-classification.liquid.html", {
        "taskObject": photo, "labels": ["Cat", "Dog", "None of the above"],
        "examples": [{"image": example, "label": "Dog"}]})
    image = frame.locator("crowd-image-classifier img.crowd-target-image")
    image.wait_for()
    assert "/_a2i/objects/my-bucket/photos/cat%201.png" in image.get_attribute("src")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 64   # served from the mirror
    frame.locator("crowd-image-classifier .crowd-choice", has_text="Cat").click()
    portal.submit_and_wait(frame)
    answer = output_of(loop)["humanAnswers"][0]["answerContent"]
    assert answer == {"category": {"label": "Cat"}}
    assert validate_answer(answer_shape(template), answer) == []


def test_translation_review_sample(make_flow: Any, make_worker: Any, start_loop: Any,
                                   portal: Any, output_of: Any) -> None:
    loop, frame, template = run(make_flow, make_worker, start_loop, portal, "translation-review.liquid.html", {
        "SourceLanguage": "English", "TargetLanguage": "French",
        "translationPairs": [{"originalText": "Hello world", "translation": "Bonjour monde"},
                             {"originalText": "Thanks & bye", "translation": "Merci & au revoir"}]})
    assert frame.get_by_text("Thanks & bye").is_visible()
    frame.locator('crowd-text-area[name="translation1"] textarea').fill("Bonjour tout le monde")
    frame.get_by_role("button", name="Submit").click()
    assert 'Please fill in "rating1"' in frame.locator("crowd-form .crowd-form-errors").inner_text()
    frame.locator('input[name="rating1"][value="bad"]').check()
    frame.locator('input[name="rating2"][value="good"]').check()
    portal.submit_and_wait(frame)
    answer = output_of(loop)["humanAnswers"][0]["answerContent"]
    assert answer == {"translation1": "Bonjour tout le monde", "translation2": "Merci & au revoir",
                      "rating1": {"good": False, "bad": True}, "rating2": {"good": True, "bad": False},
                      "summary": '{"edited":[1]}'}
    assert validate_answer(answer_shape(template), answer) == []


def test_keypoint_validation_sample(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                    portal: Any, output_of: Any, page: Any) -> None:
    image = put_object(service.context, "my-bucket", "faces/1.png", png(200, 100))
    loop, frame, template = run(make_flow, make_worker, start_loop, portal, "keypoint-validation.liquid.html",
                                {"taskObject": image, "labels": ["left eye", "right eye"]})
    click_image(page, frame, "crowd-keypoint", [(60, 40)])
    frame.get_by_role("button", name="Submit").click()
    alert = frame.locator("#errorBox crowd-alert")
    alert.wait_for()
    assert "right eye" in alert.inner_text()
    frame.locator("crowd-keypoint .crowd-choice", has_text="right eye").click()
    click_image(page, frame, "crowd-keypoint", [(140, 40)])
    portal.submit_and_wait(frame)
    answer = output_of(loop)["humanAnswers"][0]["answerContent"]
    points = answer["annotatedResult"]["keypoints"]
    assert [p["label"] for p in points] == ["left eye", "right eye"]
    assert all(abs(p["x"] - want) <= 1 and abs(p["y"] - 40) <= 1 for p, want in zip(points, (60, 140), strict=True))
    assert answer["annotatedResult"]["inputImageProperties"] == {"width": 200, "height": 100}
    assert validate_answer(answer_shape(template), answer) == []
