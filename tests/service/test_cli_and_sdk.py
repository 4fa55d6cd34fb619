"""Other real clients against the service: the AWS CLI, `a2i-kit serve`, and the SageMaker SDK."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent
ROLE = "arn:aws:iam::111122223333:role/a2i-kit-test"


def _aws_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
               AWS_MAX_ATTEMPTS="1")
    return env


def _aws(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VENV_BIN / "aws"), *args, "--output", "json"], capture_output=True, text=True,
                          env=_aws_env(tmp_path), timeout=120, check=False)


def test_aws_cli_lists_loops_and_flow_definitions(service, make_flow, start_loop, tmp_path):
    flow = make_flow("cli-flow")
    start_loop("cli-loop", flow["flow_definition_arn"])
    loops = _aws(tmp_path, "sagemaker-a2i-runtime", "list-human-loops", "--flow-definition-arn",
                 flow["flow_definition_arn"], "--endpoint-url", service.url)
    assert loops.returncode == 0, loops.stderr
    assert [s["HumanLoopName"] for s in json.loads(loops.stdout)["HumanLoopSummaries"]] == ["cli-loop"]
    flows = _aws(tmp_path, "sagemaker", "list-flow-definitions", "--endpoint-url", service.url)
    assert flows.returncode == 0, flows.stderr
    assert json.loads(flows.stdout)["FlowDefinitionSummaries"][0]["FlowDefinitionName"] == "cli-flow"


def test_aws_cli_shows_service_errors(service, tmp_path):
    result = _aws(tmp_path, "sagemaker-a2i-runtime", "describe-human-loop", "--human-loop-name", "ghost",
                  "--endpoint-url", service.url)
    assert result.returncode != 0
    assert "ResourceNotFoundException" in result.stderr
    assert "HumanLoop 'ghost' does not exist" in result.stderr


@pytest.mark.slow
def test_serve_prints_endpoints_and_stops_on_sigterm(tmp_path):
    env = {**os.environ, "A2I_KIT_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([str(VENV_BIN / "a2i-kit"), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    url = re.fullmatch(r"a2i-kit service ready at (http://127\.0\.0\.1:\d+)\n", lines[0]).group(1)
    assert lines[1] == f"export AWS_ENDPOINT_URL_SAGEMAKER={url}\n"
    assert lines[2] == f"export AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME={url}\n"
    assert lines[3] == f"admin token: {tmp_path / 'data' / 'admin-token'}\n"
    assert proc.returncode == 0
    assert "a2i-kit service stopped" in err


def test_serve_refuses_a_public_host_without_opt_in(tmp_path):
    env = {**os.environ, "A2I_KIT_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([str(VENV_BIN / "a2i-kit"), "serve", "--host", "0.0.0.0"], capture_output=True,
                            text=True, env=env, timeout=60, check=False)
    assert result.returncode == 2
    assert "--host 0.0.0.0 is not a loopback address" in result.stderr


def test_sagemaker_core_resources_create_and_get(service, sagemaker_client, monkeypatch):
    import boto3
    from sagemaker.core.resources import FlowDefinition, HumanTaskUi
    from sagemaker.core.shapes import FlowDefinitionOutputConfig, HumanLoopConfig, UiTemplate

    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", service.url)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    team = sagemaker_client.create_workteam(
        WorkteamName="sdk-team", Description="d",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["reviewers"]}}])["WorkteamArn"]
    ui = HumanTaskUi.create(human_task_ui_name="sdk-ui", ui_template=UiTemplate(content="<p>{{ task.input.a }}</p>"),
                            session=session, region="us-east-1")
    assert ui.human_task_ui_arn.endswith("human-task-ui/sdk-ui")
    flow = FlowDefinition.create(
        flow_definition_name="sdk-flow", role_arn=ROLE,
        output_config=FlowDefinitionOutputConfig(s3_output_path="s3://bucket/out"),
        human_loop_config=HumanLoopConfig(workteam_arn=team, human_task_ui_arn=ui.human_task_ui_arn,
                                          task_title="t", task_description="d", task_count=1),
        session=session, region="us-east-1")
    fetched = FlowDefinition.get(flow_definition_name="sdk-flow", session=session, region="us-east-1")
    assert fetched.flow_definition_arn == flow.flow_definition_arn
    assert fetched.flow_definition_status == "Active"
    assert fetched.human_loop_config.task_count == 1
    assert HumanTaskUi.get(human_task_ui_name="sdk-ui", session=session, region="us-east-1").human_task_ui_status == "Active"
    assert sagemaker_client.describe_flow_definition(FlowDefinitionName="sdk-flow")["RoleArn"] == ROLE
