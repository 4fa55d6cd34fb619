"""TaskPreview: kernel-side logic (render, submit checks, errors) and a real submit in JupyterLab."""

from __future__ import annotations

import pytest
import traitlets

from a2i_kit.errors import InputError
from a2i_kit.widgets import TaskPreview

CLASSIFIER = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['positive', 'negative']" header="Sentiment?">
    <classification-target>{{ task.input.text }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""


def test_renders_the_input_into_a_page_with_offline_elements() -> None:
    w = TaskPreview(template=CLASSIFIER, task_input={"text": "great phone"})
    assert "great phone" in w.srcdoc
    assert 'src="https://assets.crowd.aws' not in w.srcdoc
    assert 'customElements.define("crowd-form"' in w.srcdoc
    assert w.render_error == ""


def test_input_may_be_json_text_and_changes_rerender() -> None:
    w = TaskPreview(template=CLASSIFIER, task_input='{"text": "zq-one"}')
    w.task_input = {"text": "zq-two"}
    assert "zq-two" in w.srcdoc
    assert "zq-one" not in w.srcdoc


@pytest.mark.parametrize(("answer", "ok", "problem"), [
    ({"sentiment": {"label": "positive"}}, True, None),
    ({"sentiment": {"label": "angry"}}, False, "angry"),
    ({}, False, "sentiment"),
])
def test_submit_checks_the_answer_against_the_shape(answer, ok, problem) -> None:
    w = TaskPreview(template=CLASSIFIER, task_input={"text": "x"})
    seen = []
    w.on_submit(seen.append)
    reply = w.handle_message({"uuid": "u1", "type": "submit", "payload": {"answerContent": answer}})
    assert reply["uuid"] == "u1"
    assert reply["type"] == "submit:ok"
    assert reply["result"]["ok"] is ok
    assert w.answer == answer
    assert w.answer_ok is ok
    assert seen == [answer]
    if problem:
        assert any(problem in p for p in w.answer_problems)
    else:
        assert w.answer_problems == []


def test_a_bad_message_is_answered_with_an_error_and_shown() -> None:
    w = TaskPreview(template=CLASSIFIER, task_input={"text": "x"})
    reply = w.handle_message({"uuid": "u2", "type": "submit", "payload": {"answerContent": [1]}})
    assert reply == {"uuid": "u2", "type": "error", "request": "submit",
                     "message": "answerContent must be a JSON object, got list"}
    assert w.error == reply["message"]
    ok = w.handle_message({"uuid": "u3", "type": "submit", "payload": {"answerContent": {}}})
    assert ok["type"] == "submit:ok"
    assert w.error == ""


def test_template_errors_keep_the_last_page_and_name_the_line() -> None:
    w = TaskPreview(template=CLASSIFIER, task_input={"text": "kept"})
    w.template = "<p>\n{{ task.input.text | nosuch }}</p>"
    assert "kept" in w.srcdoc
    assert "2:" in w.render_error
    assert "nosuch" in w.render_error


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"template": "  "}, "template is empty"),
    ({"template": CLASSIFIER, "task_input": "[1, 2]"}, "task input must be a JSON object"),
    ({"template": CLASSIFIER, "task_input": "{nope"}, "task input is not valid JSON (line 1, column 2)"),
])
def test_constructor_rejects_bad_arguments(kwargs, message) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TaskPreview(**kwargs)


def test_height_is_validated() -> None:
    w = TaskPreview(template=CLASSIFIER, task_input={})
    with pytest.raises(traitlets.TraitError, match="between 120 and 4000"):
        w.frame_height = 10


@pytest.mark.jupyter
@pytest.mark.browser
def test_submit_in_the_preview_reaches_the_kernel(lab) -> None:
    from playwright.sync_api import expect

    lab.run(f"CLASSIFIER = {CLASSIFIER!r}")
    cell = lab.run("from a2i_kit.widgets import TaskPreview\n"
                   "w = TaskPreview(template=CLASSIFIER, task_input={'text': 'battery died'})\nw")
    out = lab.output(cell)
    frame_el = out.locator("iframe.a2i-task-frame")
    expect(frame_el).to_have_attribute("sandbox", "allow-scripts allow-forms")
    expect(frame_el).to_have_attribute("data-ready", "")
    frame = out.frame_locator("iframe.a2i-task-frame")
    expect(frame.locator("classification-target")).to_have_text("battery died")
    frame.locator("button.crowd-choice", has_text="negative").click()
    frame.locator("crowd-button", has_text="Submit").click()
    expect(out.locator(".a2i-answer-status")).to_contain_text("matches")
    assert lab.wait_value("w.answer") == {"sentiment": {"label": "negative"}}
    assert lab.value("w.answer_ok") is True
    assert '"negative"' in out.locator(".a2i-answer-json").inner_text()
