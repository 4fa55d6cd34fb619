"""Each crowd element's answer fragment, driven in Chromium like a worker would (mouse, keyboard)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def click_choice(host: str, text: str) -> Callable[[Any], None]:
    return lambda page: page.locator(f"{host} .crowd-choice", has_text=text).first.click()


def _canvas(page: Any, host: str) -> Callable[[float, float], tuple[float, float]]:
    """Maps natural pixels of the image to page coordinates, once the image is ready."""
    page.locator(f"{host}[data-image-ready]").wait_for()
    canvas = page.locator(f"{host} svg.crowd-canvas")
    box = canvas.bounding_box()
    sx = box["width"] / float(canvas.evaluate("s => s.viewBox.baseVal.width"))
    return lambda x, y: (box["x"] + x * sx, box["y"] + y * sx)


def _count_presses(page: Any) -> None:
    page.evaluate("""() => { if (window.__presses !== undefined) return; window.__presses = 0;
        document.addEventListener("pointerdown", () => { window.__presses += 1; }, true); }""")


def _pressed(page: Any, count: int) -> None:
    """Wait until the page has seen `count` presses, so a key pressed next comes after them."""
    page.wait_for_function("n => window.__presses >= n", arg=count)


def drag(x1: float, y1: float, x2: float, y2: float, host: str) -> Callable[[Any], None]:
    """Drag on the drawing area; coordinates are natural pixels of the image."""
    def act(page: Any) -> None:
        at = _canvas(page, host)
        page.mouse.move(*at(x1, y1))
        page.mouse.down()
        page.mouse.move(*at((x1 + x2) / 2, (y1 + y2) / 2), steps=3)
        page.mouse.move(*at(x2, y2), steps=3)
        page.mouse.up()
    return act


def clicks(points: list[tuple[float, float]], host: str, *, then: str | None = None,
           double: bool = False) -> Callable[[Any], None]:
    """Click each point (the last one twice, as a double-click, when `double`), then press `then`."""
    def act(page: Any) -> None:
        at = _canvas(page, host)
        _count_presses(page)
        seen = page.evaluate("() => window.__presses")
        for k, (x, y) in enumerate(points):
            last = k == len(points) - 1
            page.mouse.click(*at(x, y), click_count=2 if double and last else 1)
            seen += 2 if double and last else 1
            _pressed(page, seen)
        if then:
            page.keyboard.press(then)
    return act


def fill(selector: str, text: str) -> Callable[[Any], None]:
    return lambda page: page.locator(selector).fill(text)


def seq(*acts: Callable[[Any], None]) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        for a in acts:
            a(page)
    return act


def nothing(_page: Any) -> None:
    """No action: the answer comes from attributes alone."""


def press(key: str) -> Callable[[Any], None]:
    return lambda page: page.keyboard.press(key)


def select_text(host: str, start: int, end: int) -> Callable[[Any], None]:
    """Select characters [start, end) of the entity text with the mouse-equivalent Range API."""
    def act(page: Any) -> None:
        page.locator(f"{host} .crowd-entity-text").evaluate(
            """(box, [s, e]) => {
                const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
                const r = document.createRange(); let seen = 0;
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    const len = n.data.length;
                    if (s >= seen && s <= seen + len) r.setStart(n, s - seen);
                    if (e >= seen && e <= seen + len) { r.setEnd(n, e - seen); break; }
                    seen += len;
                }
                const sel = box.getRootNode().getSelection(); sel.removeAllRanges(); sel.addRange(r);
            }""", [start, end])
    return act


IMG = "/img/400x300.png"

CASES: list[tuple[str, str, Callable[[Any], None], dict[str, Any]]] = [
    ("classifier", """<crowd-form><crowd-classifier name="sentiment" header="Sentiment?"
        categories="['positive', 'negative', 'neutral',]"><classification-target>Great phone</classification-target>
        </crowd-classifier></crowd-form>""", click_choice("crowd-classifier", "negative"),
     {"sentiment": {"label": "negative"}}),
    ("classifier-keys", """<crowd-form><crowd-classifier name="s" categories="['a', 'b', 'c']" header="h">
        <classification-target>x</classification-target></crowd-classifier></crowd-form>""",
     press("3"), {"s": {"label": "c"}}),
    ("classifier-initial", """<crowd-form><crowd-classifier name="s" categories="['a','b']" header="h"
        initial-value="b"></crowd-classifier></crowd-form>""", nothing, {"s": {"label": "b"}}),
    ("multi-select", """<crowd-form><crowd-classifier-multi-select name="topics" header="Topics"
        categories="['Sports', 'Business', 'Tech']" exclusion-category="{ text: 'None of these' }">
        </crowd-classifier-multi-select></crowd-form>""",
     seq(click_choice("crowd-classifier-multi-select", "Sports"), press("3")),
     {"topics": {"labels": ["Sports", "Tech"]}}),
    ("multi-select-exclusion", """<crowd-form><crowd-classifier-multi-select name="t" header="h"
        categories="['A', 'B']" exclusion-category="{ text: 'None' }"></crowd-classifier-multi-select></crowd-form>""",
     seq(press("1"), press("3")), {"t": {"labels": ["None"]}}),
    ("image-classifier", f"""<crowd-form><crowd-image-classifier name="animal" header="Animal?" src="{IMG}"
        categories="['Cat', 'Dog']"><worker-comment header="Why?" link-text="Comment"></worker-comment>
        </crowd-image-classifier></crowd-form>""",
     seq(click_choice("crowd-image-classifier", "Dog"),
         lambda page: page.get_by_role("button", name="Comment").click(),
         fill("crowd-image-classifier textarea[data-comment]", "blurry")),
     {"animal": {"label": "Dog", "workerComment": "blurry"}}),
    ("image-multi", f"""<crowd-form><crowd-image-classifier-multi-select name="animals" header="h" src="{IMG}"
        categories="['Cat', 'Dog', 'Bird']"></crowd-image-classifier-multi-select></crowd-form>""",
     seq(press("1"), press("3")), {"animals": {"labels": ["Cat", "Bird"]}}),
    ("bounding-box", f"""<crowd-form><crowd-bounding-box name="boxes" src="{IMG}" header="Box the cars"
        labels="['Car', 'Truck']"></crowd-bounding-box></crowd-form>""",
     seq(press("2"), drag(40, 50, 140, 110, "crowd-bounding-box")),
     {"boxes": {"boundingBoxes": [{"label": "Truck", "left": 40, "top": 50, "width": 100, "height": 60}],
                "inputImageProperties": {"width": 400, "height": 300}}}),
    ("bounding-box-initial-move", f"""<crowd-form><crowd-bounding-box name="b" src="{IMG}" labels="['Car']"
        initial-value="[{{label: 'Car', left: 10, top: 10, width: 50, height: 40}}]"></crowd-bounding-box></crowd-form>""",
     drag(30, 30, 60, 50, "crowd-bounding-box"),
     {"b": {"boundingBoxes": [{"label": "Car", "left": 40, "top": 30, "width": 50, "height": 40}],
            "inputImageProperties": {"width": 400, "height": 300}, "initialValueModified": True}}),
    ("bounding-box-initial-resize", f"""<crowd-form><crowd-bounding-box name="b" src="{IMG}" labels="['Car']"
        initial-value="[{{label: 'Car', left: 10, top: 10, width: 50, height: 40}}]"></crowd-bounding-box></crowd-form>""",
     seq(clicks([(30, 30)], "crowd-bounding-box"), drag(60, 50, 80, 70, "crowd-bounding-box")),
     {"b": {"boundingBoxes": [{"label": "Car", "left": 10, "top": 10, "width": 70, "height": 60}],
            "inputImageProperties": {"width": 400, "height": 300}, "initialValueModified": True}}),
    ("bounding-box-initial-untouched", f"""<crowd-form><crowd-bounding-box name="b" src="{IMG}" labels="['Car']"
        initial-value='[{{"label": "Car", "left": 10, "top": 10, "width": 50, "height": 40}}]'></crowd-bounding-box></crowd-form>""",
     lambda page: page.locator("crowd-bounding-box[data-image-ready]").wait_for(),
     {"b": {"boundingBoxes": [{"label": "Car", "left": 10, "top": 10, "width": 50, "height": 40}],
            "inputImageProperties": {"width": 400, "height": 300}, "initialValueModified": False}}),
    ("bounding-box-delete", f"""<crowd-form><crowd-bounding-box name="b" src="{IMG}" labels="['Car']"
        initial-value="[{{label: 'Car', left: 10, top: 10, width: 50, height: 40}}]"></crowd-bounding-box></crowd-form>""",
     lambda page: page.get_by_role("button", name="Delete Car 1").click(),
     {"b": {"boundingBoxes": [], "inputImageProperties": {"width": 400, "height": 300}, "initialValueModified": True}}),
    ("keypoint", f"""<crowd-form><crowd-keypoint name="pose" src="{IMG}" labels="['nose', 'eye']"
        initial-value="[{{label: 'ghost', x: 1, y: 1}}]"></crowd-keypoint></crowd-form>""",
     seq(clicks([(100, 80)], "crowd-keypoint"), press("2"), clicks([(200, 150)], "crowd-keypoint")),
     {"pose": {"keypoints": [{"label": "nose", "x": 100, "y": 80}, {"label": "eye", "x": 200, "y": 150}],
               "inputImageProperties": {"width": 400, "height": 300}, "initialValueModified": True}}),
    ("point", f"""<crowd-form><crowd-point name="p" src="{IMG}" labels="['here']"></crowd-point></crowd-form>""",
     clicks([(10, 20)], "crowd-point"),
     {"p": {"keypoints": [{"label": "here", "x": 10, "y": 20}], "inputImageProperties": {"width": 400, "height": 300}}}),
    ("polygon", f"""<crowd-form><crowd-polygon name="parcels" src="{IMG}" labels="['field']"></crowd-polygon></crowd-form>""",
     clicks([(10, 12), (90, 15), (70, 88)], "crowd-polygon", then="Enter"),
     {"parcels": {"polygons": [{"label": "field", "vertices": [{"x": 10, "y": 12}, {"x": 90, "y": 15}, {"x": 70, "y": 88}]}],
                  "inputImageProperties": {"width": 400, "height": 300}}}),
    ("polygon-close-on-first", f"""<crowd-form><crowd-polygon name="p" src="{IMG}" labels="['a']"></crowd-polygon></crowd-form>""",
     clicks([(10, 10), (100, 10), (100, 100), (11, 11)], "crowd-polygon"),
     {"p": {"polygons": [{"label": "a", "vertices": [{"x": 10, "y": 10}, {"x": 100, "y": 10}, {"x": 100, "y": 100}]}],
            "inputImageProperties": {"width": 400, "height": 300}}}),
    ("polygon-adjust-initial", f"""<crowd-form><crowd-polygon name="p" src="{IMG}" labels="['a']"
        initial-value="[{{label: 'a', vertices: [{{x: 10, y: 10}}, {{x: 100, y: 10}}, {{x: 100, y: 100}}]}}]"></crowd-polygon></crowd-form>""",
     seq(clicks([(90, 30)], "crowd-polygon"), drag(100, 100, 120, 150, "crowd-polygon")),
     {"p": {"polygons": [{"label": "a", "vertices": [{"x": 10, "y": 10}, {"x": 100, "y": 10}, {"x": 120, "y": 150}]}],
            "inputImageProperties": {"width": 400, "height": 300}, "initialValueModified": True}}),
    ("line", f"""<crowd-form><crowd-line name="lanes" src="{IMG}" labels="['lane']"></crowd-line></crowd-form>""",
     clicks([(5, 6), (300, 200)], "crowd-line"),
     {"lanes": {"lines": [{"label": "lane", "vertices": [{"x": 5, "y": 6}, {"x": 300, "y": 200}]}],
                "inputImageProperties": {"width": 400, "height": 300}}}),
    ("polyline", f"""<crowd-form><crowd-polyline name="roads" src="{IMG}" labels="['road']"></crowd-polyline></crowd-form>""",
     clicks([(10, 10), (50, 60), (90, 20)], "crowd-polyline", then="Enter"),
     {"roads": {"polylines": [{"label": "road", "vertices": [{"x": 10, "y": 10}, {"x": 50, "y": 60}, {"x": 90, "y": 20}]}],
                "inputImageProperties": {"width": 400, "height": 300}}}),
    ("polyline-double-click", f"""<crowd-form><crowd-polyline name="roads" src="{IMG}" labels="['road']"></crowd-polyline></crowd-form>""",
     clicks([(10, 10), (50, 60), (90, 20)], "crowd-polyline", double=True),
     {"roads": {"polylines": [{"label": "road", "vertices": [{"x": 10, "y": 10}, {"x": 50, "y": 60}, {"x": 90, "y": 20}]}],
                "inputImageProperties": {"width": 400, "height": 300}}}),
    ("polygon-double-click", f"""<crowd-form><crowd-polygon name="p" src="{IMG}" labels="['a']"></crowd-polygon></crowd-form>""",
     clicks([(10, 10), (100, 10), (100, 100)], "crowd-polygon", double=True),
     {"p": {"polygons": [{"label": "a", "vertices": [{"x": 10, "y": 10}, {"x": 100, "y": 10}, {"x": 100, "y": 100}]}],
            "inputImageProperties": {"width": 400, "height": 300}}}),
    ("inputs", """<crowd-form><crowd-input name="tag1" label="Tag 1"></crowd-input>
        <crowd-input name="tag2" label="Tag 2"></crowd-input><crowd-input name="tag3" value="preset"></crowd-input>
        <crowd-text-area name="notes" label="Notes"></crowd-text-area></crowd-form>""",
     seq(fill("crowd-input[name=tag1] input", "harbour"), fill("crowd-text-area textarea", "line 1\nline 2")),
     {"tag1": "harbour", "tag3": "preset", "notes": "line 1\nline 2"}),
    ("checkbox-toggle-radio", """<crowd-form>
        <crowd-checkbox name="issues" value="blurry">Blurry</crowd-checkbox>
        <crowd-checkbox name="issues" value="dark" checked>Dark</crowd-checkbox>
        <crowd-checkbox name="ok">OK</crowd-checkbox>
        <crowd-toggle-button name="urgent" value="yes"></crowd-toggle-button>
        <crowd-radio-group><crowd-radio-button name="opt_yes" value="yes">Yes</crowd-radio-button>
        <crowd-radio-button name="opt_no" value="no" checked>No</crowd-radio-button></crowd-radio-group></crowd-form>""",
     seq(lambda page: page.locator("crowd-checkbox[value=blurry] input").check(),
         lambda page: page.locator("crowd-checkbox[value=dark] input").uncheck(),
         lambda page: page.locator("crowd-toggle-button input").check(),
         lambda page: page.locator("crowd-radio-button[value=yes] input").check()),
     {"issues": {"blurry": True, "dark": False}, "ok": {"on": False}, "urgent": {"yes": True},
      "opt_yes": {"yes": True}, "opt_no": {"no": False}}),
    ("slider", """<crowd-form><crowd-slider name="fluency" min="1" max="5" step="1" value="3"></crowd-slider></crowd-form>""",
     seq(lambda page: page.locator("crowd-slider input[type=range]").focus(), press("ArrowRight")),
     {"fluency": 4}),
    ("native-controls", """<crowd-form>
        <input name="title" value="A &amp; B"><input type="hidden" name="json" value='{"a":1}'>
        <input type="number" name="n" value="7"><input name="unnamed-skipped" disabled value="x"><input value="no name">
        <select name="pick"><option value="">--</option><option value="b">B</option></select>
        <textarea name="free">t</textarea>
        <input type="radio" name="rating" value="agree"><input type="radio" name="rating" value="disagree" checked>
        <input type="checkbox" name="flag"><input type="checkbox" name="tags" value="x" checked>
        <input type="checkbox" name="tags" value="y"></crowd-form>""",
     lambda page: page.locator("select[name=pick]").select_option("b"),
     {"title": "A & B", "json": '{"a":1}', "n": "7", "pick": "b", "free": "t",
      "rating": {"agree": False, "disagree": True}, "flag": {"on": False}, "tags": {"x": True, "y": False}}),
    ("duplicate-names-last-wins", """<crowd-form><crowd-classifier name="_" categories="['a']" header="h"
        initial-value="a"></crowd-classifier><input type="hidden" name="_" value="_"></crowd-form>""",
     nothing, {"_": "_"}),
    ("textract", """<crowd-form><crowd-textract-analyze-document src="/img/200x100.png" header="Review"
        block-types="['KEY_VALUE_SET']" keys="[{importantFormKey: 'Name', importantFormKeyAliases: []}]"
        initial-value='[{"blockType":"KEY_VALUE_SET","id":"k1","entityTypes":["KEY"],"relationships":[{"type":"VALUE","ids":["v1"]},{"type":"CHILD","ids":["w1"]}]},
          {"blockType":"KEY_VALUE_SET","id":"v1","entityTypes":["VALUE"],"relationships":[{"type":"CHILD","ids":["w2"]}]},
          {"blockType":"WORD","id":"w1","text":"Date"},{"blockType":"WORD","id":"w2","text":"1999"}]'>
        </crowd-textract-analyze-document></crowd-form>""",
     seq(fill("crowd-textract-analyze-document input[data-field=value]", "2001"),
         fill("crowd-textract-analyze-document input[data-add-value]", "Ann"),
         lambda page: page.get_by_role("button", name="Add").click()),
     {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [
         {"blockType": "KEY_VALUE_SET", "id": "k1", "entityTypes": ["KEY"], "text": "Date",
          "relationships": [{"type": "VALUE", "ids": ["v1"]}, {"type": "CHILD", "ids": ["w1"]}]},
         {"blockType": "KEY_VALUE_SET", "id": "v1", "entityTypes": ["VALUE"], "text": "2001",
          "relationships": [{"type": "CHILD", "ids": ["w2"]}]},
         {"blockType": "KEY_VALUE_SET", "id": "worker-2-key", "entityTypes": ["KEY"], "text": "Name",
          "relationships": [{"type": "VALUE", "ids": ["worker-2-value"]}]},
         {"blockType": "KEY_VALUE_SET", "id": "worker-2-value", "entityTypes": ["VALUE"], "text": "Ann"}]}}),
    ("rekognition", """<crowd-form><crowd-rekognition-detect-moderation-labels src="/img/50x50.png" header="h"
        categories="[{name: 'Weapons', parentName: 'Violence'}, {name: 'Smoking', parentName: 'Drugs'},]"
        exclusion-category="{ text: 'None of the above' }"></crowd-rekognition-detect-moderation-labels></crowd-form>""",
     click_choice("crowd-rekognition-detect-moderation-labels", "Weapons"),
     {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": [{"name": "Weapons", "parentName": "Violence"}]}}),
    ("rekognition-none", """<crowd-form><crowd-rekognition-detect-moderation-labels src="/img/50x50.png"
        categories="['Weapons', 'Smoking']" exclusion-category="{ text: 'None of the above' }">
        </crowd-rekognition-detect-moderation-labels></crowd-form>""",
     seq(press("1"), press("3")),
     {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": []}}),
    ("layout-elements-no-answer", """<crowd-form><crowd-instructions link-text="Help"><short-summary>s</short-summary>
        <detailed-instructions>d</detailed-instructions><positive-example>p</positive-example></crowd-instructions>
        <crowd-alert type="warning" dismissible>careful</crowd-alert><crowd-card heading="Card">c</crowd-card>
        <crowd-tabs><crowd-tab header="One"><crowd-input name="inTab" value="v"></crowd-input></crowd-tab>
        <crowd-tab header="Two">two</crowd-tab></crowd-tabs><crowd-modal link-text="More">m</crowd-modal>
        <span id="x">x</span><crowd-badge for="x" label="new"></crowd-badge></crowd-form>""",
     lambda page: page.get_by_role("tab", name="Two").click(), {"inTab": "v"}),
]


@pytest.mark.parametrize(("template", "act", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_answer_fragment(open_task: Any, submitted: Any, template: str, act: Callable[[Any], None], expected: dict[str, Any]) -> None:
    page = open_task(template)
    act(page)
    page.get_by_role("button", name="Submit").click()
    page.locator("crowd-form >> .crowd-form-done").wait_for()
    assert submitted(page) == expected


def test_entity_annotation_select_then_label(open_task: Any, submitted: Any) -> None:
    text = "Hé 🙂 Ann works at ACME since 2020."
    page = open_task(f"""<crowd-entity-annotation name="ner" header="Tag" text="{text}"
        labels="[{{label: 'person', shortDisplayName: 'per'}}, {{label: 'org', fullDisplayName: 'Organisation'}}]">
        </crowd-entity-annotation>""")
    # "Ann": UTF-16 index 6 (the emoji is 2 code units), code point offset 5.
    select_text("crowd-entity-annotation", 6, 9)(page)
    page.locator("crowd-entity-annotation .crowd-choice", has_text="person").click()
    select_text("crowd-entity-annotation", 19, 23)(page)
    page.keyboard.press("2")
    page.get_by_role("button", name="Submit").click()
    assert submitted(page) == {"ner": {"entities": [
        {"label": "person", "startOffset": 5, "endOffset": 8},
        {"label": "org", "startOffset": 18, "endOffset": 22}]}}
    assert "".join(list(text)[18:22]) == "ACME"


def _mask(answer: dict[str, Any], name: str) -> Any:
    import base64
    import io

    from PIL import Image
    return Image.open(io.BytesIO(base64.b64decode(answer[name]["labeledImage"]["pngImageData"]))).convert("RGBA")


def _stroke(page: Any, host: str, points: list[tuple[float, float]]) -> None:
    """Drag over the mask; points in natural pixels of the 400x300 image."""
    page.locator(f"{host}[data-image-ready]").wait_for()
    box = page.locator(f"{host} canvas.crowd-seg-mask").bounding_box()
    s = box["width"] / 400
    page.mouse.move(box["x"] + points[0][0] * s, box["y"] + points[0][1] * s)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * s, box["y"] + y * s, steps=5)
    page.mouse.up()


def test_semantic_segmentation_keys_pick_labels_and_tools(open_task: Any, submitted: Any) -> None:
    page = open_task(f"""<crowd-form><crowd-semantic-segmentation name="seg" src="{IMG}" header="Paint"
        labels="['Road', 'Car']"></crowd-semantic-segmentation></crowd-form>""")
    host = "crowd-semantic-segmentation"
    assert page.get_by_role("radio", name="Brush").get_attribute("aria-checked") == "true"
    page.locator(f"{host} [data-brush]").fill("10")
    page.keyboard.press("2")
    assert page.get_by_role("radio", name="2 Car").get_attribute("aria-checked") == "true"
    _stroke(page, host, [(20, 50), (200, 50)])
    page.keyboard.press("e")                                   # eraser, by key, over the right half
    assert page.get_by_role("radio", name="Eraser").get_attribute("aria-checked") == "true"
    _stroke(page, host, [(120, 50), (210, 50)])
    page.get_by_role("button", name="Submit").click()
    answer = submitted(page)
    assert answer["seg"]["labelMappings"] == {"Car": {"color": "#ff7f0e"}}
    assert answer["seg"]["inputImageProperties"] == {"width": 400, "height": 300}
    mask = _mask(answer, "seg")
    assert mask.getpixel((60, 50)) == (0xFF, 0x7F, 0x0E, 255)
    assert mask.getpixel((160, 50)) == (0, 0, 0, 0)


def test_segmentation_initial_mask_is_kept_and_reported_unmodified(open_task: Any, submitted: Any) -> None:
    import base64
    import io

    from PIL import Image
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (10, 10, 60, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    src = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    page = open_task(f"""<crowd-form><crowd-instance-segmentation name="inst" src="{IMG}" labels="['Car']"
        initial-value='{{"instances": [{{"color": "#ff0000", "label": "Car"}}], "src": "{src}"}}'>
        </crowd-instance-segmentation></crowd-form>""")
    page.locator("crowd-instance-segmentation[data-image-ready]").wait_for()
    assert page.get_by_role("button", name="Car #1").count() == 1
    page.get_by_role("button", name="Submit").click()
    answer = submitted(page)
    assert answer["inst"]["instances"] == [{"color": "#ff0000", "label": "Car"}]
    assert answer["inst"]["initialValueModified"] is False
    mask = _mask(answer, "inst")
    assert mask.getpixel((30, 20)) == (255, 0, 0, 255)
    assert mask.getpixel((100, 100))[3] == 0
