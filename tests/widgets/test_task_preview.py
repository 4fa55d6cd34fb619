"""TaskPreview: kernel-side logic (render, submit checks, errors) and a real submit in JupyterLab."""

from __future__ import annotations

import pytest
import traitlets

from a2i_kit.client import as_session
from a2i_kit.errors import InputError
from a2i_kit.session import Session
from a2i_kit.templates import builtin
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


@pytest.mark.parametrize(("session", "message"), [
    (CLASSIFIER, r"TaskPreview takes the session first \(or None to preview offline\), then the template by "
                 r"keyword: TaskPreview\(session, template='<crowd-form>\.\.\.', \.\.\.\)"),
    (42, r"int is not a session: pass a Session from a2i_kit\.connect\(\)"),
    ("reviews.html", r"'reviews\.html' is not a session: pass a Session from a2i_kit\.connect\(\)"),
])
def test_a_wrong_first_argument_says_what_to_pass(session, message) -> None:
    with pytest.raises(InputError, match=message):
        TaskPreview(session, template=CLASSIFIER, task_input={"text": "x"})


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


IMAGE = '<crowd-form><img src="{{ task.input.image | grant_read_access }}"></crowd-form>'
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def test_s3_images_are_signed_from_a_local_session(service) -> None:
    session = as_session(service)  # the Session of the running embedded service: it has an S3 mirror
    (session.mirror_dir / "bkt" / "img").mkdir(parents=True)
    (session.mirror_dir / "bkt" / "img" / "one.png").write_bytes(PNG)
    w = TaskPreview(session, template=IMAGE, task_input={"image": "s3://bkt/img/one.png"})
    assert w.render_error == ""
    assert 'src="data:image/png;base64,iVBORw0KGgo' in w.srcdoc
    w.task_input = {"image": "s3://bkt/img/missing.png"}
    assert w.render_error == (f"s3://bkt/img/missing.png is not in the session's S3 mirror ({session.mirror_dir}): "
                              "upload it there first, or fix the URI in the input")
    by_keyword = TaskPreview(template=IMAGE, task_input={"image": "s3://bkt/img/one.png"}, session=session)
    assert by_keyword.srcdoc == TaskPreview(session, template=IMAGE, task_input={"image": "s3://bkt/img/one.png"}).srcdoc
    sample = {**builtin("image-classification").sample_input, "taskObject": "s3://bkt/img/one.png"}
    built_in = TaskPreview.from_builtin("image-classification", session=session, task_input=sample)
    assert built_in.render_error == ""
    assert 'src="data:image/png;base64,iVBORw0KGgo' in built_in.srcdoc


def test_without_a_session_the_error_names_the_fix() -> None:
    w = TaskPreview(None, template=IMAGE, task_input={"image": "s3://bkt/img/one.png"})
    assert w.render_error == ("s3://bkt/img/one.png: pass the session as the widget's first argument "
                              "(session = a2i_kit.connect()) so the preview can read the image")


def test_s3_images_are_presigned_on_aws() -> None:
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                      aws_secret_access_key="secret")  # presigning is local: no call is made
    session = Session(backend="aws", region="us-east-1", sagemaker=None, runtime=None, s3=s3)
    w = TaskPreview(session, template=IMAGE, task_input={"image": "s3://bkt/img/one.png"})
    assert w.render_error == ""
    assert "https://bkt.s3.amazonaws.com/img/one.png?" in w.srcdoc
    assert "X-Amz-Signature=" in w.srcdoc or "Signature=" in w.srcdoc


def test_a_template_change_clears_the_last_test_submit() -> None:
    w = TaskPreview(template=CLASSIFIER, task_input={"text": "x"})
    w.run_action("submit", {"answerContent": {"sentiment": {"label": "positive"}}})
    assert w.answer_ok is True
    w.template = CLASSIFIER.replace("Sentiment?", "Tone?")
    assert (w.answer, w.answer_ok, w.answer_problems) == (None, None, [])


@pytest.mark.parametrize(("text", "message"), [
    ('{"text": ', r"task input is not valid JSON \(line 1, column 10\)"),
    # Valid syntax Python cannot convert: was an AttributeError (no .lineno on a plain ValueError).
    ('{"n": ' + "1" * 5000 + "}", "task input cannot be read as JSON: Exceeds the limit"),
])
def test_unreadable_json_input_says_why(text: str, message: str) -> None:
    from a2i_kit.widgets.preview import parse_task_input

    with pytest.raises(InputError, match=message):
        parse_task_input(text)
