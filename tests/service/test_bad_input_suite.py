"""A table of bad requests on every AWS and admin route: each gets a 4xx with the right code and a
message that says what to fix, no 5xx ever, and afterwards the service answers and its store is intact.

One service (module scope) holds a workteam, a task UI, a flow definition and an InProgress loop;
after every case the resource counts, the fault settings and SQLite's integrity check are unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import httpx
import pytest

ROLE = "arn:aws:iam::111122223333:role/r"
FD_ARN = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/fd-ok"
UI_ARN = "arn:aws:sagemaker:us-east-1:111122223333:human-task-ui/ui-ok"
TEAM_ARN = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/team-ok"
TABLES = ("task_uis", "flow_definitions", "workteams", "loops", "assignments")
JSON11 = "application/x-amz-json-1.1"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    with ServiceThread(ServiceConfig(data_dir=tmp_path_factory.mktemp("bad-input"))) as service, \
            httpx.Client(base_url=service.url, timeout=30) as client:
        def op(name: str, body: dict[str, Any]) -> None:
            response = client.post("/", headers={"Content-Type": JSON11, "X-Amz-Target": f"SageMaker.{name}"},
                                   json=body)
            assert response.status_code == 200, response.text
        op("CreateWorkteam", {"WorkteamName": "team-ok", "Description": "d",
                              "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["g"]}}]})
        op("CreateHumanTaskUi", {"HumanTaskUiName": "ui-ok", "UiTemplate": {"Content": "<p>{{ task.input.x }}</p>"}})
        op("CreateFlowDefinition", _flow("fd-ok"))
        started = client.post("/human-loops", json={"HumanLoopName": "loop-ok", "FlowDefinitionArn": FD_ARN,
                                                    "HumanLoopInput": {"InputContent": '{"x": 1}'}})
        assert started.status_code == 200, started.text
        yield service, client


def _flow(name: str = "fd-new", output: str = "s3://bucket-ok/out", **config: Any) -> dict[str, Any]:
    loop_config = {"WorkteamArn": TEAM_ARN, "HumanTaskUiArn": UI_ARN, "TaskTitle": "t", "TaskDescription": "d",
                   "TaskCount": 1, **config}
    return {"FlowDefinitionName": name, "RoleArn": ROLE, "OutputConfig": {"S3OutputPath": output},
            "HumanLoopConfig": loop_config}


def _snapshot(service: Any, client: httpx.Client) -> dict[str, Any]:
    with sqlite3.connect(f"file:{service.config.store_path}?mode=ro", uri=True) as conn:
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        loop = conn.execute("SELECT status FROM loops WHERE name = 'loop-ok'").fetchone()[0]
    faults = client.get("/_a2i/admin/faults", headers={"X-A2I-Admin-Token": service.admin_token}).json()
    return {"counts": counts, "integrity": integrity, "loop": loop, "faults": faults,
            "clock": service.context.clock.offset}


# -- the cases: (kind, request, status, code, message fragment) -----------------------------------

def j(op: str, body: Any, status: int = 400, code: str = "ValidationException", fragment: str = "", *,
      headers: dict[str, str] | None = None, case: str) -> Any:
    """A SageMaker JSON 1.1 case; ``body`` is a dict (sent as JSON) or raw bytes."""
    request = {"op": op, "body": body, "headers": headers or {}}
    return pytest.param("json11", request, status, code, fragment, id=f"sm-{case}")


def r(method: str, path: str, status: int = 400, code: str = "ValidationException", fragment: str = "", *,
      body: Any = None, params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
      case: str) -> Any:
    """An A2I runtime rest-json case."""
    request = {"method": method, "path": path, "body": body, "params": params, "headers": headers or {}}
    return pytest.param("rest", request, status, code, fragment, id=f"rt-{case}")


def a(method: str, path: str, body: Any, status: int = 400, code: str = "BadRequest", fragment: str = "", *,
      token: bool = True, case: str) -> Any:
    """An admin route case (JSON ``{"error", "code"}`` answers)."""
    request = {"method": method, "path": path, "body": body, "token": token}
    return pytest.param("admin", request, status, code, fragment, id=f"admin-{case}")


def _token(items: list[Any]) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(items).encode()).decode().rstrip("=")


LONG_PREFIX = "/".join(["p" * 99] * 10)  # 999 bytes: + /fd-new/<19>/<63>/output.json = 1102
SER = "SerializationException"
VAL = "ValidationException"
DENIED = "AccessDeniedException"

PROTOCOL = [
    j("ListFlowDefinitions", b"{not json", 400, SER, "The request body is not valid JSON", case="bad-json"),
    j("ListFlowDefinitions", b"[1, 2]", 400, SER, "must be a JSON object, not a JSON list", case="array"),
    j("ListFlowDefinitions", b'{"MaxResults": NaN}', 400, SER, "holds NaN", case="nan"),
    j("ListFlowDefinitions", b'{"MaxResults": Infinity}', 400, SER, "holds Infinity", case="infinity"),
    j("ListFlowDefinitions", b'{"MaxResults": 1e999}', 400, SER, "1e999 is too large for a double", case="1e999"),
    j("DescribeWorkteam", b'{"WorkteamName": "\\ud800"}', 400, SER, "lone UTF-16 surrogate", case="surrogate"),
    j("ListWorkteams", b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}", 400, SER, "nested more than 64 levels",
      case="nested-100"),
    j("ListWorkteams", b"[" * 100_000, 400, SER, "nested more than 64 levels", case="nested-100k"),
    j("ListWorkteams", b"\xff\xfe\x00", 400, SER, "not valid JSON", case="not-utf8"),
    j("ListWorkteams", b"1" * 5000, 400, SER, "not valid JSON", case="huge-int-literal"),
    j("", {}, 400, "UnknownOperationException", "Missing X-Amz-Target header", case="no-target"),
    j("CreateTrainingJob", {}, 400, "UnknownOperationException", "is not supported by this service",
      case="unknown-op"),
    j("ListWorkteams", {}, 400, SER, "Content-Type 'text/plain' is not supported", headers={"Content-Type": "text/plain"},
      case="text-plain"),
    j("ListWorkteams", b"a=1", 400, SER, "Content-Type 'application/x-www-form-urlencoded' is not supported",
      headers={"Content-Type": "application/x-www-form-urlencoded"}, case="form"),
    j("ListWorkteams", b"--x--", 400, SER, "Content-Type 'multipart/form-data' is not supported",
      headers={"Content-Type": "multipart/form-data; boundary=x"}, case="multipart"),
    j("ListWorkteams", {}, 403, DENIED, "Requests from web pages (Origin 'http://evil.example')",
      headers={"Origin": "http://evil.example"}, case="origin"),
    j("ListWorkteams", {}, 403, DENIED, "Requests from web pages (Origin 'null')", headers={"Origin": "null"},
      case="origin-null"),
    j("ListWorkteams", {}, 403, DENIED, "(Sec-Fetch-Site)", headers={"Sec-Fetch-Site": "cross-site"},
      case="sec-fetch-site"),
]

TASK_UIS = [
    j("CreateHumanTaskUi", {"HumanTaskUiName": "Bad_Name", "UiTemplate": {"Content": "x"}}, fragment=(
        "Value 'Bad_Name' at 'humanTaskUiName' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern"), case="ui-name-pattern"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "a" * 64, "UiTemplate": {"Content": "x"}},
      fragment="Member must have length less than or equal to 63", case="ui-name-long"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": ""}},
      fragment="at 'uiTemplate.content' failed to satisfy constraint: Member must have length greater than or equal to 1",
      case="ui-content-empty"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": "x" * 128_001}},
      fragment="Member must have length less than or equal to 128000", case="ui-content-long"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": "<p>{% if %}</p>"}},
      fragment="The UiTemplate is not a valid Liquid template at line 1, column", case="ui-syntax"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": "{% for x in y %}<p>"}},
      fragment="the 'for' block opened at line 1 is never closed", case="ui-unclosed-for"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": "<p>{% endif %}</p>"}},
      fragment="not a valid Liquid template", case="ui-stray-endif"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": "a\u0000b"}},
      fragment="binary data (a NUL character)", case="ui-nul"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": 5}},
      fragment="at 'uiTemplate.content' failed to satisfy constraint: Member must be a string", case="ui-content-int"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": "x"},
                            "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
      fragment="at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
      case="ui-tags-many"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "u1", "UiTemplate": {"Content": "x"}, "Tags": [{"Key": "bad!", "Value": "v"}]},
      fragment="at 'tags.1.member.key' failed to satisfy constraint", case="ui-tag-key"),
    j("CreateHumanTaskUi", {"HumanTaskUiName": "ui-ok", "UiTemplate": {"Content": "x"}}, 400, "ResourceInUse",
      "HumanTaskUi 'ui-ok' already exists", case="ui-duplicate"),
    j("DescribeHumanTaskUi", {"HumanTaskUiName": "ghost"}, 400, "ResourceNotFound", "HumanTaskUi 'ghost' does not exist",
      case="ui-describe-unknown"),
    j("DeleteHumanTaskUi", {"HumanTaskUiName": "ghost"}, 400, "ResourceNotFound", "does not exist", case="ui-delete-unknown"),
    j("ListHumanTaskUis", {"MaxResults": 0}, fragment="Member must have value greater than or equal to 1", case="ui-max-0"),
    j("ListHumanTaskUis", {"MaxResults": 101}, fragment="Member must have value less than or equal to 100",
      case="ui-max-101"),
    j("ListHumanTaskUis", {"MaxResults": 1.5}, fragment="at 'maxResults' failed to satisfy constraint: Member must be an integer",
      case="ui-max-float"),
    j("ListHumanTaskUis", {"MaxResults": "10"}, fragment="Member must be an integer", case="ui-max-string"),
    j("ListHumanTaskUis", {"MaxResults": 10**30}, fragment="Member must have value less than or equal to 100",
      case="ui-max-huge"),
    j("ListHumanTaskUis", {"NextToken": "abc"}, fragment="The NextToken is not valid for this request", case="ui-token-junk"),
    j("ListHumanTaskUis", {"NextToken": _token(["x", [], "task_uis"])}, fragment="The NextToken is not valid",
      case="ui-token-forged"),
    j("ListHumanTaskUis", {"NextToken": _token([1e308, "a", "other-scope"])}, fragment="The NextToken is not valid",
      case="ui-token-other-scope"),
    j("ListHumanTaskUis", {"NextToken": "t" * 9000}, fragment="Member must have length less than or equal to 8192",
      case="ui-token-long"),
    j("ListHumanTaskUis", {"NextToken": "١٢٣"}, fragment="The NextToken is not valid", case="ui-token-arabic"),
    j("ListHumanTaskUis", {"CreationTimeAfter": -1}, fragment=(
        "Value '-1' at 'creationTimeAfter' failed to satisfy constraint: Member must be a time between 1970"),
      case="ui-time-negative"),
    j("ListHumanTaskUis", {"CreationTimeAfter": 1e308}, fragment="Member must be a time between", case="ui-time-huge"),
    j("ListHumanTaskUis", {"CreationTimeBefore": "tomorrow"}, fragment="at 'creationTimeBefore' failed to satisfy "
      "constraint: Member must be a timestamp", case="ui-time-word"),
    j("ListHumanTaskUis", {"CreationTimeAfter": "١٢"}, fragment="Member must be a timestamp", case="ui-time-arabic"),
    j("ListHumanTaskUis", {"CreationTimeAfter": True}, fragment="Member must be a timestamp", case="ui-time-bool"),
    j("ListHumanTaskUis", {"SortOrder": "Up"}, fragment="Member must satisfy enum value set: [Ascending, Descending]",
      case="ui-sort"),
]

FLOWS = [
    j("CreateFlowDefinition", _flow(output="s3://My_Bucket/out"), fragment=(
        "Value 's3://My_Bucket/out' at 'outputConfig.s3OutputPath' failed to satisfy constraint: the bucket name "
        "'My_Bucket' may hold only lowercase letters"), case="fd-bucket-case"),
    j("CreateFlowDefinition", _flow(output="s3://ab/out"), fragment="the bucket name 'ab' must be 3 to 63 characters long",
      case="fd-bucket-short"),
    j("CreateFlowDefinition", _flow(output=f"s3://{'b' * 64}/out"), fragment="must be 3 to 63 characters long",
      case="fd-bucket-long"),
    j("CreateFlowDefinition", _flow(output="s3://10.0.0.1/out"), fragment="must not look like an IP address",
      case="fd-bucket-ip"),
    j("CreateFlowDefinition", _flow(output="s3://xn--bucket/out"), fragment="uses a prefix or suffix that S3 reserves",
      case="fd-bucket-xn"),
    j("CreateFlowDefinition", _flow(output="s3://bucket-s3alias/out"), fragment="prefix or suffix that S3 reserves",
      case="fd-bucket-alias"),
    j("CreateFlowDefinition", _flow(output="s3://a..b/out"), fragment="must not hold '..', '.-' or '-.'",
      case="fd-bucket-dots"),
    j("CreateFlowDefinition", _flow(output="s3://-bucket/out"), fragment="must start and end with a letter or digit",
      case="fd-bucket-hyphen"),
    j("CreateFlowDefinition", _flow(output="s3://bucket-ok//out"), fragment="must not hold empty segments ('//')",
      case="fd-prefix-empty-segment"),
    j("CreateFlowDefinition", _flow(output="s3://bucket-ok/a/../../etc"), fragment="must not hold '.' or '..' segments",
      case="fd-prefix-dotdot"),
    j("CreateFlowDefinition", _flow(output="s3://bucket-ok/a/./b"), fragment="'.' or '..' segments", case="fd-prefix-dot"),
    j("CreateFlowDefinition", _flow(output="s3://bucket-ok/a\u0001b"), fragment="must not hold control characters",
      case="fd-prefix-control"),
    j("CreateFlowDefinition", _flow(output=f"s3://bucket-ok/{'s' * 300}"), fragment="at most 255 bytes",
      case="fd-prefix-segment-long"),
    j("CreateFlowDefinition", _flow(output=f"s3://bucket-ok/{LONG_PREFIX}"), fragment=(
        "the longest output key would be 1102 bytes"), case="fd-prefix-key-too-long"),
    j("CreateFlowDefinition", _flow(output="ftp://bucket-ok/out"), fragment="Member must satisfy regular expression pattern",
      case="fd-scheme"),
    j("CreateFlowDefinition", _flow(name="Bad_Flow"), fragment="at 'flowDefinitionName' failed to satisfy constraint",
      case="fd-name"),
    j("CreateFlowDefinition", {**_flow(), "RoleArn": "not-an-arn-at-all-really"}, fragment="at 'roleArn' failed",
      case="fd-role"),
    j("CreateFlowDefinition", _flow(TaskCount=0), fragment="at 'humanLoopConfig.taskCount' failed to satisfy "
      "constraint: Member must have value greater than or equal to 1", case="fd-taskcount-0"),
    j("CreateFlowDefinition", _flow(TaskCount=4), fragment="Member must have value less than or equal to 3",
      case="fd-taskcount-4"),
    j("CreateFlowDefinition", _flow(TaskAvailabilityLifetimeInSeconds=1e308), fragment=(
        "at 'humanLoopConfig.taskAvailabilityLifetimeInSeconds' failed to satisfy constraint: Member must be an integer"),
      case="fd-lifetime-float"),
    j("CreateFlowDefinition", _flow(TaskTimeLimitInSeconds=-5), fragment="greater than or equal to 30",
      case="fd-timelimit-negative"),
    j("CreateFlowDefinition", _flow(TaskTitle="t" * 129), fragment="less than or equal to 128", case="fd-title-long"),
    j("CreateFlowDefinition", _flow(WorkteamArn=TEAM_ARN + "x"), fragment="does not exist or you do not have access",
      case="fd-unknown-team"),
    j("CreateFlowDefinition", _flow(HumanTaskUiArn=UI_ARN + "x"), fragment="Create it with CreateHumanTaskUi first",
      case="fd-unknown-ui"),
    j("CreateFlowDefinition", {**_flow(), "HumanLoopRequestSource": {
        "AwsManagedHumanLoopRequestSource": "AWS/Textract/AnalyzeDocument/Forms/V1"},
        "HumanLoopActivationConfig": {"HumanLoopActivationConditionsConfig": {
            "HumanLoopActivationConditions": '{"Conditions": [{"ConditionType": "Sampling", '
                                             '"ConditionParameters": {"RandomSamplingPercentage": NaN}}]}'}}},
      fragment="HumanLoopActivationConditions is not strict JSON (the JSON holds NaN", case="fd-activation-nan"),
    j("CreateFlowDefinition", {**_flow(), "HumanLoopActivationConfig": {"HumanLoopActivationConditionsConfig": {
        "HumanLoopActivationConditions": '{"Conditions": []}'}}}, fragment="built-in", case="fd-activation-no-source"),
    j("CreateFlowDefinition", {**_flow(), "HumanLoopRequestSource": {
        "AwsManagedHumanLoopRequestSource": "AWS/Textract/AnalyzeDocument/Forms/V1"},
        "HumanLoopActivationConfig": {"HumanLoopActivationConditionsConfig": {
            "HumanLoopActivationConditions": "[" * 5000}}}, fragment="not strict JSON (the JSON is nested more than 64",
      case="fd-activation-deep"),
    j("CreateFlowDefinition", _flow(name="fd-ok"), 400, "ResourceInUse", "FlowDefinition 'fd-ok' already exists",
      case="fd-duplicate"),
    j("CreateFlowDefinition", {k: v for k, v in _flow().items() if k != "OutputConfig"},
      fragment="Value null at 'outputConfig' failed to satisfy constraint: Member must not be null", case="fd-no-output"),
    j("DescribeFlowDefinition", {"FlowDefinitionName": "ghost"}, 400, "ResourceNotFound",
      "FlowDefinition 'ghost' does not exist", case="fd-describe-unknown"),
    j("DeleteFlowDefinition", {"FlowDefinitionName": "ghost"}, 400, "ResourceNotFound", "does not exist",
      case="fd-delete-unknown"),
    j("ListFlowDefinitions", {"NextToken": "%%%"}, fragment="The NextToken is not valid", case="fd-token-junk"),
    j("ListFlowDefinitions", {"CreationTimeBefore": "0001-01-01T00:00:00+14:00"}, fragment="Member must be a time between",
      case="fd-time-year-1"),
    j("ListFlowDefinitions", {"MaxResults": -1}, fragment="greater than or equal to 1", case="fd-max-negative"),
]

TEAMS = [
    j("CreateWorkteam", {"WorkteamName": "t2", "Description": "d", "MemberDefinitions": [
        {"OidcMemberDefinition": {"Groups": ["g"]}},
        {"CognitoMemberDefinition": {"UserPool": "us-east-1_Ab1", "UserGroup": "g", "ClientId": "c"}}]},
      fragment="a team cannot mix identity providers", case="team-mixed"),
    j("CreateWorkteam", {"WorkteamName": "t2", "Description": "d", "MemberDefinitions": []},
      fragment="at 'memberDefinitions' failed to satisfy constraint: Member must have length greater than or equal to 1",
      case="team-no-members"),
    j("CreateWorkteam", {"WorkteamName": "bad_name", "Description": "d",
                         "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["g"]}}]},
      fragment="at 'workteamName' failed to satisfy constraint", case="team-name"),
    j("CreateWorkteam", {"WorkteamName": "t2", "Description": "d" * 300,
                         "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["g"]}}]},
      fragment="at 'description' failed to satisfy constraint: Member must have length less than or equal to",
      case="team-description-long"),
    j("CreateWorkteam", {"WorkteamName": "team-ok", "Description": "d",
                         "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["g"]}}]}, 400, "ResourceInUse",
      "Workteam 'team-ok' already exists", case="team-duplicate"),
    j("DescribeWorkteam", {"WorkteamName": "ghost"}, fragment="workteam/private-crowd/ghost does not exist",
      case="team-describe-unknown"),
    j("UpdateWorkteam", {"WorkteamName": "ghost", "Description": "x"}, fragment="does not exist", case="team-update-unknown"),
    j("DeleteWorkteam", {"WorkteamName": "ghost"}, fragment="does not exist", case="team-delete-unknown"),
    j("ListWorkteams", {"NextToken": _token([0, 5, "workteams|False|False|"])}, fragment=(
        "The NextToken is not valid for this request: pass the NextToken from the previous ListWorkteams"),
      case="team-token-forged"),
    j("ListWorkteams", {"SortBy": "Size"}, fragment="Member must satisfy enum value set: [Name, CreateDate]",
      case="team-sortby"),
    j("ListWorkteams", {"NameContains": "n" * 64}, fragment="at 'nameContains' failed to satisfy constraint",
      case="team-namecontains-long"),
    j("ListWorkteams", {"MaxResults": 1e300}, fragment="Member must be an integer", case="team-max-float"),
]

RENDER = [
    j("RenderUiTemplate", {"Task": {"Input": "{}"}, "RoleArn": ROLE}, fragment="Provide exactly one of UiTemplate",
      case="render-neither"),
    j("RenderUiTemplate", {"Task": {"Input": "{}"}, "RoleArn": ROLE, "UiTemplate": {"Content": "x"},
                           "HumanTaskUiArn": UI_ARN}, fragment="Provide exactly one of UiTemplate", case="render-both"),
    j("RenderUiTemplate", {"Task": {"Input": "{}"}, "RoleArn": ROLE, "HumanTaskUiArn": UI_ARN + "x"}, 400,
      "ResourceNotFound", "does not exist", case="render-unknown-arn"),
    j("RenderUiTemplate", {"RoleArn": ROLE, "UiTemplate": {"Content": "x"}},
      fragment="Value null at 'task' failed to satisfy constraint: Member must not be null", case="render-no-task"),
    j("RenderUiTemplate", {"Task": {"Input": "{}"}, "UiTemplate": {"Content": "x"}},
      fragment="Value null at 'roleArn'", case="render-no-role"),
    j("RenderUiTemplate", {"Task": {"Input": "{}"}, "RoleArn": ROLE, "UiTemplate": {"Content": "x" * 128_001}},
      fragment="Member must have length less than or equal to 128000", case="render-content-long"),
    j("RenderUiTemplate", {"Task": {"Input": "x" * 128_001}, "RoleArn": ROLE, "UiTemplate": {"Content": "x"}},
      fragment="at 'task.input' failed to satisfy constraint: Member must have length less than or equal to 128000",
      case="render-input-long"),
]


def _start(name: str = "l-new", content: str = '{"x": 1}', **extra: Any) -> dict[str, Any]:
    return {"HumanLoopName": name, "FlowDefinitionArn": FD_ARN, "HumanLoopInput": {"InputContent": content}, **extra}


LIST = {"FlowDefinitionArn": FD_ARN}
RT_SER = "SerializationException"
RUNTIME = [
    r("POST", "/human-loops", 400, RT_SER, "The request body is not valid JSON", body=b"{oops", case="start-bad-json"),
    r("POST", "/human-loops", 400, RT_SER, "must be a JSON object, not a JSON list", body=b"[]", case="start-array"),
    r("POST", "/human-loops", 400, RT_SER, "holds NaN", body=b'{"HumanLoopName": NaN}', case="start-nan-body"),
    r("POST", "/human-loops", 400, RT_SER, "lone UTF-16 surrogate", body=b'{"HumanLoopName": "a\\udc00"}',
      case="start-surrogate-name"),
    r("POST", "/human-loops", 400, RT_SER, "nested more than 64", body=b'{"x":' + b"[" * 70 + b"]" * 70 + b"}",
      case="start-deep-body"),
    r("POST", "/human-loops", fragment="HumanLoopInput.InputContent is not strict JSON (the JSON holds NaN",
      body=_start(content='{"score": NaN}'), case="input-nan"),
    r("POST", "/human-loops", fragment="(the JSON holds Infinity", body=_start(content='{"score": Infinity}'),
      case="input-infinity"),
    r("POST", "/human-loops", fragment="(the JSON holds -Infinity", body=_start(content='{"score": -Infinity}'),
      case="input-minus-infinity"),
    r("POST", "/human-loops", fragment="1e999 is too large for a double", body=_start(content='{"score": 1e999}'),
      case="input-1e999"),
    r("POST", "/human-loops", fragment="lone UTF-16 surrogate", body=_start(content='{"t": "\\ud83d"}'),
      case="input-surrogate"),
    r("POST", "/human-loops", fragment="nested more than 64 levels deep",
      body=_start(content='{"a": ' + "[" * 65 + "]" * 65 + "}"), case="input-deep"),
    r("POST", "/human-loops", fragment="is not strict JSON (not valid JSON", body=_start(content="{'single': 1}"),
      case="input-python-repr"),
    r("POST", "/human-loops", fragment="must be a JSON object such as", body=_start(content="[1]"), case="input-array"),
    r("POST", "/human-loops", fragment="at 'humanLoopInput.inputContent' failed to satisfy constraint: Member must "
      "have length less than or equal to 3145728", body=_start(content='{"a": "' + "x" * 3_145_728 + '"}'),
      case="input-too-long"),
    r("POST", "/human-loops", fragment="Value 'bad_name' at 'humanLoopName' failed to satisfy constraint",
      body=_start(name="bad_name"), case="start-name-underscore"),
    r("POST", "/human-loops", fragment="Member must have length less than or equal to 63", body=_start(name="a" * 64),
      case="start-name-long"),
    r("POST", "/human-loops", fragment="at 'humanLoopName' failed to satisfy constraint: Member must be a string",
      body=_start(name=7), case="start-name-int"),
    r("POST", "/human-loops", fragment="FlowDefinition '" + FD_ARN + "x' does not exist",
      body={**_start(), "FlowDefinitionArn": FD_ARN + "x"}, case="start-unknown-flow"),
    r("POST", "/human-loops", fragment="at 'flowDefinitionArn' failed to satisfy constraint",
      body={**_start(), "FlowDefinitionArn": "fd-ok"}, case="start-flow-not-arn"),
    r("POST", "/human-loops", fragment="Member must satisfy enum value set",
      body=_start(DataAttributes={"ContentClassifiers": ["NoPII"]}), case="start-classifier"),
    r("POST", "/human-loops", 409, "ConflictException", "HumanLoop 'loop-ok' is already active with a different",
      body=_start(name="loop-ok", content='{"x": 2}'), case="start-conflict"),
    r("POST", "/human-loops", 403, DENIED, "Requests from web pages (Origin 'http://127.0.0.1:9')",
      body=_start(), headers={"Origin": "http://127.0.0.1:9"}, case="start-origin"),
    r("POST", "/human-loops", 400, RT_SER, "Content-Type 'text/plain' is not supported; send application/json",
      body=json.dumps(_start()).encode(), headers={"Content-Type": "text/plain"}, case="start-text-plain"),
    r("POST", "/human-loops", 400, RT_SER, "Content-Type 'application/x-www-form-urlencoded'",
      body=b"HumanLoopName=x", headers={"Content-Type": "application/x-www-form-urlencoded"}, case="start-form"),
    r("POST", "/human-loops", 400, RT_SER, "Content-Type 'multipart/form-data'",
      body=b"--b--", headers={"Content-Type": "multipart/form-data; boundary=b"}, case="start-multipart"),
    r("POST", "/human-loops/stop", 403, DENIED, "Requests from web pages", body={"HumanLoopName": "loop-ok"},
      headers={"Origin": "http://evil.example"}, case="stop-origin"),
    r("POST", "/human-loops/stop", 400, RT_SER, "Content-Type 'text/plain'", body=b'{"HumanLoopName": "loop-ok"}',
      headers={"Content-Type": "text/plain;charset=UTF-8"}, case="stop-text-plain"),
    r("POST", "/human-loops/stop", 404, "ResourceNotFoundException", "HumanLoop 'ghost' does not exist",
      body={"HumanLoopName": "ghost"}, case="stop-unknown"),
    r("POST", "/human-loops/stop", fragment="Value null at 'humanLoopName'", body={}, case="stop-empty"),
    r("POST", "/human-loops/stop", fragment="Member must be a string", body={"HumanLoopName": ["loop-ok"]},
      case="stop-name-list"),
    r("GET", "/human-loops/ghost", 404, "ResourceNotFoundException", "HumanLoop 'ghost' does not exist",
      case="describe-unknown"),
    r("GET", "/human-loops/..%2F..%2Fetc%2Fpasswd", fragment="Member must satisfy regular expression pattern",
      case="describe-traversal"),
    r("GET", "/human-loops/%ED%A0%80", fragment="at 'humanLoopName' failed to satisfy constraint",
      case="describe-encoded-surrogate"),
    r("GET", "/human-loops/loop-ok", 403, DENIED, "Requests from web pages", headers={"Origin": "null"},
      case="describe-origin"),
    r("DELETE", "/human-loops/loop-ok", fragment="HumanLoop 'loop-ok' is InProgress; only Completed, Failed or Stopped",
      case="delete-in-progress"),
    r("DELETE", "/human-loops/ghost", 404, "ResourceNotFoundException", "does not exist", case="delete-unknown"),
    r("GET", "/human-loops", fragment="at 'maxResults' failed to satisfy constraint: Member must be an integer",
      params={**LIST, "MaxResults": "١٢"}, case="list-max-arabic"),
    r("GET", "/human-loops", fragment="Member must have value less than or equal to 100",
      params={**LIST, "MaxResults": "9" * 40}, case="list-max-huge"),
    r("GET", "/human-loops", fragment="Member must have value less than or equal to 100",
      params={**LIST, "MaxResults": "9" * 5000}, case="list-max-5000-digits"),
    r("GET", "/human-loops", fragment="greater than or equal to 1", params={**LIST, "MaxResults": "-1"},
      case="list-max-negative"),
    r("GET", "/human-loops", fragment="Member must be an integer", params={**LIST, "MaxResults": "1.5"},
      case="list-max-float"),
    r("GET", "/human-loops", fragment="The NextToken is not valid", params={**LIST, "NextToken": "junk"},
      case="list-token-junk"),
    r("GET", "/human-loops", fragment="The NextToken is not valid", params={**LIST, "NextToken": "١٢"},
      case="list-token-arabic"),
    r("GET", "/human-loops", fragment="The NextToken is not valid",
      params={**LIST, "NextToken": _token([float("1e300"), {"a": 1}, FD_ARN])}, case="list-token-forged"),
    r("GET", "/human-loops", fragment="at 'creationTimeAfter' failed to satisfy constraint: Member must be a timestamp",
      params={**LIST, "CreationTimeAfter": "nan"}, case="list-time-nan"),
    r("GET", "/human-loops", fragment="Member must be a timestamp", params={**LIST, "CreationTimeAfter": "1e999"},
      case="list-time-1e999"),
    r("GET", "/human-loops", fragment="Member must be a timestamp", params={**LIST, "CreationTimeAfter": "١٢"},
      case="list-time-arabic"),
    r("GET", "/human-loops", fragment="Member must be a time between 1970",
      params={**LIST, "CreationTimeBefore": "-5"}, case="list-time-negative"),
    r("GET", "/human-loops", fragment="Member must be a time between 1970",
      params={**LIST, "CreationTimeBefore": "99999999999999"}, case="list-time-year-3e6"),
    r("GET", "/human-loops", fragment="Member must satisfy enum value set", params={**LIST, "SortOrder": "Up"},
      case="list-sort"),
    r("GET", "/human-loops", 404, "ResourceNotFoundException", "does not exist",
      params={"FlowDefinitionArn": FD_ARN + "x"}, case="list-unknown-flow"),
    r("GET", "/human-loops", fragment="Value null at 'flowDefinitionArn'", case="list-no-flow"),
    r("GET", "/nothing-here", 404, "UnknownOperationException", "No operation matches GET /nothing-here",
      case="unknown-route"),
    r("PUT", "/human-loops", 405, "MethodNotAllowedException", "PUT is not allowed on /human-loops", case="bad-method"),
    r("POST", "/human-loops", 413, "RequestEntityTooLargeException", "is larger than this route accepts (8388608 bytes)",
      body=b"x" * (8 * 1024 * 1024 + 1), case="start-too-large"),
]

ADMIN = [
    a("PUT", "/_a2i/admin/faults", {"latency_ms": 1e308}, fragment="latency_ms=1e+308 must be between 0 and 60000",
      case="latency-1e308"),
    a("PUT", "/_a2i/admin/faults", {"latency_ms": -1}, fragment="latency_ms=-1 must be between 0 and 60000",
      case="latency-negative"),
    a("PUT", "/_a2i/admin/faults", {"latency_ms": "5"}, fragment="latency_ms='5' must be a number", case="latency-string"),
    a("PUT", "/_a2i/admin/faults", b'{"latency_ms": NaN}', fragment="holds NaN", case="latency-nan"),
    a("PUT", "/_a2i/admin/faults", {"error_rate": 1.5}, fragment="error_rate=1.5 must be between 0 and 1",
      case="error-rate-high"),
    a("PUT", "/_a2i/admin/faults", {"error_rate": -0.1}, fragment="must be between 0 and 1", case="error-rate-negative"),
    a("PUT", "/_a2i/admin/faults", {"error_rate": True}, fragment="error_rate=True must be a number", case="error-rate-bool"),
    a("PUT", "/_a2i/admin/faults", {"rps_limit": 0}, fragment="rps_limit=0 must be > 0", case="rps-zero"),
    a("PUT", "/_a2i/admin/faults", {"rps_limit": 1e300}, fragment="must be > 0 and <= 1e+06", case="rps-huge"),
    a("PUT", "/_a2i/admin/faults", {"rps_limit": -5}, fragment="rps_limit=-5 must be > 0", case="rps-negative"),
    a("PUT", "/_a2i/admin/faults", {"seed": 1.5}, fragment="seed=1.5 must be an integer", case="seed-float"),
    a("PUT", "/_a2i/admin/faults", {"seed": 10**30}, fragment="must be an integer below 2**63", case="seed-huge"),
    a("PUT", "/_a2i/admin/faults", {"error_codes": "ThrottlingException"}, fragment="error_codes must be a list",
      case="codes-string"),
    a("PUT", "/_a2i/admin/faults", {"error_codes": [1]}, fragment="must be a list of error code strings",
      case="codes-int"),
    a("PUT", "/_a2i/admin/faults", {"error_codes": ["Boom"]}, fragment="error_codes ['Boom'] not supported",
      case="codes-unknown"),
    a("PUT", "/_a2i/admin/faults", {"bogus": 1}, fragment="unknown fault setting(s) ['bogus']", case="unknown-setting"),
    a("PUT", "/_a2i/admin/faults", b"[1]", fragment="the body must be a JSON object, not a JSON list", case="faults-array"),
    a("PUT", "/_a2i/admin/faults", b"[" * 1000, fragment="nested more than 64 levels deep", case="faults-deep"),
    a("PUT", "/_a2i/admin/faults", b"{bad", fragment="not valid JSON", case="faults-bad-json"),
    a("PUT", "/_a2i/admin/faults", {"latency_ms": 1}, 401, "Unauthorized", "missing or wrong X-A2I-Admin-Token",
      token=False, case="faults-no-token"),
    a("PUT", "/_a2i/admin/faults", b'{"a": "' + b"x" * 70_000 + b'"}', 413, "PayloadTooLarge",
      "larger than this route accepts (65536 bytes)", case="faults-too-large"),
    a("POST", "/_a2i/admin/clock", {"seconds": 1e300}, fragment=(
        "seconds=1e+300 is more than the largest jump, 315576000 (10 years)"), case="clock-1e300"),
    a("POST", "/_a2i/admin/clock", {"seconds": 315_576_001}, fragment="more than the largest jump", case="clock-10y"),
    a("POST", "/_a2i/admin/clock", {"seconds": -1}, fragment='send {"seconds": n} with a number n >= 0',
      case="clock-negative"),
    a("POST", "/_a2i/admin/clock", {"seconds": "10"}, fragment='send {"seconds": n}', case="clock-string"),
    a("POST", "/_a2i/admin/clock", {}, fragment='send {"seconds": n}', case="clock-missing"),
    a("POST", "/_a2i/admin/clock", b'{"seconds": NaN}', fragment="holds NaN", case="clock-nan"),
    a("POST", "/_a2i/admin/clock", b'{"seconds": 1e999}', fragment="1e999 is too large for a double", case="clock-1e999"),
    a("POST", "/_a2i/admin/clock", b'{"seconds": ' + b"[" * 100 + b"]" * 100 + b"}", fragment="nested more than 64",
      case="clock-deep"),
    a("POST", "/_a2i/admin/clock", {"seconds": 5}, 401, "Unauthorized", "X-A2I-Admin-Token", token=False,
      case="clock-no-token"),
]

CASES = [*PROTOCOL, *TASK_UIS, *FLOWS, *TEAMS, *RENDER, *RUNTIME, *ADMIN]


def _send(service: Any, client: httpx.Client, kind: str, request: dict[str, Any]) -> httpx.Response:
    if kind == "json11":
        headers = {"Content-Type": JSON11}
        if request["op"]:
            headers["X-Amz-Target"] = f"SageMaker.{request['op']}"
        headers.update(request["headers"])
        body = request["body"]
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.post("/", headers=headers, content=content)
    if kind == "rest":
        headers = {"Content-Type": "application/json"} if request["body"] is not None else {}
        headers.update(request["headers"])
        body = request["body"]
        content = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        return client.request(request["method"], request["path"], headers=headers, content=content,
                              params=request["params"])
    headers = {"X-A2I-Admin-Token": service.admin_token} if request["token"] else {}
    body = request["body"]
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.request(request["method"], request["path"], headers=headers, content=content)


def test_the_table_is_big_and_distinct():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150


@pytest.mark.parametrize(("kind", "request_spec", "status", "code", "fragment"), CASES)
def test_bad_request(svc, kind, request_spec, status, code, fragment):
    service, client = svc
    before = _snapshot(service, client)
    response = _send(service, client, kind, request_spec)
    assert response.status_code == status, response.text
    body = response.json()
    if kind == "json11":
        assert response.headers["content-type"] == JSON11
        assert (body["__type"], response.headers["x-amzn-ErrorType"]) == (code, code)
        message = body["Message"]
    elif kind == "rest":
        assert response.headers["X-Amzn-ErrorType"] == code
        assert body["message"] == body["Message"]
        message = body["Message"]
    else:
        assert body["code"] == code
        message = body["error"]
    assert fragment in message
    assert client.get("/_a2i/health").json()["status"] == "ok"
    after = _snapshot(service, client)
    assert after == before
    assert after["integrity"] == "ok"
