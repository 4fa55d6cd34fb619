"""CreateHumanTaskUi / Describe / List / Delete over real boto3."""

from __future__ import annotations

import hashlib

import httpx

TEMPLATE = "<crowd-form><crowd-input name='answer'></crowd-input>{{ task.input.text }}</crowd-form>"


def test_create_describe_returns_arn_sha_and_a_working_url(sagemaker_client):
    arn = sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-1", UiTemplate={"Content": TEMPLATE})
    assert arn["HumanTaskUiArn"] == "arn:aws:sagemaker:us-east-1:111122223333:human-task-ui/ui-1"
    described = sagemaker_client.describe_human_task_ui(HumanTaskUiName="ui-1")
    assert described["HumanTaskUiStatus"] == "Active"
    assert described["UiTemplate"]["ContentSha256"] == hashlib.sha256(TEMPLATE.encode()).hexdigest()
    page = httpx.get(described["UiTemplate"]["Url"])
    assert page.status_code == 200
    assert page.text == TEMPLATE


def test_template_url_with_a_forged_signature_is_refused(sagemaker_client):
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-1", UiTemplate={"Content": TEMPLATE})
    url = sagemaker_client.describe_human_task_ui(HumanTaskUiName="ui-1")["UiTemplate"]["Url"]
    forged = url.rsplit("signature=", 1)[0] + "signature=00"
    response = httpx.get(forged)
    assert response.status_code == 403
    assert response.json()["code"] == "Forbidden"


def test_duplicate_name_is_resource_in_use(sagemaker_client, aws_error):
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-1", UiTemplate={"Content": TEMPLATE})
    code, message, _ = aws_error(sagemaker_client.create_human_task_ui, HumanTaskUiName="ui-1",
                                 UiTemplate={"Content": TEMPLATE})
    assert code == "ResourceInUse"
    assert message == "HumanTaskUi 'ui-1' already exists. Delete it first or pick another name."


def test_describe_unknown_is_resource_not_found(sagemaker_client, aws_error):
    code, message, status = aws_error(sagemaker_client.describe_human_task_ui, HumanTaskUiName="nope")
    assert (code, status) == ("ResourceNotFound", 400)
    assert message == "HumanTaskUi 'nope' does not exist."


def test_uppercase_name_fails_the_model_pattern(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.create_human_task_ui, HumanTaskUiName="My-UI",
                                 UiTemplate={"Content": TEMPLATE})
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value 'My-UI' at 'humanTaskUiName' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: [a-z0-9](-*[a-z0-9])*")


def test_template_over_128000_chars_is_rejected(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.create_human_task_ui, HumanTaskUiName="big",
                                 UiTemplate={"Content": "x" * 128_001})
    assert code == "ValidationException"
    assert "at 'uiTemplate.content' failed to satisfy constraint: Member must have length less than or equal to 128000" in message


def test_list_and_delete(sagemaker_client, aws_error):
    for name in ("a-1", "a-2", "a-3"):
        sagemaker_client.create_human_task_ui(HumanTaskUiName=name, UiTemplate={"Content": TEMPLATE})
    names = [s["HumanTaskUiName"] for s in sagemaker_client.list_human_task_uis(SortOrder="Ascending")["HumanTaskUiSummaries"]]
    assert names == ["a-1", "a-2", "a-3"]
    sagemaker_client.delete_human_task_ui(HumanTaskUiName="a-2")
    names = [s["HumanTaskUiName"] for s in sagemaker_client.list_human_task_uis()["HumanTaskUiSummaries"]]
    assert names == ["a-3", "a-1"]  # default sort: Descending
    code, message, _ = aws_error(sagemaker_client.delete_human_task_ui, HumanTaskUiName="a-2")
    assert (code, message) == ("ResourceNotFound", "HumanTaskUi 'a-2' does not exist.")


def test_render_ui_template_with_content_and_with_arn(sagemaker_client):
    rendered = sagemaker_client.render_ui_template(UiTemplate={"Content": "<p>{{ task.input.text }}</p>"},
                                                   Task={"Input": '{"text": "a < b"}'}, RoleArn="arn:aws:iam::111122223333:role/r")
    assert rendered["RenderedContent"] == "<p>a &lt; b</p>"
    assert rendered["Errors"] == []
    arn = sagemaker_client.create_human_task_ui(HumanTaskUiName="ui-1", UiTemplate={"Content": TEMPLATE})["HumanTaskUiArn"]
    rendered = sagemaker_client.render_ui_template(HumanTaskUiArn=arn, Task={"Input": '{"text": "hello"}'},
                                                   RoleArn="arn:aws:iam::111122223333:role/r")
    assert "hello" in rendered["RenderedContent"]


def test_render_problems_come_back_in_errors(sagemaker_client):
    rendered = sagemaker_client.render_ui_template(
        UiTemplate={"Content": "<img src=\"{{ task.input.img | grant_read_access }}\">"},
        Task={"Input": '{"img": " "}'}, RoleArn="arn:aws:iam::111122223333:role/r")
    assert rendered["RenderedContent"] == ""
    assert rendered["Errors"][0]["Code"] == "InvalidParameters"
    assert "grant_read_access" in rendered["Errors"][0]["Message"]


def test_render_needs_exactly_one_template_source(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.render_ui_template, Task={"Input": "{}"},
                                 RoleArn="arn:aws:iam::111122223333:role/r")
    assert code == "ValidationException"
    assert message.startswith("Provide exactly one of UiTemplate")
    code, message, _ = aws_error(
        sagemaker_client.render_ui_template, Task={"Input": "{}"}, RoleArn="arn:aws:iam::111122223333:role/r",
        HumanTaskUiArn="arn:aws:sagemaker:us-east-1:111122223333:human-task-ui/missing")
    assert code == "ResourceNotFound"
    assert message == "HumanTaskUi 'arn:aws:sagemaker:us-east-1:111122223333:human-task-ui/missing' does not exist."
