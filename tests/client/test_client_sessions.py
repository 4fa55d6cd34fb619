"""as_session: a Session first everywhere, older forms (clients, URL + token, ServiceThread) still work."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

import a2i_kit
from a2i_kit.client import A2IClient, as_session, require, service_endpoint
from a2i_kit.errors import InputError
from a2i_kit.monitor import list_loops, status_summary
from a2i_kit.review import AdminClient, add_worker
from a2i_kit.session import Session

KEYS = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}


def _local(service, sagemaker_client, runtime_client) -> Session:
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url, data_dir=service.config.data_dir)


def test_older_forms_become_sessions() -> None:
    runtime = boto3.client("sagemaker-a2i-runtime", region_name="eu-west-1", **KEYS)
    from_runtime = as_session(runtime)
    assert (from_runtime.backend, from_runtime.region, from_runtime.runtime, from_runtime.sagemaker) == \
        ("aws", "eu-west-1", runtime, None)
    local = boto3.client("sagemaker", region_name="us-east-1", endpoint_url="http://127.0.0.1:9", **KEYS)
    from_sagemaker = as_session(local)
    assert (from_sagemaker.backend, from_sagemaker.sagemaker, from_sagemaker.runtime) == ("local", local, None)
    by_url = as_session("http://127.0.0.1:9/", "tok")
    assert (by_url.endpoint_url, by_url.admin_token) == ("http://127.0.0.1:9", "tok")
    assert as_session(("http://127.0.0.1:9", "tok")).admin_token == "tok"
    assert as_session(by_url) is by_url
    assert service_endpoint(by_url) == ("http://127.0.0.1:9", "tok")


def test_what_is_not_a_session_is_refused_with_the_fix() -> None:
    with pytest.raises(InputError, match=r"^'/tmp/x' is not a session: pass a Session from a2i_kit\.connect\(\)"):
        as_session(Path("/tmp/x"))
    with pytest.raises(InputError, match=r"^object is not a session: pass a Session from a2i_kit\.connect\(\)$"):
        as_session(object())
    s3 = boto3.client("s3", region_name="us-east-1", **KEYS)
    with pytest.raises(InputError, match=r"^a boto3 's3' client is not a session: pass a Session"):
        as_session(s3)
    aws = Session(backend="aws", region="us-east-1", sagemaker=None, runtime=None)
    with pytest.raises(InputError, match=r"^status_summary needs the session's runtime client: pass a Session"):
        require(aws, "status_summary", "runtime")
    with pytest.raises(InputError, match=r"^AdminClient needs the a2i-kit service and its admin token: use "
                       r"a2i_kit\.connect\(\) \(local\)"):
        AdminClient.of(aws)
    with pytest.raises(InputError, match=r"^status_summary needs the session's runtime client"):
        status_summary(as_session("http://127.0.0.1:9", "t"), "arn:aws:sagemaker:us-east-1:1:flow-definition/f")


def test_a_session_and_its_older_forms_give_the_same_answers(service, sagemaker_client, runtime_client,
                                                            make_flow) -> None:
    arn = make_flow("sessions-flow")["flow_definition_arn"]
    names = [f"sessions-{i}" for i in range(3)]
    for name in names:
        runtime_client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=arn,
                                        HumanLoopInput={"InputContent": json.dumps({"text": name})})
    session = _local(service, sagemaker_client, runtime_client)
    assert session.admin_token == service.admin_token
    assert isinstance(session.a2i, A2IClient)
    assert session.a2i is session.a2i
    assert session.outputs_in_mirror
    assert session.mirror_dir == Path(service.config.data_dir) / "s3"
    assert status_summary(session, arn).to_dict() == status_summary(runtime_client, arn).to_dict()
    assert status_summary(session, arn)["InProgress"] == 3
    assert list_loops(session, arn)["loop_name"].tolist() == list_loops(runtime_client, arn)["loop_name"].tolist()
    assert [s["HumanLoopName"] for s in session.a2i.human_loops(arn)] == names
    alice = add_worker(session, "alice", ["reviewers"])
    bob = add_worker(service.url, service.admin_token, "bob", ["reviewers"], "Oidc")
    with AdminClient.of(session) as admin:
        listed = {w["name"]: w for w in admin.workers()}
    assert listed["alice"]["workerId"] == alice["workerId"]
    assert listed["bob"]["workerId"] == bob["workerId"]


def test_lazy_exports() -> None:
    assert a2i_kit.LoopStatus("Stopped").is_terminal
    assert issubclass(a2i_kit.WaiterError, a2i_kit.A2IKitError)
