"""What AWS's own A2I sample notebooks do, through boto3 (issue 11 items 7 and 8).

Default settings accept it (uppercase loop names; stop-then-delete cleanup of finished loops);
``lenient_names=False`` / ``strict_stop=True`` give the strict, documented behaviour.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::111122223333:role/a2i-kit-test"
SAMPLE_NAME = "Fraud-detector-1613668909838"  # as in AWS's fraud-detector A2I sample notebook
VENV_BIN = Path(sys.executable).parent


def _flow(sm: Any) -> str:
    team = sm.create_workteam(WorkteamName="t", Description="d",
                              MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}])["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="u", UiTemplate={"Content": "<p>{{ task.input.x }}</p>"})
    return sm.create_flow_definition(
        FlowDefinitionName="fraud-review", RoleArn=ROLE, OutputConfig={"S3OutputPath": "s3://sample-bucket/a2i"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                         "TaskDescription": "d", "TaskCount": 1})["FlowDefinitionArn"]


def _start(rt: Any, name: str, flow: str) -> str:
    return rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow,
                               HumanLoopInput={"InputContent": json.dumps({"x": 1})})["HumanLoopArn"]


def _complete(service: Any, name: str) -> None:
    from a2i_kit.service.lifecycle import set_loop_status

    set_loop_status(service.context, name, "Completed")


def _error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_uppercase_loop_name_as_aws_samples_use_it(custom_service):
    service, sm, rt = custom_service()
    flow = _flow(sm)
    arn = _start(rt, SAMPLE_NAME, flow)
    assert arn == f"arn:aws:sagemaker:us-east-1:111122223333:human-loop/{SAMPLE_NAME}"
    _complete(service, SAMPLE_NAME)
    described = rt.describe_human_loop(HumanLoopName=SAMPLE_NAME)
    assert described["HumanLoopStatus"] == "Completed"
    uri = described["HumanLoopOutput"]["OutputS3Uri"]
    assert re.fullmatch(rf"s3://sample-bucket/a2i/fraud-review/\d{{4}}(/\d\d){{5}}/{SAMPLE_NAME}/output\.json", uri)
    output = service.context.outputs.read(uri)
    assert output["humanLoopName"] == SAMPLE_NAME
    listed = rt.list_human_loops(FlowDefinitionArn=flow)["HumanLoopSummaries"]
    assert [s["HumanLoopName"] for s in listed] == [SAMPLE_NAME]


def test_aws_style_cleanup_stops_then_deletes_finished_loops(custom_service):
    service, sm, rt = custom_service()
    flow = _flow(sm)
    for name in ("done-1", "Done-2", "running-3"):
        _start(rt, name, flow)
    _complete(service, "done-1")
    _complete(service, "Done-2")
    # The samples' cleanup: stop every loop, then delete it.
    for summary in rt.list_human_loops(FlowDefinitionArn=flow)["HumanLoopSummaries"]:
        rt.stop_human_loop(HumanLoopName=summary["HumanLoopName"])
    statuses = {s["HumanLoopName"]: s["HumanLoopStatus"]
                for s in rt.list_human_loops(FlowDefinitionArn=flow)["HumanLoopSummaries"]}
    assert statuses == {"done-1": "Completed", "Done-2": "Completed", "running-3": "Stopped"}
    for name in statuses:
        rt.stop_human_loop(HumanLoopName=name)  # twice is fine too
        rt.delete_human_loop(HumanLoopName=name)
    assert rt.list_human_loops(FlowDefinitionArn=flow)["HumanLoopSummaries"] == []


def test_strict_names_refuse_uppercase(custom_service):
    _service, sm, rt = custom_service(lenient_names=False)
    flow = _flow(sm)
    code, message = _error(rt.start_human_loop, HumanLoopName=SAMPLE_NAME, FlowDefinitionArn=flow,
                           HumanLoopInput={"InputContent": "{}"})
    assert code == "ValidationException"
    assert message == (f"1 validation error detected: Value '{SAMPLE_NAME}' at 'humanLoopName' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: ^[a-z0-9](-*[a-z0-9])*$")
    code, _ = _error(rt.describe_human_loop, HumanLoopName=SAMPLE_NAME)
    assert code == "ValidationException"


@pytest.mark.parametrize("status", ["Completed", "Failed"])
def test_strict_stop_refuses_finished_loops(custom_service, status):
    from a2i_kit.service.lifecycle import set_loop_status

    service, sm, rt = custom_service(strict_stop=True)
    flow = _flow(sm)
    _start(rt, "loop-1", flow)
    set_loop_status(service.context, "loop-1", status)
    code, message = _error(rt.stop_human_loop, HumanLoopName="loop-1")
    assert code == "ValidationException"
    assert message == f"HumanLoop 'loop-1' is {status}; only an InProgress loop can be stopped."


def test_stop_of_a_failed_loop_is_a_no_op_by_default(custom_service):
    from a2i_kit.service.lifecycle import set_loop_status

    service, sm, rt = custom_service()
    flow = _flow(sm)
    _start(rt, "loop-1", flow)
    set_loop_status(service.context, "loop-1", "Failed", failure_reason="boom")
    rt.stop_human_loop(HumanLoopName="loop-1")
    assert rt.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "Failed"


def _serve(tmp_path: Path, *args: str, env_extra: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "A2I_KIT_DATA_DIR": str(tmp_path / "data"), **(env_extra or {})}
    proc = subprocess.Popen([str(VENV_BIN / "a2i-kit"), "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    first = proc.stdout.readline()
    match = re.fullmatch(r"a2i-kit service ready at (http://[\d.]+:\d+)\n", first)
    if match is None:
        proc.kill()
        pytest.fail(f"serve did not start: {first!r} {proc.stderr.read()}")
    return proc, match.group(1)


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    return err


@pytest.mark.slow
@pytest.mark.parametrize(("args", "env_extra"), [(("--strict-names",), {}), ((), {"A2I_KIT_STRICT_NAMES": "1"})])
def test_serve_strict_names_by_flag_or_env(tmp_path, args, env_extra):
    import boto3

    proc, url = _serve(tmp_path, *args, env_extra=env_extra)
    try:
        rt = boto3.client("sagemaker-a2i-runtime", endpoint_url=url, region_name="us-east-1")
        code, message = _error(rt.describe_human_loop, HumanLoopName=SAMPLE_NAME)
        assert code == "ValidationException"
        assert "regular expression pattern: ^[a-z0-9](-*[a-z0-9])*$" in message
    finally:
        _stop(proc)


@pytest.mark.slow
def test_serve_allow_remote_warns_what_is_exposed(tmp_path):
    proc, url = _serve(tmp_path, "--host", "127.0.0.2", "--allow-remote")
    err = _stop(proc)
    assert f"WARNING: --allow-remote: the AWS routes at {url} now need requests signed (SigV4)" in err
    assert "worker portal" in err
    assert "worker API" in err
