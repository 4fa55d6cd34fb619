"""The review resources the demo needs: a private workteam, the task UI and a flow definition.

Example:
    >>> arns = create_review_resources(session, "digit-review")   # doctest: +SKIP
    >>> sorted(arns)
    ['flow_definition_arn', 'task_ui_arn', 'workteam_arn']
"""

from __future__ import annotations

from typing import Any

from a2i_kit import samples

REVIEWER_GROUP = "digit-reviewers"
BUCKET = "a2i-kit-demo"
ROLE_ARN = "arn:aws:iam::111122223333:role/a2i-kit-demo"


def digit_template() -> str:
    """The worker task template the demo registers (an image classifier with the model's guess)."""
    return samples.digit_template()


def create_review_resources(session: Any, name: str, *, task_count: int = 1, role_arn: str = ROLE_ARN,
                            bucket: str = BUCKET) -> dict[str, str]:
    """Create (through boto3) the workteam, task UI and flow definition named after ``name``,
    writing outputs to ``s3://<bucket>/reviews`` with the execution role ``role_arn``."""
    sm = session.sagemaker
    workteam = sm.create_workteam(
        WorkteamName=f"{name}-team", Description="Reviewers of the a2i-kit digits demo",
        MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_A2iKitDemo", "UserGroup": REVIEWER_GROUP, "ClientId": "a2ikitdemo"}}],
    )["WorkteamArn"]
    task_ui = sm.create_human_task_ui(
        HumanTaskUiName=f"{name}-ui", UiTemplate={"Content": digit_template()})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName=name, RoleArn=role_arn,
        HumanLoopConfig={
            "WorkteamArn": workteam, "HumanTaskUiArn": task_ui, "TaskCount": task_count,
            "TaskTitle": "Which handwritten digit is this?",
            "TaskDescription": "Check the model's reading of a scanned digit",
            "TaskKeywords": ["digits", "image classification"],
            "TaskTimeLimitInSeconds": 300, "TaskAvailabilityLifetimeInSeconds": 86400,
        },
        OutputConfig={"S3OutputPath": f"s3://{bucket}/reviews"},
    )["FlowDefinitionArn"]
    wait_until_active(sm, name)
    return {"workteam_arn": workteam, "task_ui_arn": task_ui, "flow_definition_arn": flow}


def wait_until_active(sagemaker: Any, flow_definition_name: str, timeout: float = 30.0) -> None:
    """Poll DescribeFlowDefinition until Active (A2I has no waiter for flow definitions)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        status = sagemaker.describe_flow_definition(FlowDefinitionName=flow_definition_name)["FlowDefinitionStatus"]
        if status == "Active":
            return
        if status == "Failed" or time.monotonic() > deadline:
            raise RuntimeError(f"flow definition {flow_definition_name} is {status}, not Active")
        time.sleep(0.2)
