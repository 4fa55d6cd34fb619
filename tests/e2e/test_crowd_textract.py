"""Textract key-value review in the worker portal (built-in template and sample input), at 1400 px
and 400 px: key and value boxes outlined from the blocks' geometry on first render, confidences
shown, the page zooms (buttons, wheel, keys), and a moved or redrawn value box is the answer's
geometry in output.json."""

from __future__ import annotations

from typing import Any

import pytest
import screen_checks
from e2e_actions import press_at
from screen_checks import save_shot

from a2i_kit.templates import answer_shape, builtin, install_assets, validate_answer

page = screen_checks.page   # the page fixture at 1400 and 400 px
pytestmark = pytest.mark.browser
HOST = "crowd-textract-analyze-document"
KEY = "AWS/Textract/AnalyzeDocument/Forms/V1"
W, H = 400, 300   # form-1.png



@pytest.fixture
def textract_task(service: Any, make_flow: Any, make_worker: Any, start_loop: Any, portal: Any) -> tuple[str, Any]:
    template = builtin("textract-key-value")
    install_assets(service.context.config.mirror_dir)
    loop = start_loop(make_flow(template=template.content), template.sample_input)
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    frame.locator(f"{HOST}[data-image-ready]").wait_for()
    return loop, frame


def page_box(frame: Any) -> tuple[dict[str, float], float]:
    svg = frame.locator(f"{HOST} svg.crowd-doc-page")
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    return box, box["width"] / W


def drag(page: Any, frame: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    press_at(page, frame.locator(f"{HOST} svg.crowd-doc-page"), *start)
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()


def answer_blocks(output: dict[str, Any]) -> dict[str, Any]:
    answer = output["humanAnswers"][0]["answerContent"]
    assert validate_answer(answer_shape(builtin("textract-key-value").content), answer) == []
    return {b["id"]: b for b in answer[KEY]["blocks"]}


def test_boxes_outlined_on_first_render_with_confidences(textract_task: tuple[str, Any], page: Any) -> None:
    _loop, frame = textract_task
    boxes = frame.locator(f"{HOST} rect.crowd-kv-box").evaluate_all("""rs => rs.map(r => {
        const s = getComputedStyle(r), b = r.getBoundingClientRect();
        return {cls: r.getAttribute("class"), stroke: s.stroke, width: parseFloat(s.strokeWidth),
                fillOpacity: s.fillOpacity, w: b.width, h: b.height}; })""")
    assert [b["cls"] for b in boxes] == ["crowd-kv-box crowd-kv-box-key", "crowd-kv-box crowd-kv-box-value"]
    for b in boxes:
        assert b["width"] >= 2, b
        assert b["stroke"] != "none", b
        assert b["fillOpacity"] == "0", b
    _, scale = page_box(frame)
    assert abs(boxes[1]["w"] - 0.2 * W * scale) < 2
    assert abs(boxes[1]["h"] - 0.05 * H * scale) < 2
    confidences = frame.locator(f"{HOST} .crowd-conf").all_text_contents()
    assert confidences == ["62.5%", "62.5%"]
    assert frame.locator(f"{HOST} .crowd-conf-low").count() == 2
    fits = frame.locator("html").evaluate("h => [h.scrollWidth, h.clientWidth]")
    assert fits[0] <= fits[1], f"the task is wider than the frame: {fits}"
    save_shot(page, "textract-review")


def test_zoom_buttons_wheel_and_keys_change_the_scale(textract_task: tuple[str, Any], page: Any) -> None:
    _loop, frame = textract_task
    viewport = frame.locator(f"{HOST} [data-zoom-viewport]")
    before, _ = page_box(frame)
    frame.get_by_role("button", name="Zoom in").click()
    assert viewport.get_attribute("data-zoom") == "1.25"
    after, _ = page_box(frame)
    assert after["width"] == pytest.approx(before["width"] * 1.25, rel=0.01)
    assert frame.locator(f"{HOST} [data-zoom-level]").text_content() == "125%"
    frame.locator(f"{HOST} svg.crowd-doc-page").focus()
    page.keyboard.press("-")
    assert viewport.get_attribute("data-zoom") == "1"
    box, _ = page_box(frame)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -200)
    frame.locator(f"{HOST} [data-zoom-viewport].crowd-zoomed").wait_for()
    assert float(viewport.get_attribute("data-zoom")) > 1.3
    frame.get_by_role("button", name="Fit").click()
    assert viewport.get_attribute("data-zoom") == "1"


def test_moved_value_box_is_the_answers_geometry(textract_task: tuple[str, Any], page: Any, portal: Any,
                                                output_of: Any) -> None:
    loop, frame = textract_task
    frame.locator(f"{HOST} input[data-field=value]").first.click()     # selects pair 1
    assert frame.locator(f"{HOST} rect.crowd-kv-box-selected").count() == 2
    box, s = page_box(frame)
    centre = (box["x"] + (0.39 + 0.1) * W * s, box["y"] + (0.19 + 0.025) * H * s)
    drag(page, frame, centre, (centre[0] + 40 * s, centre[1] + 30 * s))
    portal.submit_and_wait(frame)
    value = answer_blocks(output_of(loop))["value-1"]
    got = value["geometry"]["boundingBox"]
    assert got["left"] == pytest.approx(0.39 + 40 / W, abs=0.01)
    assert got["top"] == pytest.approx(0.19 + 30 / H, abs=0.01)
    assert got["width"] == pytest.approx(0.2, abs=1e-6)
    assert got["height"] == pytest.approx(0.05, abs=1e-6)
    assert value["geometry"]["polygon"][0] == {"x": got["left"], "y": got["top"]}
    assert value["text"] == "Jane Doe"


def test_value_box_drawn_while_zoomed_maps_to_page_ratios(textract_task: tuple[str, Any], page: Any, portal: Any,
                                                         output_of: Any) -> None:
    loop, frame = textract_task
    frame.locator(f"{HOST} input[data-field=value]").first.click()
    for _ in range(3):
        frame.get_by_role("button", name="Zoom in").click()          # 1.953x, centred
    box, s = page_box(frame)                                           # the transformed page
    start = (box["x"] + 180 * s, box["y"] + 140 * s)
    drag(page, frame, start, (start[0] + 60 * s, start[1] + 20 * s))
    portal.submit_and_wait(frame)
    got = answer_blocks(output_of(loop))["value-1"]["geometry"]["boundingBox"]
    assert got == pytest.approx({"left": 180 / W, "top": 140 / H, "width": 60 / W, "height": 20 / H}, abs=0.01)
