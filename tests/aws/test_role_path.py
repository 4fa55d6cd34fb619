"""Role discovery keeps the role's path: an assumed-role caller ARN drops it, IAM GetRole restores it.

On moto's server (the AWS-shaped stack): a SageMaker-style execution role under ``/service-role/``,
assumed the way Studio and notebook instances do; moto's caller ARN, like AWS's, has no path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

import a2i_kit
from a2i_kit.aws import roles
from a2i_kit.aws.setup import Found

NAME = "AmazonSageMaker-ExecutionRole-20261202T103000"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
# What the role may do once moto enforces IAM: know who it is, nothing in IAM.
ONLY_STS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity",
                                                     "Resource": "*"}]}


def assume_role_with_path(aws_stack: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """Create ``/service-role/NAME``, switch this process's credentials to it; ``(role ARN, caller ARN)``."""
    iam = aws_stack.client("iam")
    role = iam.create_role(RoleName=NAME, Path="/service-role/", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    iam.put_role_policy(RoleName=NAME, PolicyName="sts-only", PolicyDocument=json.dumps(ONLY_STS))
    creds = aws_stack.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="studio")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    monkeypatch.setattr(roles, "SDK_MODULES", ())
    return role["Arn"], f"arn:aws:sts::123456789012:assumed-role/{NAME}/studio"


@contextmanager
def iam_enforced(aws_stack: Any) -> Iterator[None]:
    """moto checks every request in the block against IAM policies (its /moto-api/reset-auth)."""
    url = f"{aws_stack.moto.url}/moto-api/reset-auth"
    httpx.post(url, content=b"0", timeout=30).raise_for_status()
    try:
        yield
    finally:
        httpx.post(url, content=b"inf", timeout=30).raise_for_status()


def test_the_discovered_role_keeps_its_service_role_path(aws_stack, monkeypatch) -> None:
    role_arn, caller = assume_role_with_path(aws_stack, monkeypatch)
    assert role_arn == f"arn:aws:iam::123456789012:role/service-role/{NAME}"
    session = a2i_kit.connect("aws")
    assert session.setup.caller.value == caller  # no path in what STS says
    assert session.setup.role == Found(role_arn, f"caller identity ({caller})")
    assert roles.role_from_caller(caller) == f"arn:aws:iam::123456789012:role/{NAME}"  # what it used to be


def test_without_iam_get_role_the_built_arn_is_used_and_said(aws_stack, monkeypatch) -> None:
    role_arn, caller = assume_role_with_path(aws_stack, monkeypatch)
    session = a2i_kit.connect("aws")
    with iam_enforced(aws_stack):
        with pytest.raises(ClientError, match="is not authorized to perform: iam:GetRole"):
            session.client("iam").get_role(RoleName=NAME)  # the role may not read itself
        found = session.setup.role
    assert found.value == f"arn:aws:iam::123456789012:role/{NAME}" != role_arn
    assert found.source.startswith(f"caller identity ({caller}); built from the role name without IAM: "
                                   f"GetRole '{NAME}' failed (AccessDenied: ")
    assert found.source.endswith("so a path such as service-role/ would be missing; if CreateFlowDefinition "
                                 "rejects the role, pass connect('aws', role=<its ARN from the IAM console>)")

