"""TemplateDesigner: lint/preview on edits, samples, save, versioned register; edits in JupyterLab."""

from __future__ import annotations

import json

import pytest
import traitlets

from a2i_kit.client import as_session
from a2i_kit.errors import A2IKitError, InputError
from a2i_kit.widgets import TemplateDesigner
from a2i_kit.widgets.registration import check_name, register_task_ui

GOOD = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="topic" categories="['sports', 'politics']" header="Topic?">
    <classification-target>{{ task.input.headline }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""


def test_builtin_starts_clean_with_its_sample() -> None:
    d = TemplateDesigner(builtin="text-classification")
    assert d.findings == []
    assert d.render_error == ""
    assert d.sample_source == "text-classification"
    assert json.loads(d.sample_text)["predictedLabel"] == "Positive"
    assert "skeleton" in d.sample_choices
    assert "text-classification" in d.sample_choices


def test_an_edit_relints_and_rerenders() -> None:
    d = TemplateDesigner(template=GOOD, sample_input={"headline": "Cup final tonight"})
    assert "Cup final tonight" in d.srcdoc
    assert d.findings == []
    d.template = GOOD.replace(' header="Topic?"', "")
    assert [(f["line"], f["code"]) for f in d.findings] == [(3, "missing-required-attribute")]
    assert "'header'" in d.findings[0]["message"]


def test_skeleton_sample_is_inferred_and_custom_json_is_checked() -> None:
    d = TemplateDesigner(template=GOOD)
    assert d.sample_source == "skeleton"
    assert json.loads(d.sample_text) == {"headline": "sample headline"}
    d.sample_text = '{"headline": "Edited"}'
    assert "Edited" in d.srcdoc
    d.sample_text = "[1]"
    assert d.render_error.startswith("sample input: task input must be a JSON object")
    d.sample_source = "text-classification"
    assert json.loads(d.sample_text)["labels"][0] == "Positive"
    assert d.render_error == ""
    with pytest.raises(traitlets.TraitError, match="sample_source 'nope' is not one of"):
        d.sample_source = "nope"


def test_test_submit_is_checked_against_the_shape() -> None:
    d = TemplateDesigner(template=GOOD)
    assert d.run_action("submit", {"answerContent": {"topic": {"label": "sports"}}})["ok"] is True
    result = d.run_action("submit", {"answerContent": {"topic": {"label": "cooking"}}})
    assert result["ok"] is False
    assert "cooking" in result["problems"][0]


def test_save_writes_the_file_and_reports(tmp_path) -> None:
    d = TemplateDesigner(template=GOOD, path=tmp_path / "t" / "review.html")
    saved = d.run_action("save", {})
    assert saved == str(tmp_path / "t" / "review.html")
    assert (tmp_path / "t" / "review.html").read_text() == GOOD
    assert d.status.startswith(f"saved {len(GOOD)} characters to")
    reloaded = TemplateDesigner(path=tmp_path / "t" / "review.html")
    assert reloaded.template == GOOD


def test_save_errors_come_back_to_the_widget(tmp_path) -> None:
    d = TemplateDesigner(template=GOOD)
    reply = d.handle_message({"uuid": "s", "type": "save", "payload": {}})
    assert reply["type"] == "error"
    assert reply["message"].startswith("no file to save to: type a path")
    reply = d.handle_message({"uuid": "s2", "type": "save", "payload": {"path": str(tmp_path)}})
    assert reply["message"] == f"{tmp_path} is a folder; give a file name such as {tmp_path / 'template.html'}"
    assert d.error == reply["message"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "nothing to edit"),
    ({"template": GOOD, "builtin": "text-classification"}, "not both"),
    ({"builtin": "no-such"}, "no built-in template named 'no-such'"),
])
def test_constructor_errors(kwargs, message) -> None:
    with pytest.raises(A2IKitError, match=message):
        TemplateDesigner(**kwargs)


@pytest.mark.parametrize(("name", "base"), [
    ("sentiment-ui", "sentiment-ui"), ("sentiment-ui-v7", "sentiment-ui"), ("a", "a")])
def test_names_strip_the_version(name, base) -> None:
    assert check_name(name) == base


@pytest.mark.parametrize("name", ["Upper", "-x", "x-", "has space", "a" * 64, ""])
def test_bad_names_are_refused(name) -> None:
    with pytest.raises(InputError, match="is not valid: use 1-63 lowercase letters"):
        check_name(name)


def test_register_versions_changed_templates(sagemaker_client) -> None:
    first = register_task_ui(sagemaker_client, "topic-ui", GOOD)
    assert (first.name, first.created) == ("topic-ui", True)
    again = register_task_ui(sagemaker_client, "topic-ui", GOOD)
    assert (again.name, again.arn, again.created) == ("topic-ui", first.arn, False)
    changed = register_task_ui(sagemaker_client, "topic-ui", GOOD.replace("Topic?", "Which topic?"))
    assert (changed.name, changed.created) == ("topic-ui-v2", True)
    described = sagemaker_client.describe_human_task_ui(HumanTaskUiName="topic-ui-v2")
    assert described["HumanTaskUiArn"] == changed.arn


def test_register_from_the_widget_refuses_lint_errors(sagemaker_client) -> None:
    session = as_session(sagemaker_client)  # a Session holding the SageMaker client
    d = TemplateDesigner(session, template=GOOD, name="topic-ui")
    assert d.run_action("register", {})["name"] == "topic-ui"
    assert d.status == "registered task UI topic-ui"
    d.template = GOOD.replace(' header="Topic?"', "")
    reply = d.handle_message({"uuid": "r", "type": "register", "payload": {}})
    assert reply["type"] == "error"
    assert reply["message"].startswith("fix the template first: line 3: <crowd-classifier> needs a 'header'")
    d.template = GOOD.replace("sports", "science")
    assert d.run_action("register", {"name": "topic-ui"}) == {
        "name": "topic-ui-v2", "arn": d.task_ui_arn, "created": True}


def test_register_without_a_session_says_how(runtime_client) -> None:
    fix = r"registering needs a session with a SageMaker client: TemplateDesigner\(a2i_kit\.connect\(\), template=\.\.\.\)"
    for offline in (TemplateDesigner(template=GOOD), TemplateDesigner(None, template=GOOD),
                    TemplateDesigner(as_session(runtime_client), template=GOOD)):
        with pytest.raises(A2IKitError, match=fix):
            offline.register("topic-ui")


def test_the_session_may_also_come_by_keyword(sagemaker_client) -> None:
    d = TemplateDesigner(template=GOOD, session=as_session(sagemaker_client), name="kw-ui")
    assert d.register()["name"] == "kw-ui"
    assert sagemaker_client.describe_human_task_ui(HumanTaskUiName="kw-ui")["HumanTaskUiArn"] == d.task_ui_arn


@pytest.mark.parametrize(("session", "message"), [
    (GOOD, r"TemplateDesigner takes the session first \(or None to preview offline\), then the template by "
           r"keyword: TemplateDesigner\(session, template='<crowd-form>\.\.\.', \.\.\.\)"),
    ({"sagemaker": None}, r"dict is not a session: pass a Session from a2i_kit\.connect\(\)"),
])
def test_a_wrong_first_argument_says_what_to_pass(session, message) -> None:
    with pytest.raises(InputError, match=message):
        TemplateDesigner(session, template=GOOD)


@pytest.mark.jupyter
@pytest.mark.browser
def test_editing_updates_preview_and_findings(lab) -> None:
    from playwright.sync_api import expect

    lab.run(f"GOOD = {GOOD!r}")
    cell = lab.run("from a2i_kit.widgets import TemplateDesigner\n"
                   "d = TemplateDesigner(template=GOOD, sample_input={'headline': 'Rain tomorrow'})\nd")
    out = lab.output(cell)
    frame = out.frame_locator("iframe.a2i-task-frame")
    expect(frame.locator("classification-target")).to_have_text("Rain tomorrow")
    expect(out.locator(".a2i-findings-title")).to_have_text("Findings: none")
    expect(out.locator(".cm-content .cm-line")).to_have_count(GOOD.count("\n") + 1)
    expect(out.locator(".cm-lint-marker-error")).to_have_count(0)
    # Edit in the browser: a new header and a broken classifier on line 3.
    edited = GOOD.replace('categories="[\'sports\', \'politics\']" header="Topic?"',
                          'header="Pick one"').replace("headline }}", "headline }} (edited)")
    out.locator(".cm-content").click()
    lab.page.keyboard.press("Control+a")
    lab.page.keyboard.insert_text(edited)
    expect(frame.locator("classification-target")).to_have_text("Rain tomorrow (edited)")
    finding = out.locator(".a2i-findings li button", has_text="missing-required-attribute")
    expect(finding).to_contain_text("3:3 error")
    expect(out.locator(".cm-lint-marker-error")).to_have_count(1)
    expect(out.locator(".cm-content .cm-line").nth(2).locator(".cm-lintRange-error")).to_have_count(1)
    finding.click()
    expect(out.locator(".a2i-template-designer")).to_have_attribute("data-jumped-line", "3")
    assert lab.value("d.template") == edited
    assert lab.value("[f['line'] for f in d.findings if f['severity'] == 'error']") == [3]
