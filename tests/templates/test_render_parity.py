"""RenderUiTemplate in the service and the local renderer give the same HTML (one code path)."""

from __future__ import annotations

import json

import pytest

from a2i_kit.service.objects import mirror_signer
from a2i_kit.templates import builtin, builtin_names, render

ROLE = "arn:aws:iam::111122223333:role/a2i-kit"


@pytest.mark.parametrize("name", builtin_names())
def test_service_render_equals_local_render(service, sagemaker_client, name: str) -> None:
    item = builtin(name)
    response = sagemaker_client.render_ui_template(
        UiTemplate={"Content": item.content}, Task={"Input": json.dumps(item.sample_input)}, RoleArn=ROLE)
    assert response["Errors"] == []
    local = render(item.content, item.sample_input, signer=mirror_signer(service.context))
    assert response["RenderedContent"] == local


def test_service_render_of_a_registered_ui_equals_local_render(service, sagemaker_client) -> None:
    item = builtin(builtin_names()[0])
    arn = sagemaker_client.create_human_task_ui(HumanTaskUiName="parity", UiTemplate={"Content": item.content})["HumanTaskUiArn"]
    response = sagemaker_client.render_ui_template(
        HumanTaskUiArn=arn, Task={"Input": json.dumps(item.sample_input)}, RoleArn=ROLE)
    assert response["RenderedContent"] == render(item.content, item.sample_input, signer=mirror_signer(service.context))
