"""Setup discovery on the AWS-shaped stack: lazy, cached, never raising, each value with its source."""

from __future__ import annotations

import json

import a2i_kit
from a2i_kit.aws import roles
from a2i_kit.aws.setup import Found


def test_connect_makes_no_call_and_missing_pieces_are_reported(monkeypatch) -> None:
    for name in ("STS", "S3", "SAGEMAKER", "IAM"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{name}", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setattr(roles, "SDK_MODULES", ())
    session = a2i_kit.connect("aws", boto_config=a2i_kit.session.Config(retries={"max_attempts": 1},
                                                                          connect_timeout=1))
    setup = session.setup
    assert setup.region == Found("eu-west-1", "environment variable AWS_DEFAULT_REGION")
    assert setup.account.value is None
    assert setup.account.source.startswith("STS GetCallerIdentity failed (EndpointConnectionError: ")
    assert setup.account.source.endswith("; fix the AWS credentials")
    assert setup.bucket.value is None
    assert setup.workteams.value is None
    assert setup.workteams.source.startswith("ListWorkteams failed (EndpointConnectionError")
    assert setup.role.value is None
    assert setup.role.source.endswith("pass connect('aws', role='arn:aws:iam::<account>:role/<name>')")
    assert "(not found)" in repr(setup)


def test_values_and_sources_on_the_stack(aws_stack, monkeypatch) -> None:
    monkeypatch.setattr(roles, "SDK_MODULES", ())
    aws_stack.client("sagemaker").create_workteam(WorkteamName="reviewers", Description="d", MemberDefinitions=[
        {"OidcMemberDefinition": {"Groups": ["g"]}}])
    session = a2i_kit.connect("aws", region="us-east-1")
    setup = session.setup
    assert setup.region == Found("us-east-1", "connect(region=...)")
    assert setup.account == Found("123456789012", "STS GetCallerIdentity")
    assert setup.workteams == Found(["reviewers"], "ListWorkteams (1 in us-east-1)")
    assert setup.bucket == Found("sagemaker-us-east-1-123456789012",
                                 "SageMaker default bucket name; not created yet: session.setup.ensure_bucket()")
    assert setup.role.value is None
    assert "caller arn:aws:sts::123456789012:user/moto is not a role" in setup.role.source
    assert session.setup is setup  # cached
    assert setup.ensure_bucket() == "sagemaker-us-east-1-123456789012"
    assert setup.ensure_bucket() == "sagemaker-us-east-1-123456789012"  # idempotent
    assert setup.bucket.source == "SageMaker default bucket (exists)"
    assert aws_stack.client("s3").list_buckets()["Buckets"][0]["Name"] == "sagemaker-us-east-1-123456789012"
    page = setup._repr_html_()
    assert "<th>role</th>" in page
    assert "sagemaker-us-east-1-123456789012" in page


def test_role_given_to_connect_wins(aws_stack) -> None:  # noqa: ARG001 (the stack answers nothing here)
    session = a2i_kit.connect("aws", role="arn:aws:iam::123456789012:role/A2I")
    assert session.setup.role == Found("arn:aws:iam::123456789012:role/A2I", "connect(role=...)")


def test_studio_metadata_and_domain_default_role(aws_stack, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(roles, "SDK_MODULES", ())
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", aws_stack.moto.url)  # moto has Studio domains
    role = "arn:aws:iam::123456789012:role/StudioExecution"
    sagemaker = a2i_kit.connect("aws").client("sagemaker")
    created = sagemaker.create_domain(DomainName="studio", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": role},
                                      SubnetIds=["subnet-1"], VpcId="vpc-1")
    domain = created["DomainArn"].rsplit("/", 1)[-1]
    metadata = tmp_path / "resource-metadata.json"
    metadata.write_text(json.dumps({"DomainId": domain, "ResourceName": "default"}))
    monkeypatch.setattr(roles, "STUDIO_METADATA", metadata)
    found = a2i_kit.connect("aws").setup.role
    assert found == Found(role, f"Studio domain {domain} default execution role (DescribeDomain)")
    metadata.write_text(json.dumps({"DomainId": domain, "ExecutionRoleArn": "arn:aws:iam::123456789012:role/Space"}))
    assert a2i_kit.connect("aws").setup.role == Found("arn:aws:iam::123456789012:role/Space",
                                                       f"Studio resource metadata ({metadata})")


def test_assumed_role_caller_is_the_execution_role(aws_stack, monkeypatch) -> None:
    iam, sts = aws_stack.client("iam"), aws_stack.client("sts")
    arn = iam.create_role(RoleName="A2IExecution", AssumeRolePolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="notebook")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    # The SageMaker SDK (when installed) is asked first, but it pins STS to the public endpoint, which
    # the stack does not serve: its failure is noted and discovery falls back to the caller identity.
    assert a2i_kit.connect("aws").setup.role == Found(
        arn, "caller identity (arn:aws:sts::123456789012:assumed-role/A2IExecution/notebook)")
