"""Setup code the widget tests run inside the notebook kernel (sent as a cell's source).

Defines ``make_flow(session, name, template=..., task_count=1)`` → dict, and
``start_loops(session, flow_arn, inputs, prefix)`` → loop names. Also importable in-process.
"""

from __future__ import annotations

import json
from typing import Any

WIDGET_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['positive', 'negative', 'neutral']"
                    header="What is the sentiment of this review?">
    <classification-target>{{ task.input.text }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""


def make_flow(session: Any, name: str, *, template: str = WIDGET_TEMPLATE, task_count: int = 1,
              group: str = "reviewers") -> dict[str, Any]:
    sm = session.sagemaker
    team = sm.create_workteam(
        WorkteamName=f"team-{name}", Description="widget test team",
        MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Test1234", "UserGroup": group, "ClientId": "client1"}}],
    )["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName=f"ui-{name}", UiTemplate={"Content": template})
    flow = sm.create_flow_definition(
        FlowDefinitionName=name, RoleArn="arn:aws:iam::111122223333:role/a2i-kit-test",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"],
                         "TaskTitle": f"Review {name}", "TaskDescription": "Check the model's answer",
                         "TaskCount": task_count},
        OutputConfig={"S3OutputPath": "s3://a2i-kit-tests/output"})["FlowDefinitionArn"]
    return {"name": name, "flow_definition_arn": flow, "workteam_arn": team,
            "task_ui_arn": ui["HumanTaskUiArn"], "template": template}


def start_loops(session: Any, flow_arn: str, inputs: list[dict[str, Any]], prefix: str = "loop") -> list[str]:
    names = []
    for i, item in enumerate(inputs):
        name = f"{prefix}-{i + 1}"
        session.runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow_arn,
                                         HumanLoopInput={"InputContent": json.dumps(item)})
        names.append(name)
    return names


def loop_status(session: Any, name: str) -> str:
    return session.runtime.describe_human_loop(HumanLoopName=name)["HumanLoopStatus"]
