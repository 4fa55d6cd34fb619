"""output_mode="s3": output.json in a real S3 API (moto's server), checked buckets, retries, reads back.

The service fixture is overridden here: every test of this module talks to a service whose outputs
go to a moto S3 server on loopback (reset before each test), with real boto3 clients.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

BUCKET = "a2i-kit-tests"  # the bucket conftest's make_flow writes to


@pytest.fixture(scope="module")
def moto_endpoint(moto_s3: dict[str, Any]) -> str:
    return moto_s3["endpoint"]


@pytest.fixture
def s3(moto_endpoint: str) -> Any:
    """A client of the moto server, emptied, with the make_flow bucket created."""
    httpx.post(f"{moto_endpoint}/moto-api/reset").raise_for_status()
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def service(tmp_path: Path, s3: Any, moto_endpoint: str,  # noqa: ARG001 - s3 resets moto first
            database_url: str | None) -> Iterator[Any]:
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    thread = ServiceThread(ServiceConfig(data_dir=tmp_path / "a2i-data", output_mode="s3", database_url=database_url,
                                         s3_endpoint_url=moto_endpoint, sweep_interval_seconds=0.2))
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


def client_for(service: Any, name: str) -> Any:
    return boto3.client(name, endpoint_url=service.url, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def start_and_answer(service: Any, make_flow: Any, runtime_client: Any, name: str = "s3-flow") -> dict[str, Any]:
    from a2i_kit.review import simulate_reviewers

    flow = make_flow(name)
    loop = f"{name}-loop"
    runtime_client.start_human_loop(HumanLoopName=loop, FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": json.dumps({"text": "fine product"})})
    simulate_reviewers(service.url, service.admin_token, workers=1, seed=1,
                       answer={"sentiment": {"label": "positive"}})
    described = runtime_client.describe_human_loop(HumanLoopName=loop)
    return {**flow, "loop": loop, "described": described}


def object_json(s3: Any, uri: str) -> dict[str, Any]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_output_json_lands_in_the_bucket_in_a2i_layout(service, make_flow, runtime_client, s3):
    done = start_and_answer(service, make_flow, runtime_client)
    assert done["described"]["HumanLoopStatus"] == "Completed"
    uri = done["described"]["HumanLoopOutput"]["OutputS3Uri"]
    assert uri.startswith(f"s3://{BUCKET}/output/s3-flow/")
    assert uri.endswith("/s3-flow-loop/output.json")
    output = object_json(s3, uri)
    assert output["humanLoopName"] == "s3-flow-loop"
    assert output["flowDefinitionArn"] == done["flow_definition_arn"]
    assert output["inputContent"] == {"text": "fine product"}
    assert [a["answerContent"] for a in output["humanAnswers"]] == [{"sentiment": {"label": "positive"}}]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [uri[len(f"s3://{BUCKET}/"):]]  # written once
    assert not (service.config.mirror_dir / BUCKET).exists()  # nothing in the local mirror


def test_missing_bucket_is_refused_at_create_flow_definition(make_flow, sagemaker_client, moto_endpoint):
    flow = make_flow("has-a-bucket")
    described = sagemaker_client.describe_flow_definition(FlowDefinitionName=flow["name"])
    with pytest.raises(ClientError) as info:
        sagemaker_client.create_flow_definition(
            FlowDefinitionName="no-bucket", RoleArn=described["RoleArn"],
            HumanLoopConfig=described["HumanLoopConfig"], OutputConfig={"S3OutputPath": "s3://no-such-bucket/out"})
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value 's3://no-such-bucket/out' at 'outputConfig.s3OutputPath' failed to "
        f"satisfy constraint: the output bucket 'no-such-bucket' does not exist at {moto_endpoint} (HeadBucket); "
        "create it first (aws s3 mb s3://no-such-bucket) or use an existing bucket")
    assert [f["FlowDefinitionName"] for f in sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"]] \
        == ["has-a-bucket"]


def test_a_failed_write_is_retried_until_the_bucket_is_back(service, make_flow, runtime_client, s3):
    from a2i_kit.review import AdminClient

    s3.delete_bucket(Bucket=BUCKET)  # the bucket goes away after the flow definition was created...
    with pytest.raises(ClientError):
        make_flow("retry-flow")
    s3.create_bucket(Bucket=BUCKET)
    flow = make_flow("retry-flow-2")
    s3.delete_bucket(Bucket=BUCKET)
    runtime_client.start_human_loop(HumanLoopName="retry-loop", FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": json.dumps({"text": "x"})})
    from a2i_kit.review import simulate_reviewers

    simulate_reviewers(service.url, service.admin_token, workers=1, seed=1, answer={"sentiment": {"label": "negative"}})
    described = runtime_client.describe_human_loop(HumanLoopName="retry-loop")
    uri = described["HumanLoopOutput"]["OutputS3Uri"]
    with pytest.raises(ClientError, match="NoSuchBucket"):
        object_json(s3, uri)  # the write failed: the outbox keeps it and retries with backoff
    s3.create_bucket(Bucket=BUCKET)  # ...and comes back: a later attempt (after its backoff) writes it
    with AdminClient(service.url, service.admin_token) as admin:
        for _ in range(300):
            admin.advance_clock(2)
            if s3.list_objects_v2(Bucket=BUCKET).get("KeyCount"):
                break
            time.sleep(0.05)
    assert object_json(s3, uri)["humanAnswers"][0]["answerContent"] == {"sentiment": {"label": "negative"}}
    assert runtime_client.describe_human_loop(HumanLoopName="retry-loop")["HumanLoopStatus"] == "Completed"


def test_results_and_mirror_links_read_from_the_bucket(tmp_path, s3, moto_endpoint):
    import a2i_kit
    from a2i_kit.results import Results
    from a2i_kit.review import simulate_reviewers
    from a2i_kit.session import stop_local_services

    session = a2i_kit.connect(data_dir=tmp_path / "nb", output_mode="s3", s3_endpoint_url=moto_endpoint)
    try:
        sm, rt = client_for(session.service, "sagemaker"), client_for(session.service, "sagemaker-a2i-runtime")
        team = sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Test1234", "UserGroup": "reviewers", "ClientId": "c"}}])["WorkteamArn"]
        ui = sm.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": (
            '<crowd-form><crowd-classifier name="sentiment" categories="[\'a\', \'b\']" header="h">'
            "<classification-target>{{ task.input.text }}</classification-target></crowd-classifier></crowd-form>")})
        flow = sm.create_flow_definition(
            FlowDefinitionName="nb-flow", RoleArn="arn:aws:iam::111122223333:role/r",
            HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                             "TaskDescription": "d", "TaskCount": 1},
            OutputConfig={"S3OutputPath": f"s3://{BUCKET}/nb"})["FlowDefinitionArn"]
        rt.start_human_loop(HumanLoopName="nb-loop", FlowDefinitionArn=flow,
                            HumanLoopInput={"InputContent": json.dumps({"text": "t", "item_id": "i-1"})})
        simulate_reviewers(session.endpoint_url, session.admin_token, workers=1, seed=3,
                           answer={"sentiment": {"label": "a"}})
        res = Results.from_session(session, "nb-flow", item_key="item_id", label_field="sentiment",
                                   cache_dir=tmp_path / "cache").sync()
        assert list(res.answers["task"]) == ["i-1"]
        uri = rt.describe_human_loop(HumanLoopName="nb-loop")["HumanLoopOutput"]["OutputS3Uri"]
        key = uri[len(f"s3://{BUCKET}/"):]
        headers = {"X-A2I-Admin-Token": session.admin_token}
        link = httpx.get(f"{session.endpoint_url}/_a2i/objects/{BUCKET}/{key}", headers=headers)
        assert link.status_code == 200
        assert link.json()["humanLoopName"] == "nb-loop"
        missing = httpx.get(f"{session.endpoint_url}/_a2i/objects/{BUCKET}/nope.json", headers=headers)
        assert missing.status_code == 404
        assert missing.json() == {"code": "NoSuchKey",
                                  "error": f"no object 's3://{BUCKET}/nope.json' at {moto_endpoint}"}
        put = httpx.put(f"{session.endpoint_url}/_a2i/objects/{BUCKET}/inputs/cat.png", content=b"png",
                        headers=headers)
        assert put.status_code == 200
        assert s3.get_object(Bucket=BUCKET, Key="inputs/cat.png")["Body"].read() == b"png"
    finally:
        stop_local_services()


def test_endpoint_from_aws_endpoint_url_s3(tmp_path, s3, moto_endpoint, monkeypatch):
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "env", output_mode="s3")) as thread:
        sm = client_for(thread, "sagemaker")
        assert thread.context.outputs.endpoint == moto_endpoint
        assert thread.context.outputs.output_path_errors(f"s3://{BUCKET}/x") == []
        problem = thread.context.outputs.output_path_errors("s3://absent-bucket/x")
        assert len(problem) == 1
        assert "the output bucket 'absent-bucket' does not exist at " + moto_endpoint in problem[0]
        assert s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert sm.list_flow_definitions()["FlowDefinitionSummaries"] == []
