"""Real AWS, opt in: ``pytest -m aws --run-aws tests/aws/test_real_aws.py``.

A small end-to-end run a user with A2I access can do: doctor, task UI (render + create), flow
definition, one loop, stop, delete, cleanup. Needs credentials (environment keys, or a profile
named in ``A2I_KIT_TEST_AWS_PROFILE``: tests/conftest.py clears ``AWS_PROFILE``), a private
workteam and an execution role, found by ``session.setup`` or given as ``A2I_KIT_TEST_WORKTEAM``,
``A2I_KIT_TEST_ROLE_ARN`` and ``A2I_KIT_TEST_BUCKET`` (default: the SageMaker default bucket).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import a2i_kit

pytestmark = pytest.mark.aws
TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['positive', 'negative']" header="Sentiment?">
    <classification-target>{{ task.input.text }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""


@pytest.fixture
def session() -> a2i_kit.Session:
    profile = os.environ.get("A2I_KIT_TEST_AWS_PROFILE")
    if profile is None and os.environ.get("AWS_ACCESS_KEY_ID") in (None, "testing"):
        pytest.skip("no AWS credentials: export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) "
                    "or set A2I_KIT_TEST_AWS_PROFILE")
    return a2i_kit.connect("aws", profile_name=profile, role=os.environ.get("A2I_KIT_TEST_ROLE_ARN"))


def _required(found: Any, variable: str) -> Any:
    if found.value in (None, []):
        pytest.fail(f"{found.source}: set {variable}")
    return found.value


def _until(predicate: Callable[[], bool], what: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(5)


@pytest.fixture
def cleanup() -> Iterator[list[Callable[[], Any]]]:
    undo: list[Callable[[], Any]] = []
    yield undo
    for step in reversed(undo):
        try:
            step()
        except Exception as exc:  # keep cleaning; say what was left behind
            print(f"cleanup step failed: {exc}")


def test_end_to_end_on_real_aws(session: a2i_kit.Session, cleanup: list) -> None:
    setup = session.setup
    role = _required(setup.role, "A2I_KIT_TEST_ROLE_ARN")
    teams = os.environ.get("A2I_KIT_TEST_WORKTEAM") or _required(setup.workteams, "A2I_KIT_TEST_WORKTEAM")[0]
    bucket = os.environ.get("A2I_KIT_TEST_BUCKET") or setup.ensure_bucket()
    report = session.doctor(bucket=bucket, prefix="a2i-kit-tests", workteam=teams, role=role)
    print(report.table())
    assert report["credentials"].status == "pass"
    assert report["region"].status == "pass", report["region"].detail

    sm, runtime, tag = session.sagemaker, session.runtime, uuid.uuid4().hex[:8]
    rendered = sm.render_ui_template(UiTemplate={"Content": TEMPLATE}, Task={"Input": json.dumps({"text": "great"})},
                                     RoleArn=role)
    assert rendered.get("Errors", []) == [], rendered["Errors"]
    assert "great" in rendered["RenderedContent"]

    ui = sm.create_human_task_ui(HumanTaskUiName=f"a2i-kit-test-{tag}", UiTemplate={"Content": TEMPLATE})
    cleanup.append(lambda: sm.delete_human_task_ui(HumanTaskUiName=f"a2i-kit-test-{tag}"))
    team_arn = sm.describe_workteam(WorkteamName=teams.rsplit("/", 1)[-1])["Workteam"]["WorkteamArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName=f"a2i-kit-test-{tag}", RoleArn=role,
        OutputConfig={"S3OutputPath": f"s3://{bucket}/a2i-kit-tests"},
        HumanLoopConfig={"WorkteamArn": team_arn, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskCount": 1,
                         "TaskTitle": "a2i-kit test", "TaskDescription": "Automated test; no action needed"})
    cleanup.append(lambda: sm.delete_flow_definition(FlowDefinitionName=f"a2i-kit-test-{tag}"))
    _until(lambda: sm.describe_flow_definition(FlowDefinitionName=f"a2i-kit-test-{tag}")
           ["FlowDefinitionStatus"] == "Active", "flow definition Active")

    loop = f"a2i-kit-test-{tag}"
    runtime.start_human_loop(HumanLoopName=loop, FlowDefinitionArn=flow["FlowDefinitionArn"],
                             HumanLoopInput={"InputContent": json.dumps({"text": "great"})})
    cleanup.append(lambda: runtime.delete_human_loop(HumanLoopName=loop))
    cleanup.append(lambda: runtime.stop_human_loop(HumanLoopName=loop))
    assert runtime.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] in ("InProgress", "Completed")
    runtime.stop_human_loop(HumanLoopName=loop)
    _until(lambda: runtime.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] == "Stopped", "loop Stopped")
    runtime.delete_human_loop(HumanLoopName=loop)
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        _until(lambda: not runtime.describe_human_loop(HumanLoopName=loop), "loop deleted", seconds=120)
