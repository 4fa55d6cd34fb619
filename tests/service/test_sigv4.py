"""Signed requests end to end: a service with ``require_auth`` and access keys it issued.

boto3 (SageMaker and the A2I runtime), the AWS CLI and presigned URLs get through with an issued
key; every bad case gets AWS's 403 with its code and message in the protocol's error shape.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from a2i_kit.cli.admin import open_keys
from a2i_kit.errors import ConfigError
from a2i_kit.service import ServiceThread
from a2i_kit.service.access_keys import IssuedKey
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.sigv4 import BAD_SIGNATURE

ROLE = "arn:aws:iam::111122223333:role/a2i-kit-test"
TEMPLATE = '<crowd-form><crowd-classifier name="c" categories="[\'a\', \'b\']" header="h"></crowd-classifier></crowd-form>'
BIN = Path(sys.executable).parent


@pytest.fixture
def secured(tmp_path: Path, database_url: str | None) -> Iterator[ServiceThread]:
    """A service on loopback that verifies SigV4 (``require_auth=True``), on each store."""
    config = ServiceConfig(data_dir=tmp_path / "data", require_auth=True, database_url=database_url)
    with ServiceThread(config) as service:
        yield service


@pytest.fixture
def key(secured: ServiceThread) -> IssuedKey:
    """A key issued for ``alice`` in the running service's store."""
    with open_keys(secured.config) as keys:
        return keys.create("alice")


def signed_client(service: ServiceThread, name: str, key_id: str, secret: str) -> Any:
    return boto3.client(name, endpoint_url=service.url, region_name="us-east-1", aws_access_key_id=key_id,
                        aws_secret_access_key=secret, config=Config(retries={"total_max_attempts": 1}))


def refusal(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_boto3_clients_with_an_issued_key_run_a_whole_loop(secured: ServiceThread, key: IssuedKey) -> None:
    sagemaker = signed_client(secured, "sagemaker", key.key_id, key.secret)
    runtime = signed_client(secured, "sagemaker-a2i-runtime", key.key_id, key.secret)
    team = sagemaker.create_workteam(WorkteamName="team", Description="d", MemberDefinitions=[{
        "CognitoMemberDefinition": {"UserPool": "us-east-1_Test1234", "UserGroup": "g", "ClientId": "c"}}])
    ui = sagemaker.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": TEMPLATE})
    flow = sagemaker.create_flow_definition(
        FlowDefinitionName="flow", RoleArn=ROLE, OutputConfig={"S3OutputPath": "s3://bucket/out"},
        HumanLoopConfig={"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui["HumanTaskUiArn"],
                         "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1})["FlowDefinitionArn"]
    runtime.start_human_loop(HumanLoopName="loop-1", FlowDefinitionArn=flow,
                             HumanLoopInput={"InputContent": json.dumps({"text": "fine"})})
    assert runtime.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "InProgress"
    listed = runtime.list_human_loops(FlowDefinitionArn=flow, SortOrder="Ascending",
                                      CreationTimeAfter="2000-01-01T00:00:00Z")["HumanLoopSummaries"]
    assert [s["HumanLoopName"] for s in listed] == ["loop-1"]
    runtime.stop_human_loop(HumanLoopName="loop-1")
    runtime.delete_human_loop(HumanLoopName="loop-1")
    assert sagemaker.describe_human_task_ui(HumanTaskUiName="ui")["HumanTaskUiStatus"] == "Active"
    with open_keys(secured.config) as keys:
        assert keys.list()[0].last_used is not None


def test_aws_cli_with_a_key_from_the_admin_command(secured: ServiceThread, tmp_path: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
           "A2I_KIT_DATA_DIR": str(secured.config.data_dir), "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_MAX_ATTEMPTS": "1",
           "A2I_KIT_DATABASE_URL": secured.config.database_url or ""}
    issued = subprocess.run([str(BIN / "a2i-kit"), "admin", "create-access-key", "--name", "bob"],
                            capture_output=True, text=True, env=env, check=True).stdout
    key_id = re.search(r"export AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})\n", issued).group(1)  # type: ignore[union-attr]
    secret = re.search(r"export AWS_SECRET_ACCESS_KEY=(\S{40})\n", issued).group(1)  # type: ignore[union-attr]
    cli_env = {**env, "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": "us-east-1"}
    aws = [str(BIN / "aws"), "--endpoint-url", secured.url]
    listed = subprocess.run([*aws, "sagemaker", "list-human-task-uis"], capture_output=True, text=True, env=cli_env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"HumanTaskUiSummaries": []}
    flow = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/none"
    loops = subprocess.run([*aws, "sagemaker-a2i-runtime", "list-human-loops", "--flow-definition-arn", flow],
                           capture_output=True, text=True, env=cli_env)  # signed right: the route itself answers
    assert f"(ResourceNotFoundException) when calling the ListHumanLoops operation: FlowDefinition '{flow}' " \
           "does not exist." in loops.stderr
    wrong = subprocess.run([*aws, "sagemaker", "list-human-task-uis"], capture_output=True, text=True,
                           env={**cli_env, "AWS_SECRET_ACCESS_KEY": "x" * 40})
    assert wrong.returncode != 0
    assert f"(InvalidSignatureException) when calling the ListHumanTaskUis operation: {BAD_SIGNATURE}" in wrong.stderr


def test_sagemaker_sdk_with_an_issued_key(secured: ServiceThread, key: IssuedKey,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from sagemaker.core.resources import HumanTaskUi
    from sagemaker.core.shapes import UiTemplate

    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", secured.url)
    session = boto3.Session(aws_access_key_id=key.key_id, aws_secret_access_key=key.secret, region_name="us-east-1")
    ui = HumanTaskUi.create(human_task_ui_name="sdk-ui", ui_template=UiTemplate(content="<p>{{ task.input.a }}</p>"),
                            session=session, region="us-east-1")
    assert ui.human_task_ui_arn.endswith("human-task-ui/sdk-ui")
    fetched = HumanTaskUi.get(human_task_ui_name="sdk-ui", session=session, region="us-east-1")
    assert fetched.human_task_ui_status == "Active"


def test_unsigned_requests_get_missing_authentication_token(secured: ServiceThread) -> None:
    with httpx.Client(base_url=secured.url) as http:
        json11 = http.post("/", content=b"{}", headers={"X-Amz-Target": "SageMaker.ListHumanTaskUis",
                                                         "Content-Type": "application/x-amz-json-1.1"})
        rest = http.get("/human-loops", params={"FlowDefinitionArn": "arn"})
        health = http.get("/_a2i/health")
    assert json11.status_code == 403
    assert json11.json() == {"__type": "MissingAuthenticationToken",
                                                          "Message": "Missing Authentication Token"}
    assert rest.status_code == 403
    assert rest.headers["x-amzn-errortype"] == "MissingAuthenticationToken"
    assert rest.json()["Message"] == "Missing Authentication Token"
    assert health.status_code == 200  # routes under /_a2i/ keep their own authentication


def _signed_request(service: ServiceThread, key_id: str, secret: str, body: bytes) -> dict[str, str]:
    request = AWSRequest(method="POST", url=service.url + "/", data=body, headers={
        "X-Amz-Target": "SageMaker.ListHumanTaskUis", "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(key_id, secret), "sagemaker", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_tampered_body_wrong_secret_and_unknown_key(secured: ServiceThread, key: IssuedKey) -> None:
    headers = _signed_request(secured, key.key_id, key.secret, b'{"MaxResults": 5}')
    with httpx.Client(base_url=secured.url) as http:
        assert http.post("/", content=b'{"MaxResults": 5}', headers=headers).status_code == 200
        tampered = http.post("/", content=b'{"MaxResults": 6}', headers=headers)
    assert tampered.status_code == 403
    assert tampered.json() == {"__type": "InvalidSignatureException", "Message": BAD_SIGNATURE}
    wrong_secret = key.secret[:-1] + ("y" if key.secret.endswith("x") else "x")
    wrong = signed_client(secured, "sagemaker-a2i-runtime", key.key_id, wrong_secret)
    assert refusal(wrong.describe_human_loop, HumanLoopName="x") == (403, "InvalidSignatureException", BAD_SIGNATURE)
    stranger = signed_client(secured, "sagemaker", "AKIAAAAAAAAAAAAAAAAA", key.secret)
    assert refusal(stranger.list_human_task_uis) == (
        403, "UnrecognizedClientException", "The security token included in the request is invalid.")


def test_clock_skew_of_16_minutes_either_way(secured: ServiceThread, key: IssuedKey) -> None:
    client = signed_client(secured, "sagemaker", key.key_id, key.secret)
    httpx.post(secured.url + "/_a2i/admin/clock", json={"seconds": 16 * 60},
               headers={"X-A2I-Admin-Token": secured.admin_token}).raise_for_status()
    status, code, message = refusal(client.list_human_task_uis)
    assert (status, code) == (403, "InvalidSignatureException")
    assert re.fullmatch(r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                        r"\(\d{8}T\d{6}Z - 15 min\.\)", message), message
    secured.context.clock.offset = -16 * 60  # type: ignore[union-attr]
    status, code, message = refusal(client.list_human_task_uis)
    assert (status, code) == (403, "InvalidSignatureException")
    assert re.fullmatch(r"Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z "
                        r"\(\d{8}T\d{6}Z \+ 15 min\.\)", message), message
    secured.context.clock.offset = 0.0  # type: ignore[union-attr]
    assert client.list_human_task_uis()["HumanTaskUiSummaries"] == []


def test_incomplete_authorization_header(secured: ServiceThread) -> None:
    header = "AWS4-HMAC-SHA256 Credential=AKIAAAAAAAAAAAAAAAAA/20260101/us-east-1/sagemaker/aws4_request"
    with httpx.Client(base_url=secured.url) as http:
        answer = http.get("/human-loops/loop-1", headers={"Authorization": header, "X-Amz-Date": "20260101T000000Z"})
    assert answer.status_code == 403
    assert answer.headers["x-amzn-errortype"] == "IncompleteSignature"
    assert answer.json()["Message"] == ("Authorization header requires 'Signature' parameter. Authorization header "
                                        f"requires 'SignedHeaders' parameter. Authorization={header}")


def test_presigned_url_passes(secured: ServiceThread, key: IssuedKey) -> None:
    runtime = signed_client(secured, "sagemaker-a2i-runtime", key.key_id, key.secret)
    url = runtime.generate_presigned_url("describe_human_loop", Params={"HumanLoopName": "nope"}, ExpiresIn=60)
    answer = httpx.get(url)
    assert answer.status_code == 404
    assert answer.headers["x-amzn-errortype"] == "ResourceNotFoundException"
    answer = httpx.get(url.replace("nope", "other"))
    assert answer.status_code == 403
    assert answer.json()["Message"] == BAD_SIGNATURE


def test_a_deleted_key_stops_working_in_every_process(secured: ServiceThread, key: IssuedKey) -> None:
    client = signed_client(secured, "sagemaker", key.key_id, key.secret)
    assert client.list_human_task_uis()["HumanTaskUiSummaries"] == []
    with open_keys(secured.config) as keys:  # as `a2i-kit admin delete-access-key` in another process
        assert keys.delete(key.key_id)
    deadline = time.monotonic() + 10
    while _still_works(client) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert refusal(client.list_human_task_uis) == (
        403, "UnrecognizedClientException", "The security token included in the request is invalid.")


def _still_works(client: Any) -> bool:
    try:
        client.list_human_task_uis()
    except ClientError:
        return False
    return True


def test_secret_is_not_stored_in_clear(secured: ServiceThread, key: IssuedKey) -> None:
    import sqlalchemy as sa

    url = secured.config.database_url or f"sqlite:///{secured.config.store_path}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(sa.text("SELECT * FROM access_keys"))]
    finally:
        engine.dispose()
    assert [row[0] for row in rows] == [key.key_id]
    assert key.secret not in repr(rows)
    if secured.config.database_url is None:  # SQLite: not in any byte of the files either (WAL included)
        stored = b"".join(p.read_bytes() for p in Path(secured.config.data_dir).glob("a2i.sqlite3*"))
        assert key.key_id.encode() in stored
        assert key.secret.encode() not in stored
    assert oct((Path(secured.config.data_dir) / "secret.key").stat().st_mode & 0o777) == "0o600"


def test_missing_key_file_stops_the_start(tmp_path: Path) -> None:
    config = ServiceConfig(data_dir=tmp_path / "data", require_auth=True)
    with open_keys(config) as keys:
        keys.create("carol")
    (tmp_path / "data" / "secret.key").unlink()
    service = ServiceThread(config)
    try:
        with pytest.raises(ConfigError, match=r"^the secret key file .*secret\.key is missing"):
            service.start()
    finally:
        service.stop()


def test_key_sealed_with_another_key_file_is_a_server_fault(secured: ServiceThread, tmp_path: Path) -> None:
    # The admin issued a key with a key file the service does not use: the service cannot check it.
    with open_keys(replace(secured.config, secret_key_file=tmp_path / "other.key")) as keys:
        issued = keys.create("erin")
    client = signed_client(secured, "sagemaker", issued.key_id, issued.secret)
    assert refusal(client.list_human_task_uis) == (
        500, "InternalServerException",
        "The service cannot read its access-key secrets; its operator should read the service log.")


def test_loopback_without_require_auth_is_unchanged(service: Any) -> None:
    answer = httpx.post(service.url + "/", content=b"{}", headers={
        "X-Amz-Target": "SageMaker.ListHumanTaskUis", "Content-Type": "application/x-amz-json-1.1"})
    assert answer.status_code == 200
    assert answer.json() == {"HumanTaskUiSummaries": []}
    client = signed_client(service, "sagemaker", "testing", "testing")
    assert client.list_human_task_uis()["HumanTaskUiSummaries"] == []
