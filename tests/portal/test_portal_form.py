"""crowd-form's submit pipeline and element APIs: required, onsubmit, ready event, keyboard, bundle."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def error_text(page: Any) -> str:
    box = page.locator("crowd-form .crowd-form-errors")
    box.wait_for()
    return box.inner_text()


@pytest.mark.parametrize(("template", "message"), [
    ('<crowd-input name="tag" label="First tag" required></crowd-input>', '"First tag" is required.'),
    ('<crowd-text-area name="t" label="Notes" required></crowd-text-area>', '"Notes" is required.'),
    ('<crowd-checkbox name="agree" required>I agree</crowd-checkbox>', '"agree" must be checked.'),
    ('<select name="pick" required><option value="">--</option><option>a</option></select>', 'Please fill in "pick"'),
    ('<input name="code" required>', 'Please fill in "code"'),
    ('<input type="radio" name="r" value="a" required><input type="radio" name="r" value="b">', 'Please fill in "r"'),
    ('<crowd-classifier name="c" header="Pick" categories="[\'a\']"></crowd-classifier>', "Pick: Choose a category."),
    ('<crowd-image-classifier-multi-select name="m" header="Tags" src="/img/20x20.png" categories="[\'a\']">'
     "</crowd-image-classifier-multi-select>", "Tags: Choose at least one category."),
])
def test_required_blocks_submit_with_a_visible_message(open_task: Any, submitted: Any, template: str, message: str) -> None:
    page = open_task(f"<crowd-form>{template}</crowd-form>")
    page.get_by_role("button", name="Submit").click()
    assert message in error_text(page)
    assert page.locator("crowd-form .crowd-form-errors").is_visible()
    assert submitted(page) is None


def test_required_passes_once_filled(open_task: Any, submitted: Any) -> None:
    page = open_task('<crowd-form><crowd-input name="tag" label="Tag" required></crowd-input></crowd-form>')
    page.get_by_role("button", name="Submit").click()
    assert "is required" in error_text(page)
    page.locator("crowd-input input").fill("boat")
    page.get_by_role("button", name="Submit").click()
    assert submitted(page) == {"tag": "boat"}
    assert page.locator("crowd-form .crowd-form-errors").is_hidden()


def test_radio_buttons_have_no_required_support(open_task: Any, submitted: Any) -> None:
    page = open_task('<crowd-form><crowd-radio-group><crowd-radio-button name="a" value="x" required>x'
                     "</crowd-radio-button></crowd-radio-group></crowd-form>")
    page.get_by_role("button", name="Submit").click()
    assert submitted(page) == {"a": {"x": False}}


@pytest.mark.parametrize("hook", [
    '<crowd-form onsubmit="event.preventDefault(); window.cancelled = true">',
    '<crowd-form><script>document.querySelector("crowd-form").onsubmit = (e) => { e.preventDefault(); window.cancelled = true; };</script>',
    '<crowd-form><script>document.querySelector("crowd-form").addEventListener("submit", (e) => { e.preventDefault(); window.cancelled = true; });</script>',
])
def test_submit_handlers_can_cancel(open_task: Any, submitted: Any, hook: str) -> None:
    page = open_task(f'{hook}<crowd-input name="x" value="1"></crowd-input></crowd-form>')
    page.get_by_role("button", name="Submit").click()
    page.wait_for_function("() => window.cancelled === true")
    assert submitted(page) is None


def test_submit_handler_runs_before_serialization(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-form><input type="hidden" name="built" value="">
      <crowd-bounding-box name="b" src="/img/40x30.png" labels="['a']"></crowd-bounding-box>
      <script>document.querySelector("crowd-form").addEventListener("submit", () => {
        const box = document.querySelector("crowd-bounding-box");
        document.querySelector("[name=built]").value = JSON.stringify((box.value || box._submittableValue).inputImageProperties);
      });</script></crowd-form>""")
    page.locator("crowd-bounding-box[data-image-ready]").wait_for()
    page.get_by_role("button", name="Submit").click()
    answer = submitted(page)
    assert answer["built"] == '{"width":40,"height":30}'
    assert answer["b"] == {"boundingBoxes": [], "inputImageProperties": {"width": 40, "height": 30}}


def test_ready_event_and_when_defined(harness: Any, page: Any) -> None:
    page.goto(harness.add("""<script>
        window.readyFired = 0; window.definedFirst = false;
        document.addEventListener("all-crowd-elements-ready", () => {
          window.readyFired += 1;
          window.upgraded = document.querySelector("crowd-classifier").shadowRoot !== null;
        });
        customElements.whenDefined("crowd-form").then(() => { window.definedFirst = true; });
      </script><crowd-form><crowd-classifier name="c" categories="['a']" header="h"></crowd-classifier></crowd-form>"""))
    page.wait_for_function("() => window.readyFired === 1")
    assert page.evaluate("() => [window.definedFirst, window.upgraded]") == [True, True]


def test_labels_and_categories_can_be_set_from_js(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-form><crowd-classifier name="c" header="h"></crowd-classifier>
      <crowd-keypoint name="k" src="/img/100x100.png"></crowd-keypoint></crowd-form>
      <script>document.addEventListener("all-crowd-elements-ready", () => {
        document.querySelector("crowd-classifier").categories = ["late", "early"];
        document.querySelector("crowd-keypoint").labels = ["tip"];
      });</script>""")
    page.locator("crowd-classifier .crowd-choice", has_text="early").click()
    page.locator("crowd-keypoint[data-image-ready]").wait_for()
    box = page.locator("crowd-keypoint svg").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_role("button", name="Submit").click()
    answer = submitted(page)
    assert answer["c"] == {"label": "early"}
    assert [p["label"] for p in answer["k"]["keypoints"]] == ["tip"]


def test_keys_pick_and_enter_submits(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-form><crowd-classifier name="c" header="h"
        categories="['a','b','c','d','e','f','g','h','i','j']"></crowd-classifier></crowd-form>""")
    page.keyboard.press("0")
    page.keyboard.press("Enter")
    assert submitted(page) == {"c": {"label": "j"}}


def test_enter_in_crowd_input_submits(open_task: Any, submitted: Any) -> None:
    page = open_task('<crowd-form><crowd-input name="q"></crowd-input></crowd-form>')
    page.locator("crowd-input input").fill("answer")
    page.keyboard.press("Enter")
    assert submitted(page) == {"q": "answer"}


def test_native_submit_button_and_programmatic_submit(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-form><input name="a" value="1">
        <button id="helper" onclick="event.preventDefault(); window.helper = true">helper</button>
        <button id="go">Send</button><crowd-button form-action="submit">Done</crowd-button></crowd-form>""")
    assert page.get_by_role("button", name="Submit").count() == 0   # a crowd-button submit is present
    page.locator("#helper").click()
    assert page.evaluate("() => window.helper") is True
    assert submitted(page) is None
    page.locator("#go").click()
    assert submitted(page) == {"a": "1"}
    page.evaluate("() => { globalThis.__a2iKitLastAnswer = null; document.querySelector('crowd-form').submit(); }")
    assert submitted(page) == {"a": "1"}


def test_entity_annotation_inner_form_takes_extra_inputs(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-entity-annotation name="ner" text="Ann met Bob" labels="[{label: 'person'}]"
        initial-value="[{label: 'person', startOffset: 0, endOffset: 3}]"></crowd-entity-annotation>
      <script>document.addEventListener("all-crowd-elements-ready", () => {
        const form = document.querySelector("crowd-entity-annotation").shadowRoot.querySelector("crowd-form").form;
        const group = document.createElement("crowd-radio-group");
        group.innerHTML = '<crowd-radio-button name="topicTech" value="tech" checked>Tech</crowd-radio-button>';
        form.appendChild(group);
      });</script>""")
    page.locator("crowd-radio-button").wait_for()
    page.get_by_role("button", name="Submit").click()
    assert submitted(page) == {"ner": {"entities": [{"label": "person", "startOffset": 0, "endOffset": 3}]},
                               "topicTech": {"tech": True}}


def test_inline_bundle_works_like_modules(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-form><crowd-classifier name="s" header="h" categories="['x', 'y']"></crowd-classifier>
        <crowd-input name="i" value="v"></crowd-input></crowd-form>""", inline=True)
    page.keyboard.press("2")
    page.get_by_role("button", name="Submit").click()
    assert submitted(page) == {"s": {"label": "y"}, "i": "v"}
    assert page.locator("crowd-form .crowd-form-done pre").inner_text().startswith("{")


@pytest.mark.parametrize(("text", "expected"), [
    ("['Cat', 'Dog']", ["Cat", "Dog"]),
    ("{ text: 'None of the above' }", {"text": "None of the above"}),
    ("[{name: \"W\", parentName: \"V\"},\n]", [{"name": "W", "parentName": "V"}]),
    ('{"strict": [1, 2.5, true, null]}', {"strict": [1, 2.5, True, None]}),
    ("['it\\'s', \"say \\\"hi\\\"\"]", ["it's", 'say "hi"']),
    ("{a: -1e3, 'b-c': [,],}", None),
])
def test_lenient_attribute_parsing(open_task: Any, text: str, expected: Any) -> None:
    page = open_task("<crowd-form></crowd-form>")
    result = page.evaluate("""async (text) => {
        const core = await import("/static/crowd/core.js");
        try { return {ok: core.parseLenient(text)}; } catch (err) { return {error: err.name}; }
    }""", text)
    assert result == ({"ok": expected} if expected is not None else {"error": "SyntaxError"})


def test_full_instructions_open_in_a_modal(open_task: Any) -> None:
    page = open_task("""<crowd-form><crowd-classifier name="c" header="h" categories="['a']">
        <short-instructions>Short help</short-instructions>
        <full-instructions header="All the rules">Long help</full-instructions></crowd-classifier></crowd-form>""")
    assert page.get_by_text("Short help").is_visible()
    assert not page.get_by_text("Long help").is_visible()
    page.get_by_role("button", name="View full instructions").click()
    assert page.get_by_text("Long help").is_visible()
    assert page.get_by_role("heading", name="All the rules").is_visible()


def test_classifier_value_and_change_event(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-form><crowd-classifier name="c" header="h" initial-value="Very good"
        categories="['Very good', 'Bad']"></crowd-classifier>
        <crowd-classifier-multi-select name="m" header="h" categories="['x', 'y']"></crowd-classifier-multi-select></crowd-form>
      <script>document.querySelector("crowd-classifier").addEventListener("change", (e) => { window.changed = e.target.value; });</script>""")
    assert page.evaluate("() => document.querySelector('crowd-classifier').value") == "Very good"
    page.locator("crowd-classifier .crowd-choice", has_text="Bad").click()
    assert page.evaluate("() => window.changed") == "Bad"
    page.evaluate("() => { document.querySelector('crowd-classifier-multi-select').value = ['y']; }")
    assert page.evaluate("() => document.querySelector('crowd-classifier-multi-select')._submittableValue") == ["y"]
    page.get_by_role("button", name="Submit").click()
    assert submitted(page) == {"c": {"label": "Bad"}, "m": {"labels": ["y"]}}


def test_enter_in_native_input_submits_but_not_inside_widgets(open_task: Any, submitted: Any) -> None:
    page = open_task("""<crowd-form><input name="n" value="1">
        <crowd-textract-analyze-document src="/img/20x20.png" keys="['Name']"></crowd-textract-analyze-document></crowd-form>""")
    page.locator("crowd-textract-analyze-document input[data-add-value]").fill("Ann")
    page.keyboard.press("Enter")
    assert submitted(page) is None
    page.locator('input[name="n"]').press("Enter")
    assert submitted(page) == {"n": "1", "AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": []}}


def test_layout_elements_work_with_the_keyboard(open_task: Any) -> None:
    page = open_task("""<crowd-form><crowd-modal link-text="Open details">Modal body</crowd-modal>
        <crowd-alert type="error" dismissible>Watch out</crowd-alert>
        <crowd-tabs><crowd-tab header="First">one</crowd-tab><crowd-tab header="Second">two</crowd-tab></crowd-tabs>
        <crowd-instructions link-text="Help"><short-summary>Summary text</short-summary>
        <negative-example>Bad example</negative-example></crowd-instructions></crowd-form>""")
    page.get_by_role("button", name="Open details").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("crowd-modal dialog")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.get_by_role("button", name="Dismiss").click()
    assert page.locator("crowd-alert").count() == 0
    assert page.get_by_text("one").is_visible()
    assert not page.get_by_text("two").is_visible()
    page.get_by_role("tab", name="First").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_text("two").is_visible()
    assert not page.get_by_text("one").is_visible()
    page.get_by_role("button", name="Help").click()
    assert page.get_by_text("Summary text").is_visible()
    page.get_by_role("tab", name="Examples").click()
    assert page.get_by_text("Bad example").is_visible()
    assert not page.get_by_text("Summary text").is_visible()
