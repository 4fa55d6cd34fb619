"""Admin endpoints (token, faults, clock, reset) and fault injection seen through boto3."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest


def test_admin_token_file_is_private_and_required(service, http, admin):
    path = Path(service.config.data_dir) / "admin-token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().strip() == service.admin_token
    response = http.get("/_a2i/admin/faults")
    assert response.status_code == 401
    assert response.json()["code"] == "Unauthorized"
    assert "X-A2I-Admin-Token" in response.json()["error"]
    assert http.get("/_a2i/admin/faults", headers={"X-A2I-Admin-Token": "wrong"}).status_code == 401
    assert http.get("/_a2i/admin/faults", headers=admin).json()["error_rate"] == 0.0


def test_health_needs_no_token(http):
    assert http.get("/_a2i/health").json() == {"status": "ok", "region": "us-east-1", "account": "111122223333"}


def test_throttling_on_both_apis(http, admin, runtime_client, sagemaker_client, make_flow, aws_error):
    flow = make_flow("fd-1")
    response = http.put("/_a2i/admin/faults", headers=admin,
                        json={"error_rate": 1.0, "error_codes": ["ThrottlingException"], "seed": 1})
    assert response.json()["error_rate"] == 1.0
    code, message, status = aws_error(runtime_client.list_human_loops, FlowDefinitionArn=flow["flow_definition_arn"])
    assert (code, message, status) == ("ThrottlingException", "Rate exceeded", 429)
    code, message, _ = aws_error(sagemaker_client.list_flow_definitions)
    assert (code, message) == ("ThrottlingException", "Rate exceeded")


def test_internal_errors_are_500(http, admin, runtime_client, aws_error):
    http.put("/_a2i/admin/faults", headers=admin, json={"error_rate": 1.0, "error_codes": ["InternalServerException"]})
    code, message, status = aws_error(runtime_client.describe_human_loop, HumanLoopName="x")
    assert (code, status) == ("InternalServerException", 500)
    assert message.startswith("We couldn't process your request")


def test_seeded_error_rate_is_reproducible(service, runtime_client):
    from botocore.exceptions import ClientError

    def outcomes():
        service.faults.configure(error_rate=0.3, error_codes=["ThrottlingException"], seed=42)
        seen = []
        for _ in range(40):
            try:
                runtime_client.describe_human_loop(HumanLoopName="ghost")
            except ClientError as exc:
                seen.append(exc.response["Error"]["Code"])
        return seen

    first, second = outcomes(), outcomes()
    assert first == second
    assert 4 <= first.count("ThrottlingException") <= 24
    assert set(first) == {"ThrottlingException", "ResourceNotFoundException"}


def test_rate_limit_token_bucket(service, runtime_client):
    from botocore.exceptions import ClientError

    service.faults.configure(rps_limit=0.01)  # one request, then one more every 100 s
    codes = []
    for _ in range(5):
        try:
            runtime_client.describe_human_loop(HumanLoopName="ghost")
        except ClientError as exc:
            codes.append(exc.response["Error"]["Code"])
    assert codes[0] == "ResourceNotFoundException"
    assert codes[1:] == ["ThrottlingException"] * 4


def test_added_latency_is_reported_and_can_be_turned_off(service, http, admin):
    assert http.put("/_a2i/admin/faults", headers=admin, json={"latency_ms": 20}).json()["latency_ms"] == 20
    assert service.faults.check() == pytest.approx(0.02)
    http.put("/_a2i/admin/faults", headers=admin, json={"latency_ms": 0})
    assert service.faults.check() == 0.0


@pytest.mark.parametrize(("body", "fragment"), [
    ({"error_rate": 2}, "error_rate=2 must be between 0 and 1"),
    ({"error_codes": ["Boom"]}, "not supported"),
    ({"bogus": 1}, "unknown fault setting"),
    ({"rps_limit": 0}, "must be > 0"),
])
def test_bad_fault_settings(http, admin, body, fragment):
    response = http.put("/_a2i/admin/faults", headers=admin, json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_clock_advance_and_reset(service, http, admin, sagemaker_client):
    before = service.context.clock.now()
    response = http.post("/_a2i/admin/clock", headers=admin, json={"seconds": 3600})
    assert response.json()["now"] >= before + 3600
    assert http.post("/_a2i/admin/clock", headers=admin, json={"seconds": -5}).status_code == 400
    sagemaker_client.create_human_task_ui(HumanTaskUiName="u", UiTemplate={"Content": "<p/>"})
    assert http.post("/_a2i/admin/reset", headers=admin).json() == {"reset": True}
    assert sagemaker_client.list_human_task_uis()["HumanTaskUiSummaries"] == []
    assert service.context.clock.offset == 0.0


def test_noop_endpoint_answers_like_the_runtime(service):
    import boto3
    from botocore.config import Config

    noop = boto3.client("sagemaker-a2i-runtime", endpoint_url=f"{service.url}/_a2i/noop", region_name="us-east-1",
                        aws_access_key_id="t", aws_secret_access_key="t", config=Config(retries={"max_attempts": 1}))
    arn = noop.start_human_loop(HumanLoopName="x", FlowDefinitionArn="arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f",
                                HumanLoopInput={"InputContent": "{}"})["HumanLoopArn"]
    assert arn.endswith("human-loop/noop")
    assert noop.describe_human_loop(HumanLoopName="x")["HumanLoopStatus"] == "InProgress"
    assert noop.list_human_loops(FlowDefinitionArn="arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f")[
        "HumanLoopSummaries"] == []


def test_empty_admin_token_file_is_reported(tmp_path):
    from a2i_kit.errors import ServiceError
    from a2i_kit.service.auth import load_or_create_token

    (tmp_path / "admin-token").write_text("")
    with pytest.raises(ServiceError, match="admin-token is empty; delete it so a new admin token is generated"):
        load_or_create_token(tmp_path)
