"""Segmentation tasks in the worker portal: paint → submit → output.json holds a decodable PNG mask
whose painted pixels have exactly the label's (or instance's) colour, at 1400 px and 400 px wide."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
import screen_checks
from e2e_actions import press_at
from PIL import Image, ImageDraw
from screen_checks import hover_into, save_shot

from a2i_kit.service.objects import put_object
from a2i_kit.templates import answer_shape, validate_answer

page = screen_checks.page   # the page fixture at 1400 and 400 px
pytestmark = pytest.mark.browser
LOADER = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>'
SEMANTIC = LOADER + """
<crowd-form>
  <crowd-semantic-segmentation name="crowd-semantic-segmentation" header="Paint the road and the cars"
      src="{{ task.input.taskObject | grant_read_access }}" labels="['Road', 'Car', 'Sky']">
    <short-instructions>Paint every pixel of each class. Keys 1-3 pick the label.</short-instructions>
    <full-instructions header="Segmentation"><p>Cover each object completely.</p></full-instructions>
  </crowd-semantic-segmentation>
</crowd-form>"""
INSTANCE = SEMANTIC.replace("crowd-semantic-segmentation", "crowd-instance-segmentation")
W, H = 320, 240


def street_png() -> bytes:
    image = Image.new("RGB", (W, H), "#87ceeb")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 150, W, H], fill="#555555")
    draw.rectangle([40, 120, 120, 170], fill="#cc2222")
    draw.rectangle([200, 125, 280, 172], fill="#2222cc")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()



def open_segmentation(service: Any, make_flow: Any, make_worker: Any, start_loop: Any, portal: Any,
                      template: str) -> tuple[str, Any]:
    put_object(service.context, "street", "scene.png", street_png())
    loop = start_loop(make_flow(template=template), {"taskObject": "s3://street/scene.png"})
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    return loop, frame


class Painter:
    """Mouse actions on the mask, in natural image pixels."""

    def __init__(self, page: Any, frame: Any, host: str) -> None:
        self.page, self.frame, self.host = page, frame, host
        frame.locator(f"{host}[data-image-ready]").wait_for()

    def _box(self) -> tuple[dict[str, float], float]:
        canvas = self._canvas()
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        return box, box["width"] / W

    def _canvas(self) -> Any:
        return self.frame.locator(f"{self.host} canvas.crowd-seg-mask")

    def stroke(self, points: list[tuple[float, float]]) -> None:
        box, s = self._box()
        (x0, y0), rest = points[0], points[1:]
        # the host, not the mask: the brush layer above the mask takes the pointer
        press_at(self.page, self.frame.locator(self.host), box["x"] + x0 * s, box["y"] + y0 * s)
        for x, y in rest:
            self.page.mouse.move(box["x"] + x * s, box["y"] + y * s, steps=6)
        self.page.mouse.up()

    def clicks(self, points: list[tuple[float, float]]) -> None:
        box, s = self._box()
        for x, y in points:
            self.page.mouse.click(box["x"] + x * s, box["y"] + y * s)


def mask_of(answer: dict[str, Any], key: str) -> Image.Image:
    data = base64.b64decode(answer[key]["labeledImage"]["pngImageData"], validate=True)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGBA")


def rgba(color: str) -> tuple[int, int, int, int]:
    return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16), 255)


def shot(page: Any, frame: Any, name: str) -> None:
    """Save the screenshot, then bring the mouse back onto the task's Submit button (see hover_into)."""
    save_shot(page, name)
    hover_into(page, frame.get_by_role("button", name="Submit"))


def test_semantic_paint_and_fill_reach_output_json(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                                   portal: Any, output_of: Any, page: Any) -> None:
    key = "crowd-semantic-segmentation"
    loop, frame = open_segmentation(service, make_flow, make_worker, start_loop, portal, SEMANTIC)
    paint = Painter(page, frame, key)
    frame.locator(f"{key} [data-brush]").fill("20")
    frame.locator(f"{key} .crowd-choice", has_text="Car").click()
    paint.stroke([(50, 140), (110, 140)])                       # brush across the red car
    page.keyboard.press("1")                                    # Road
    frame.get_by_role("radio", name="Polygon fill").click()
    paint.clicks([(10, 200), (300, 200), (300, 230), (10, 230)])
    page.keyboard.press("Enter")
    fits = frame.locator("html").evaluate("h => [h.scrollWidth, h.clientWidth]")
    assert fits[0] <= fits[1], f"the task is wider than the frame: {fits}"
    shot(page, frame, "segmentation-semantic")
    portal.submit_and_wait(frame)

    answer = output_of(loop)["humanAnswers"][0]["answerContent"]
    assert validate_answer(answer_shape(SEMANTIC), answer) == []
    seg = answer[key]
    assert seg["inputImageProperties"] == {"width": W, "height": H}
    assert set(seg["labelMappings"]) == {"Road", "Car"}
    mask = mask_of(answer, key)
    assert mask.size == (W, H)
    car, road = rgba(seg["labelMappings"]["Car"]["color"]), rgba(seg["labelMappings"]["Road"]["color"])
    assert car != road
    assert mask.getpixel((80, 140)) == car
    assert mask.getpixel((150, 215)) == road
    assert mask.getpixel((150, 60))[3] == 0                     # the sky was not painted
    colours = {c for _, c in mask.getcolors(W * H) if c[3]}
    assert colours == {car, road}                               # no anti-aliased in-between colours


def test_instances_get_their_own_colours_and_undo_removes_a_stroke(
        service: Any, make_flow: Any, make_worker: Any, start_loop: Any, portal: Any, output_of: Any, page: Any) -> None:
    key = "crowd-instance-segmentation"
    loop, frame = open_segmentation(service, make_flow, make_worker, start_loop, portal, INSTANCE)
    paint = Painter(page, frame, key)
    frame.locator(f"{key} [data-brush]").fill("16")
    page.keyboard.press("2")                                    # Car
    paint.stroke([(50, 145), (110, 145)])
    frame.get_by_role("button", name="New instance (N)").click()
    paint.stroke([(210, 148), (270, 148)])
    paint.stroke([(150, 40), (170, 40)])                        # a slip into the sky ...
    frame.get_by_role("button", name="Undo").click()            # ... taken back
    shot(page, frame, "segmentation-instance")
    portal.submit_and_wait(frame)

    answer = output_of(loop)["humanAnswers"][0]["answerContent"]
    assert validate_answer(answer_shape(INSTANCE), answer) == []
    instances = answer[key]["instances"]
    assert [i["label"] for i in instances] == ["Car", "Car"]
    first, second = (rgba(i["color"]) for i in instances)
    assert first != second
    mask = mask_of(answer, key)
    assert mask.getpixel((80, 145)) == first
    assert mask.getpixel((240, 148)) == second
    assert mask.getpixel((160, 40))[3] == 0


@pytest.mark.parametrize("template", [SEMANTIC, INSTANCE], ids=["semantic", "instance"])
def test_simulated_reviewer_answers_with_a_real_empty_mask(template: str, service: Any, make_flow: Any,
                                                            start_loop: Any, output_of: Any) -> None:
    from a2i_kit.review import simulate_reviewers

    put_object(service.context, "street", "scene.png", street_png())
    loop = start_loop(make_flow(template=template), {"taskObject": "s3://street/scene.png"})
    summary = simulate_reviewers(service.url, service.admin_token, workers=1, seed=3)
    assert summary.total_answered == 1
    answer = output_of(loop)["humanAnswers"][0]["answerContent"]
    assert validate_answer(answer_shape(template), answer) == []
    key = next(iter(answer))
    mask = mask_of(answer, key)
    assert mask.size == (answer[key]["inputImageProperties"]["width"], answer[key]["inputImageProperties"]["height"])
    assert {c[3] for _, c in mask.getcolors(mask.width * mask.height)} == {0}
