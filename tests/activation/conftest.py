"""Built-in flow definitions (Textract / Rekognition request source) on the real service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form><crowd-input name="note"></crowd-input>{{ task.input.aiServiceRequest | to_json }}</crowd-form>
"""


@pytest.fixture
def builtin_flow(sagemaker_client: Any) -> Callable[..., str]:
    """``builtin_flow(name, source, conditions_json | None) -> flow definition ARN``."""
    team = sagemaker_client.create_workteam(
        WorkteamName="builtin-team", Description="builtin tests",
        MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Test1234", "UserGroup": "reviewers", "ClientId": "client1"}}])["WorkteamArn"]
    ui = sagemaker_client.create_human_task_ui(
        HumanTaskUiName="builtin-ui", UiTemplate={"Content": TEMPLATE})["HumanTaskUiArn"]

    def make(name: str, source: str, conditions: str | None) -> str:
        params: dict[str, Any] = {
            "FlowDefinitionName": name, "RoleArn": "arn:aws:iam::111122223333:role/a2i-kit-test",
            "HumanLoopRequestSource": {"AwsManagedHumanLoopRequestSource": source},
            "HumanLoopConfig": {"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "Check",
                                "TaskDescription": "Check the AI answer", "TaskCount": 1},
            "OutputConfig": {"S3OutputPath": "s3://a2i-kit-tests/builtin"}}
        if conditions is not None:
            params["HumanLoopActivationConfig"] = {
                "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": conditions}}
        return sagemaker_client.create_flow_definition(**params)["FlowDefinitionArn"]

    return make
