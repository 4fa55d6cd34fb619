"""Requests boto3 would never send: every one gets an AWS-shaped 4xx and leaves the service intact."""

from __future__ import annotations

import json

import httpx
import pytest

JSON11 = {"Content-Type": "application/x-amz-json-1.1"}


def _target(op: str) -> dict[str, str]:
    return {**JSON11, "X-Amz-Target": f"SageMaker.{op}"}


@pytest.mark.parametrize(("headers", "body", "status", "code", "fragment"), [
    (_target("ListFlowDefinitions"), b"{not json", 400, "SerializationException", "not valid JSON"),
    (_target("ListFlowDefinitions"), b"[1, 2]", 400, "SerializationException", "must be a JSON object"),
    (JSON11, b"{}", 400, "UnknownOperationException", "Missing X-Amz-Target header"),
    (_target("CreateTrainingJob"), b"{}", 400, "UnknownOperationException",
     "Operation 'SageMaker.CreateTrainingJob' is not supported by this service"),
    ({**JSON11, "X-Amz-Target": "Other.ListFlowDefinitions"}, b"{}", 400, "UnknownOperationException", "not supported"),
    ({"Content-Type": "text/plain", "X-Amz-Target": "SageMaker.ListFlowDefinitions"}, b"{}", 400,
     "SerializationException", "Content-Type 'text/plain' is not supported"),
    ({"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Target": "SageMaker.ListFlowDefinitions"},
     b"a=1", 400, "SerializationException", "is not supported; send application/x-amz-json-1.1"),
    (_target("DescribeFlowDefinition"), json.dumps({"FlowDefinitionName": 5}).encode(), 400, "ValidationException",
     "Value '5' at 'flowDefinitionName' failed to satisfy constraint: Member must be a string"),
    (_target("ListFlowDefinitions"), json.dumps({"MaxResults": "ten"}).encode(), 400, "ValidationException",
     "at 'maxResults' failed to satisfy constraint: Member must be an integer"),
    (_target("ListFlowDefinitions"), json.dumps({"MaxResults": True}).encode(), 400, "ValidationException",
     "Member must be an integer"),
    (_target("CreateWorkteam"), json.dumps({"WorkteamName": "t", "Description": "d",
                                            "MemberDefinitions": "all"}).encode(), 400, "ValidationException",
     "at 'memberDefinitions' failed to satisfy constraint: Member must be a list"),
])
def test_json11_bad_requests(http, headers, body, status, code, fragment):
    response = http.post("/", headers=headers, content=body)
    assert response.status_code == status
    assert response.json()["__type"] == code
    assert fragment in response.json()["Message"]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code", "fragment"), [
    ("POST", "/human-loops", {"content": b"{oops", "headers": {"Content-Type": "application/json"}}, 400,
     "SerializationException", "not valid JSON"),
    ("POST", "/human-loops", {"content": b"{}", "headers": {"Content-Type": "text/plain"}}, 400,
     "SerializationException", "Content-Type 'text/plain' is not supported"),
    ("POST", "/human-loops", {"json": {"HumanLoopName": ["x"]}}, 400, "ValidationException",
     "at 'humanLoopName' failed to satisfy constraint: Member must be a string"),
    ("POST", "/human-loops/stop", {"json": {}}, 400, "ValidationException",
     "Value null at 'humanLoopName' failed to satisfy constraint: Member must not be null"),
    ("GET", "/human-loops/..%2F..%2Fetc%2Fpasswd", {}, 400, "ValidationException",
     "Member must satisfy regular expression pattern"),
    ("GET", "/human-loops/a%2Fb", {}, 400, "ValidationException", "Value 'a/b' at 'humanLoopName'"),
    ("DELETE", "/human-loops/bad%00name", {}, 400, "ValidationException", "at 'humanLoopName'"),
    ("GET", "/human-loops/", {}, 400, "ValidationException", "Member must have length greater than or equal to 1"),
    ("GET", "/human-loops", {}, 400, "ValidationException", "Value null at 'flowDefinitionArn'"),
    ("GET", "/human-loops", {"params": {"FlowDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f",
                                        "CreationTimeAfter": "yesterday"}}, 400, "ValidationException",
     "at 'creationTimeAfter' failed to satisfy constraint: Member must be a timestamp"),
    ("GET", "/human-loops", {"params": {"FlowDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f",
                                        "MaxResults": "many"}}, 400, "ValidationException",
     "at 'maxResults' failed to satisfy constraint: Member must be an integer"),
    ("GET", "/nothing-here", {}, 404, "UnknownOperationException", "No operation matches GET /nothing-here"),
    ("PUT", "/human-loops", {}, 405, "MethodNotAllowedException", "PUT is not allowed on /human-loops"),
])
def test_rest_bad_requests(http, method, path, kwargs, status, code, fragment):
    response = http.request(method, path, **kwargs)
    assert response.status_code == status
    assert response.headers["X-Amzn-ErrorType"] == code
    assert fragment in response.json()["Message"]
    assert response.json()["message"] == response.json()["Message"]


def test_oversized_body_is_refused_before_it_is_read(custom_service):
    service, _, _ = custom_service(max_body_bytes=1024)
    response = httpx.post(f"{service.url}/human-loops", content=b"x" * 5000, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["X-Amzn-ErrorType"] == "RequestEntityTooLargeException"
    assert response.json()["Message"] == ("The body (5000 bytes) is larger than this route accepts (1024 bytes). "
                                          "Send at most 1024 bytes (ServiceConfig.max_body_bytes).")


def test_oversized_chunked_body_is_refused(custom_service):
    service, _, _ = custom_service(max_body_bytes=1024)

    def chunks():
        for _ in range(10):
            yield b"y" * 500

    response = httpx.post(f"{service.url}/", content=chunks(), headers=_target("ListFlowDefinitions"))
    assert response.status_code == 413
    assert response.json()["__type"] == "RequestEntityTooLargeException"


def test_service_still_answers_after_a_barrage(http, sagemaker_client):
    for body in (b"\xff\xfe", b"{" * 10000, b'{"a": ' * 5000, b"null", b"0"):
        response = http.post("/", headers=_target("CreateWorkteam"), content=body)
        assert 400 <= response.status_code < 500
    assert sagemaker_client.list_workteams()["Workteams"] == []
    assert http.get("/_a2i/health").json()["status"] == "ok"


def test_unknown_a2i_route_is_json_404(http):
    response = http.get("/_a2i/nothing")
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"


def test_null_optional_members_are_ignored_not_stored(http, sagemaker_client):
    body = {"WorkteamName": "t", "Description": "d", "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["g"]}}],
            "NotificationConfiguration": None, "Tags": None}
    assert http.post("/", headers=_target("CreateWorkteam"), json=body).status_code == 200
    update = {"WorkteamName": "t", "MemberDefinitions": None, "Description": None}
    assert http.post("/", headers=_target("UpdateWorkteam"), json=update).status_code == 200
    team = sagemaker_client.describe_workteam(WorkteamName="t")["Workteam"]
    assert team["MemberDefinitions"] == [{"OidcMemberDefinition": {"Groups": ["g"]}}]
    assert "NotificationConfiguration" not in team


def test_null_required_member_is_named(http):
    response = http.post("/", headers=_target("CreateHumanTaskUi"), json={"HumanTaskUiName": None, "UiTemplate": {}})
    assert response.json()["Message"] == (
        "2 validation errors detected: Value null at 'humanTaskUiName' failed to satisfy constraint: Member must not "
        "be null; Value null at 'uiTemplate.content' failed to satisfy constraint: Member must not be null")
