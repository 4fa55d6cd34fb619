"""The launcher's compiled StartHumanLoop against plain botocore: the same bytes, answers and errors.

Each case sends the same call once through botocore (the pooled copy on the loopback transport)
and once through :class:`CompiledStart`, with botocore's clock and ``uuid4`` frozen so the
signature and ``amz-sdk-invocation-id`` must come out equal too; the scripted server records the
raw request bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import boto3
import botocore.auth
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError
from test_launch_transport import FLOW, Scripted, answer, fast_client, scripted  # noqa: F401

from a2i_kit.client import as_session
from a2i_kit.launch import launch_loops, transport
from a2i_kit.launch.clients import CompiledStart, pooled_client

PARAMS: list[dict[str, Any]] = [
    {"HumanLoopName": "a-1", "FlowDefinitionArn": FLOW, "HumanLoopInput": {"InputContent": '{"x": 1}'}},
    {"FlowDefinitionArn": FLOW, "HumanLoopInput": {"InputContent": json.dumps({"t": "é ü 漢字 \u2028"})},
     "HumanLoopName": "Upper-Case-2"},
    {"HumanLoopName": "c-3", "FlowDefinitionArn": FLOW, "HumanLoopInput": {"InputContent": '{"q": "\\"x\\" </>"}'},
     "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent"]}},
    {"HumanLoopName": "d" * 63, "FlowDefinitionArn": FLOW, "HumanLoopInput": {"InputContent": "{}" + " " * 5000}},
]
ERROR_REPLIES = [
    ("409 Conflict", "ConflictException", b'{"Message": "HumanLoop \'a\' is already active", "message": "m"}'),
    ("429 Too Many Requests", "ThrottlingException", b'{"Message": "Rate exceeded", "message": "Rate exceeded"}'),
    ("400 Bad Request", "ValidationException", b'{"Message": "1 validation error detected", "message": "x"}'),
    ("402 Payment Required", "ServiceQuotaExceededException", b'{"Message": "quota", "message": "quota"}'),
    ("404 Not Found", "ResourceNotFoundException", b'{"Message": "no flow", "message": "no flow"}'),
    ("500 Internal Server Error", "InternalServerException", b'{"Message": "boom", "message": "boom"}'),
    ("403 Forbidden", "AccessDeniedException", b'{"Message": "Requests from web pages", "message": "x"}'),
    ("503 Service Unavailable", None, b"<html>down</html>"),
    ("413 Request Entity Too Large", "RequestEntityTooLargeException", b'{"Message": "too big"}'),
]


@pytest.fixture
def frozen(monkeypatch):
    """botocore's signing clock and every uuid4 fixed, so two requests can be compared byte for byte."""
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *_, **__: dt.datetime(2026, 1, 2, 3, 4, 5))
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID("12345678-1234-4234-9234-123456789abc"))


def original(url: str, **options: Any) -> Any:
    config = options.pop("config", Config(retries={"total_max_attempts": 1}))
    return boto3.Session().client("sagemaker-a2i-runtime", endpoint_url=url, region_name="us-east-1",
                                  aws_access_key_id="AKIDCOMPILED", aws_secret_access_key="secret",
                                  config=config, **options)


def compiled_pair(url: str, **options: Any) -> tuple[Any, CompiledStart, list[str]]:
    """The pooled copy, its CompiledStart (recorded on a first call) and a log of botocore's calls."""
    client = pooled_client(original(url, **options), 4, botocore_retries=False, prevalidated=True)
    wire = transport.attach(client)
    assert wire is not None
    assert CompiledStart.usable(client, prevalidated=True)
    compiled = CompiledStart(client, wire)
    through_botocore: list[str] = []
    client.meta.events.register("before-call.sagemaker-a2i-runtime.StartHumanLoop",
                                lambda params, **_: through_botocore.append(params["url"]))
    compiled(HumanLoopName="first", FlowDefinitionArn=FLOW, HumanLoopInput={"InputContent": "{}"})
    assert len(through_botocore) == 1
    return client, compiled, through_botocore


@pytest.mark.parametrize("options", [
    {},
    {"aws_session_token": "FQoGZXIvYXdzEJr//////////token"},
    {"config": Config(retries={"max_attempts": 1})},  # the caller's client in legacy retry mode
    {"config": Config(retries={"mode": "adaptive", "max_attempts": 3}, user_agent_extra="nb/1 team#x")},
    {"config": Config(signature_version=UNSIGNED)},
], ids=["static-keys", "session-token", "legacy-retries", "adaptive-ua-extra", "unsigned"])
@pytest.mark.usefixtures("frozen")
def test_requests_are_byte_identical_to_botocores(scripted, options):  # noqa: F811
    server = scripted(lambda _request: (answer(), False))
    client, compiled, through_botocore = compiled_pair(server.url, **options)
    for params in PARAMS:
        botocore_answer = client.start_human_loop(**params)
        compiled_answer = compiled(**params)
        assert server.requests[-1] == server.requests[-2]
        assert compiled_answer == botocore_answer
        assert repr(compiled_answer) == repr(botocore_answer)  # the same keys in the same order
    assert len(through_botocore) == 1 + len(PARAMS)  # the compiled calls did not go through botocore
    head = server.requests[-1].split(b"\r\n\r\n")[0]
    assert b"amz-sdk-invocation-id: 12345678-1234-4234-9234-123456789abc" in head
    signed = options.get("config", Config()).signature_version is not UNSIGNED
    assert (b"Authorization: AWS4-HMAC-SHA256 Credential=AKIDCOMPILED/20260102/" in head) is signed


@pytest.mark.parametrize(("status", "code", "body"), ERROR_REPLIES, ids=[r[0] for r in ERROR_REPLIES])
@pytest.mark.usefixtures("frozen")
def test_error_answers_raise_what_botocore_raises(scripted, status, code, body):  # noqa: F811
    extra = f"X-Amzn-ErrorType: {code}\r\nx-amzn-RequestId: req-1\r\n".encode() if code else b""
    server = scripted(lambda request: (answer(body, status, extra) if b"first" not in request else answer(), False))
    client, compiled, _ = compiled_pair(server.url)
    with pytest.raises(ClientError) as theirs:
        client.start_human_loop(**PARAMS[0])
    with pytest.raises(ClientError) as ours:
        compiled(**PARAMS[0])
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)
    assert ours.value.response == theirs.value.response
    assert ours.value.operation_name == theirs.value.operation_name == "StartHumanLoop"
    assert server.requests[-1] == server.requests[-2]
    if code:
        assert ours.value.response["Error"]["Code"] == code
        assert ours.value.response["ResponseMetadata"]["RequestId"] == "req-1"
    assert ours.value.response["ResponseMetadata"]["MaxAttemptsReached"] is True


@pytest.mark.parametrize("reply", [
    answer(b'{"HumanLoopArn": "arn:aws:sagemaker:us-east-1:111122223333:human-loop/a", "Extra": 1}'),
    answer(b'{"HumanLoopArn":"arn:x"}', "201 Created"),
    answer(b'{"HumanLoopArn":"arn:x"}', extra=b"x-amz-request-id: s3-style\r\nx-amz-id-2: host\r\n"),
    answer(b"", "200 OK"),
    answer(b"not json"),
])
@pytest.mark.usefixtures("frozen")
def test_unusual_successes_are_parsed_by_botocore(scripted, reply):  # noqa: F811
    server = scripted(lambda _request: (reply, False))
    client, compiled, _ = compiled_pair(server.url)
    assert compiled(**PARAMS[2]) == client.start_human_loop(**PARAMS[2])


def test_a_broken_connection_raises_botocores_connection_error(scripted):  # noqa: F811
    server = scripted(lambda request: (answer(), False) if b"first" in request else (b"", True))
    client, compiled, _ = compiled_pair(server.url)
    for call in (lambda: client.start_human_loop(**PARAMS[0]), lambda: compiled(**PARAMS[0])):
        with pytest.raises(ConnectionClosedError, match=f'endpoint URL: "{server.url}/human-loops"'):
            call()


def test_nothing_is_recorded_when_botocore_sends_something_else(scripted):  # noqa: F811
    server = scripted(lambda _request: (answer(), False))
    client = pooled_client(original(server.url), 4, botocore_retries=False, prevalidated=True)
    compiled = CompiledStart(client, transport.attach(client))

    def traced(params: dict[str, Any], **_: Any) -> None:
        params["headers"]["X-Amzn-Trace-Id"] = "Root=1-abc"  # per-call header: cannot be replayed

    client.meta.events.register("before-call.sagemaker-a2i-runtime.StartHumanLoop", traced)
    for name in ("a", "b"):
        compiled(HumanLoopName=name, FlowDefinitionArn=FLOW, HumanLoopInput={"InputContent": "{}"})
    assert compiled._record is None
    assert all(b"X-Amzn-Trace-Id: Root=1-abc" in request for request in server.requests)


def test_only_a_copy_without_botocore_retries_or_validation_is_compiled():
    url = "http://127.0.0.1:9"
    copy = pooled_client(original(url), 4, botocore_retries=False, prevalidated=True)
    assert CompiledStart.usable(copy, prevalidated=True)
    assert not CompiledStart.usable(copy, prevalidated=False)
    retrying = original(url, config=Config(retries={"mode": "standard", "max_attempts": 3}))
    retried = pooled_client(retrying, 4, botocore_retries=True, prevalidated=True)
    assert not CompiledStart.usable(retried, prevalidated=True)


def test_launch_loops_through_the_compiled_call_keeps_conflicts_and_idempotency(service, make_flow, tmp_path,
                                                                               monkeypatch):
    import pandas as pd

    flow = make_flow("compiled-flow")["flow_definition_arn"]
    runtime = original(service.url)
    compiled_calls: list[str] = []
    plain_call = CompiledStart.__call__

    def counted(self: CompiledStart, **params: Any) -> dict[str, Any]:
        compiled_calls.append(params["HumanLoopName"])
        return plain_call(self, **params)

    monkeypatch.setattr(CompiledStart, "__call__", counted)
    df = pd.DataFrame({"item_id": [f"i{k}" for k in range(40)], "text": [f"t{k}" for k in range(40)]})
    first = launch_loops(as_session(runtime), df, flow_definition_arn=flow, public_crowd=False,
                         ledger=tmp_path / "l1.sqlite3", progress=False, max_workers=4)
    assert first["status"].tolist() == ["started"] * 40
    assert sorted(compiled_calls) == sorted(first["loop_name"])
    # A new ledger: the service answers every start with the existing loop (same input: idempotent)...
    again = launch_loops(as_session(runtime), df, flow_definition_arn=flow, public_crowd=False,
                         ledger=tmp_path / "l2.sqlite3", progress=False, max_workers=4)
    assert again["status"].tolist() == ["started"] * 40
    assert again["human_loop_arn"].tolist() == first["human_loop_arn"].tolist()
    # ...and with other input, a ConflictException per item, as botocore raises it.
    changed = df.assign(text="changed")
    conflict = launch_loops(as_session(runtime), changed, flow_definition_arn=flow, public_crowd=False,
                            ledger=tmp_path / "l3.sqlite3", progress=False, max_workers=4)
    assert conflict["status"].tolist() == ["failed"] * 40
    assert conflict["error"].str.startswith("ConflictException: HumanLoop 'compiled-flow-").all()
    assert conflict["error"].str.contains("is already active with a different flow definition or input").all()
