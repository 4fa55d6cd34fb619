"""Bad input on the worker, workforce-admin and portal routes: a clear 4xx each, never a 5xx.

Every case asserts the status, the error code (JSON ``code`` on API routes, the page title on
portal pages), that the refusal says something a user can act on, and that the service still
answers afterwards with the loop's claim untouched.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from a2i_kit.review import add_worker
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig

SURROGATE = "%ED%A0%80"
TEMPLATE = '<crowd-form><crowd-input name="x"></crowd-input></crowd-form>'


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One service for the whole table: every case is refused, so none changes the state."""
    thread = ServiceThread(ServiceConfig(data_dir=Path(tmp_path_factory.mktemp("bad-worker")) / "d"))
    thread.start()
    try:
        sm = boto3.client("sagemaker", endpoint_url=thread.url, region_name="us-east-1",
                          config=Config(retries={"max_attempts": 1}))
        rt = boto3.client("sagemaker-a2i-runtime", endpoint_url=thread.url, region_name="us-east-1",
                          config=Config(retries={"max_attempts": 1}))
        team = sm.create_workteam(WorkteamName="t", Description="t", MemberDefinitions=[{
            "CognitoMemberDefinition": {"UserPool": "us-east-1_X1", "UserGroup": "reviewers", "ClientId": "c"}}])
        ui = sm.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": TEMPLATE})
        flow = sm.create_flow_definition(
            FlowDefinitionName="f", RoleArn="arn:aws:iam::111122223333:role/r",
            HumanLoopConfig={"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui["HumanTaskUiArn"],
                             "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1},
            OutputConfig={"S3OutputPath": "s3://bucket/out"})
        rt.start_human_loop(HumanLoopName="loop-1", FlowDefinitionArn=flow["FlowDefinitionArn"],
                            HumanLoopInput={"InputContent": "{}"})
        alice = add_worker(thread.url, thread.admin_token, "alice", ["reviewers"])
        bearer = {"Authorization": f"Bearer {alice['token']}"}
        assert httpx.post(f"{thread.url}/_a2i/worker/tasks/loop-1/claim", headers=bearer).status_code == 200
        bob = add_worker(thread.url, thread.admin_token, "bob", ["reviewers"])
        signed = httpx.get(bob["signInUrl"])
        cookie = signed.headers["set-cookie"].split(";", 1)[0]
        queue = httpx.get(f"{thread.url}/_a2i/portal/", headers={"Cookie": cookie})
        csrf = queue.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        yield {"service": thread, "url": thread.url, "bearer": bearer, "admin": {"X-A2I-Admin-Token": thread.admin_token},
               "portal": {"Cookie": cookie, "Origin": thread.url}, "csrf": csrf, "alice": alice}
    finally:
        thread.stop()


def _nested(depth: int) -> str:
    return '{"answerContent": {"a": ' + "[" * depth + "]" * depth + "}}"


SUBMIT = "/_a2i/worker/tasks/loop-1/submit"
CLAIM = "/_a2i/worker/tasks/loop-1/claim"
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BIG = 2 * 1024 * 1024

# (id, who, method, path, headers, body, status, code, message)
CASES: list[tuple[str, str | None, str, str, dict[str, str], bytes | str | None, int, str, str]] = [
    ("submit-not-json", "bearer", "POST", SUBMIT, JSON, "{", 400, "InvalidRequest", "not valid JSON"),
    ("submit-nan", "bearer", "POST", SUBMIT, JSON, '{"answerContent": {"a": NaN}}', 400, "InvalidRequest", "NaN"),
    ("submit-infinity", "bearer", "POST", SUBMIT, JSON, '{"answerContent": {"a": Infinity}}', 400,
     "InvalidRequest", "Infinity"),
    ("submit-minus-infinity", "bearer", "POST", SUBMIT, JSON, '{"answerContent": {"a": -Infinity}}', 400,
     "InvalidRequest", "-Infinity"),
    ("submit-1e999", "bearer", "POST", SUBMIT, JSON, '{"answerContent": {"a": 1e999}}', 400, "InvalidRequest",
     "too large for a double"),
    ("submit-lone-surrogate", "bearer", "POST", SUBMIT, JSON, '{"answerContent": {"a": "\\ud800"}}', 400,
     "InvalidRequest", "lone UTF-16 surrogate"),
    ("submit-surrogate-key", "bearer", "POST", SUBMIT, JSON, '{"answerContent": {"\\udfff": 1}}', 400,
     "InvalidRequest", "lone UTF-16 surrogate"),
    ("submit-deep", "bearer", "POST", SUBMIT, JSON, _nested(200), 400, "InvalidRequest", "nested more than"),
    ("submit-array", "bearer", "POST", SUBMIT, JSON, "[1, 2]", 400, "InvalidRequest", "must be a JSON object"),
    ("submit-empty", "bearer", "POST", SUBMIT, JSON, "", 400, "InvalidRequest", "body is empty"),
    ("submit-invalid-utf8", "bearer", "POST", SUBMIT, JSON, b'{"answerContent": {"a": "\xff"}}', 400,
     "InvalidRequest", "not valid JSON"),
    ("submit-streamed-huge", "bearer", "POST", SUBMIT, JSON, b'{"answerContent": {"a": "' + b"x" * BIG + b'"}}',
     413, "RequestTooLarge", "larger than this route accepts"),
    ("submit-text-plain", "bearer", "POST", SUBMIT, {"Content-Type": "text/plain"}, '{"answerContent": {}}', 415,
     "UnsupportedMediaType", "application/json"),
    ("submit-form", "bearer", "POST", SUBMIT, FORM, "answerContent=1", 415, "UnsupportedMediaType",
     "application/json"),
    ("submit-no-type", "bearer", "POST", SUBMIT, {}, None, 415, "UnsupportedMediaType", "application/json"),
    ("submit-answer-string", "bearer", "POST", SUBMIT, JSON, '{"answerContent": "yes"}', 400, "InvalidRequest",
     "answerContent must be a JSON object"),
    ("submit-no-answer", "bearer", "POST", SUBMIT, JSON, '{"answer": {}}', 400, "InvalidRequest",
     '"answerContent"'),
    ("submit-time-negative", "admin+bearer", "POST", SUBMIT, JSON,
     '{"answerContent": {}, "timeSpentInSeconds": -1}', 400, "InvalidRequest", "must be a number"),
    ("submit-time-text", "admin+bearer", "POST", SUBMIT, JSON,
     '{"answerContent": {}, "timeSpentInSeconds": "9"}', 400, "InvalidRequest", "must be a number"),
    ("claim-surrogate-loop", "bearer", "POST", f"/_a2i/worker/tasks/{SURROGATE}/claim", {}, None, 400,
     "InvalidRequest", "is not a human loop name"),
    ("claim-64-chars", "bearer", "POST", f"/_a2i/worker/tasks/{'a' * 64}/claim", {}, None, 400, "InvalidRequest",
     "1-63 letters"),
    ("claim-8k-chars", "bearer", "POST", f"/_a2i/worker/tasks/{'a' * 8000}/claim", {}, None, 400,
     "InvalidRequest", "1-63 letters"),
    ("claim-dots", "bearer", "POST", "/_a2i/worker/tasks/%2e%2e/claim", {}, None, 400, "InvalidRequest",
     "is not a human loop name"),
    ("claim-space", "bearer", "POST", "/_a2i/worker/tasks/a%20b/claim", {}, None, 400, "InvalidRequest",
     "is not a human loop name"),
    ("claim-nul", "bearer", "POST", "/_a2i/worker/tasks/a%00b/claim", {}, None, 400, "InvalidRequest",
     "is not a human loop name"),
    ("claim-bad-json-body", "bearer", "POST", CLAIM, JSON, '{"x":', 400, "InvalidRequest", "not valid JSON"),
    ("claim-text-plain", "bearer", "POST", CLAIM, {"Content-Type": "text/plain"}, "{}", 415,
     "UnsupportedMediaType", "application/json"),
    ("release-form", "bearer", "POST", "/_a2i/worker/tasks/loop-1/release", FORM, "a=1", 415,
     "UnsupportedMediaType", "application/json"),
    ("release-huge-body", "bearer", "POST", "/_a2i/worker/tasks/loop-1/release", JSON, b"[" + b" " * 100000 + b"]",
     413, "RequestTooLarge", "larger than this route accepts"),
    ("bearer-very-long", None, "GET", "/_a2i/worker/me", {"Authorization": "Bearer " + "a" * 10000}, None, 401,
     "Unauthorized", "sign in first"),
    ("bearer-latin1", None, "GET", "/_a2i/worker/me", {"Authorization": "Bearer a2iw_\xff\xfe"}, None, 401,
     "Unauthorized", "sign in first"),
    ("cookie-garbage", None, "GET", "/_a2i/worker/me", {"Cookie": "__Host-a2i_session=" + "x." * 600}, None, 401,
     "Unauthorized", "sign in first"),
    ("cookie-forged", None, "GET", "/_a2i/worker/me", {"Cookie": "__Host-a2i_session=e30.00"}, None, 401,
     "Unauthorized", "sign in first"),
    ("events-superscript", "admin", "GET", "/_a2i/events?after=%C2%B2", {}, None, 400, "InvalidRequest",
     "whole number"),
    ("events-arabic-digits", "admin", "GET", "/_a2i/events?after=%D9%A1", {}, None, 400, "InvalidRequest",
     "whole number"),
    ("events-negative", "admin", "GET", "/_a2i/events?after=-1", {}, None, 400, "InvalidRequest", "whole number"),
    ("events-huge", "admin", "GET", "/_a2i/events?limit=" + "9" * 40, {}, None, 400, "InvalidRequest",
     "whole number"),
    ("delete-not-hex", "admin", "DELETE", "/_a2i/workforce/workers/not-a-worker", {}, None, 400, "InvalidRequest",
     "16 lowercase hex digits"),
    ("delete-surrogate", "admin", "DELETE", f"/_a2i/workforce/workers/{SURROGATE}", {}, None, 400,
     "InvalidRequest", "16 lowercase hex digits"),
    ("delete-unknown", "admin", "DELETE", "/_a2i/workforce/workers/0123456789abcdef", {}, None, 404, "NotFound",
     "does not exist"),
    ("token-text-plain", "admin", "POST", "/_a2i/workforce/workers/0123456789abcdef/token",
     {"Content-Type": "text/plain"}, "x", 415, "UnsupportedMediaType", "application/json"),
    ("link-unknown-worker", "admin", "POST", "/_a2i/workforce/workers/0123456789abcdef/signin-link", {}, None,
     404, "NotFound", "does not exist"),
    ("add-worker-nan", "admin", "POST", "/_a2i/workforce/workers", JSON, '{"name": NaN, "groups": ["g"]}', 400,
     "InvalidRequest", "NaN"),
    ("add-worker-surrogate", "admin", "POST", "/_a2i/workforce/workers", JSON,
     '{"name": "\\ud800", "groups": ["g"]}', 400, "InvalidRequest", "lone UTF-16 surrogate"),
    ("add-worker-huge", "admin", "POST", "/_a2i/workforce/workers", JSON, b'{"name": "' + b"n" * 70000 + b'"}',
     413, "RequestTooLarge", "larger than this route accepts"),
    ("add-worker-groups-object", "admin", "POST", "/_a2i/workforce/workers", JSON, '{"name": "z", "groups": {}}',
     400, "InvalidRequest", "'groups' must list"),
    ("add-worker-form", "admin", "POST", "/_a2i/workforce/workers", FORM, "name=z", 415, "UnsupportedMediaType",
     "application/json"),
    ("details-surrogate", "admin", "GET", f"/_a2i/workforce/tasks/{SURROGATE}", {}, None, 400, "InvalidRequest",
     "is not a human loop name"),
    # portal pages: readable HTML, the code is the page's title
    ("portal-signin-text-plain", None, "POST", "/_a2i/portal/signin", {"Content-Type": "text/plain"}, "token=x",
     415, "Request refused", "application/x-www-form-urlencoded"),
    ("portal-signin-huge", None, "POST", "/_a2i/portal/signin", FORM, "token=" + "x" * 10000, 413,
     "Request refused", "larger than this route accepts"),
    ("portal-signin-not-utf8", None, "POST", "/_a2i/portal/signin", FORM, b"token=\xff\xfe", 400,
     "Request refused", "not valid UTF-8"),
    ("portal-signin-surrogate", None, "POST", "/_a2i/portal/signin", FORM, f"token={SURROGATE}", 400,
     "Request refused", "not valid UTF-8"),
    ("portal-signin-many-fields", None, "POST", "/_a2i/portal/signin", FORM, "&".join(f"f{i}=1" for i in range(50)),
     400, "Request refused", "too many fields"),
    ("portal-link-long", None, "GET", "/_a2i/portal/login?link=" + "a" * 3000, {}, None, 400,
     "Sign-in link not valid", "Ask whoever runs the review"),
    ("portal-link-surrogate", None, "GET", f"/_a2i/portal/login?link={SURROGATE}.{SURROGATE}", {}, None, 400,
     "Sign-in link not valid", "Ask whoever runs the review"),
    ("portal-task-surrogate", "portal", "GET", f"/_a2i/portal/tasks/{SURROGATE}", {}, None, 400,
     "Request refused", "is not a human loop name"),
    ("portal-claim-long", "portal+csrf", "POST", f"/_a2i/portal/tasks/{'b' * 500}/claim", FORM, "", 400,
     "Request refused", "1-63 letters"),
    ("portal-unknown-page", None, "GET", "/_a2i/portal/" + "x" * 5000, {}, None, 404, "Page not found",
     "no such portal page"),
    ("portal-get-confirm", None, "GET", "/_a2i/portal/signin/link?link=x", {}, None, 404, "Page not found",
     "no such portal page"),
    ("portal-link-confirm-bogus", "portal+csrf", "POST", "/_a2i/portal/signin/link", FORM, "link=abc.def", 400,
     "Sign-in link not valid", "Ask whoever runs the review"),
]


@pytest.mark.parametrize(("who", "method", "path", "headers", "body", "status", "code", "message"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_is_refused_clearly(world: dict[str, Any], who: str | None, method: str, path: str,
                                      headers: dict[str, str], body: bytes | str | None, status: int,
                                      code: str, message: str) -> None:
    sent = dict(headers)
    for part in (who or "").split("+"):
        if part in ("bearer", "admin", "portal"):
            sent.update(world[part])
    if who and who.endswith("+csrf"):
        body = f"csrf={world['csrf']}&{body}" if body else f"csrf={world['csrf']}"
    with httpx.Client(base_url=world["url"], timeout=30) as client:
        raw = {k: v.encode("latin-1") for k, v in sent.items()}   # header bytes as a client may send them
        response = client.request(method, path, headers=raw, content=body)
        assert response.status_code == status, response.text[:300]
        if response.headers.get("content-type", "").startswith("application/json"):
            assert response.json()["code"] == code
            assert message in response.json()["error"]
        else:
            assert f"<h1>{code}</h1>" in response.text
            assert message in response.text.replace("&#x27;", "'")
        assert client.get("/_a2i/health").status_code == 200
    store = world["service"].context.store
    assert [(a["worker_id"], a["status"]) for a in store.claims.of_loop("loop-1")] == [
        (world["alice"]["workerId"], "claimed")]


def test_a_declared_huge_body_is_refused_before_it_is_sent(world: dict[str, Any]) -> None:
    host, port = world["url"].removeprefix("http://").split(":")
    head = (f"POST {SUBMIT} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: {world['bearer']['Authorization']}\r\nContent-Length: 99999999\r\n\r\n{{")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode())
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    status_line, _, rest = reply.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413")
    body = json.loads(rest.split(b"\r\n\r\n", 1)[1])
    assert body["code"] == "RequestTooLarge"
    assert "(99999999 bytes) is larger than this route accepts" in body["error"]
    assert httpx.get(world["url"] + "/_a2i/health").status_code == 200


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 35
    assert len({case[0] for case in CASES}) == len(CASES)
