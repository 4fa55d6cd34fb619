"""Generators and the local IAM evaluator: tables of cases, and apply helpers that only add."""

from __future__ import annotations

import json

import pytest

import a2i_kit
from a2i_kit.aws import (
    PolicyConflict,
    apply_bucket_cors,
    apply_role_policy,
    apply_trust_policy,
    cli_command,
)
from a2i_kit.aws.policies import cors_rule, role_policy, trust_policy, trusts_sagemaker
from a2i_kit.aws.policy_eval import evaluate

OBJ = "arn:aws:s3:::acme/out/x/output.json"
EVAL_CASES = [
    # (statements, action, resource, decision)
    ([{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme/out/*"}], "s3:PutObject", OBJ, "allowed"),
    ([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], "s3:PutObject", OBJ, "allowed"),
    ([{"Effect": "Allow", "Action": "S3:putobject", "Resource": "arn:aws:s3:::acme/*"}], "s3:PutObject", OBJ, "allowed"),
    ([{"Effect": "Allow", "Action": "s3:Put?bject", "Resource": "arn:aws:s3:::acme/out/*"}], "s3:PutObject", OBJ, "allowed"),
    ([{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::ACME/*"}], "s3:PutObject", OBJ, "implicitDeny"),
    ([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}], "s3:PutObject", OBJ, "implicitDeny"),
    ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], "s3:PutObject", OBJ, "allowed"),
    ([{"Effect": "Allow", "NotAction": ["s3:Put*"], "Resource": "*"}], "s3:PutObject", OBJ, "implicitDeny"),
    ([{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::acme/out/*"}], "s3:PutObject", OBJ, "implicitDeny"),
    ([{"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme/*"}], "s3:PutObject", OBJ, "explicitDeny"),
    ([], "s3:PutObject", OBJ, "implicitDeny"),
]


@pytest.mark.parametrize(("statements", "action", "resource", "decision"), EVAL_CASES)
def test_local_evaluation(statements: list, action: str, resource: str, decision: str) -> None:
    assert evaluate([{"Statement": statements}], action, resource).decision == decision


def test_a_condition_is_flagged_not_evaluated() -> None:
    policy = {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                            "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}}
    found = evaluate([json.dumps(policy)], "s3:GetObject", OBJ)
    assert (found.decision, found.conditional) == ("allowed", True)


def test_generated_documents_and_commands() -> None:
    assert role_policy("acme", "/out/") == {"Version": "2012-10-17", "Statement": [
        {"Sid": "A2IReadTaskInputs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*"},
        {"Sid": "A2IWriteOutputs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme/out/*"}]}
    assert trusts_sagemaker(trust_policy())
    assert cors_rule(["https://x.labeling.us-east-1.sagemaker.aws"])["AllowedOrigins"] == [
        "https://x.labeling.us-east-1.sagemaker.aws"]
    assert cli_command("trust-policy", trust_policy(), role_name="A2I") == (
        "aws iam update-assume-role-policy --role-name A2I --policy-document "
        "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
        "\"sagemaker.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'")
    with pytest.raises(ValueError, match="unknown kind 'kms': use role-policy, trust-policy or cors"):
        cli_command("kms", {})


def _role(aws_stack, name: str = "a2i") -> None:
    aws_stack.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust_policy()))


def test_apply_role_policy_creates_then_changes_nothing(aws_stack) -> None:
    _role(aws_stack)
    iam = a2i_kit.connect("aws").client("iam")
    first = apply_role_policy(iam, "a2i", role_policy("acme", "out"))
    assert first == role_policy("acme", "out")
    assert apply_role_policy(iam, "a2i", role_policy("acme", "out")) == first
    stored = aws_stack.client("iam").get_role_policy(RoleName="a2i", PolicyName="a2i-kit-flow-definition-s3")
    assert stored["PolicyDocument"] == first


def test_apply_role_policy_adds_only_the_missing_statement(aws_stack) -> None:
    _role(aws_stack)
    read = {"Sid": "Mine", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*"}
    aws_stack.client("iam").put_role_policy(RoleName="a2i", PolicyName="a2i-kit-flow-definition-s3",
                                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [read]}))
    merged = apply_role_policy(a2i_kit.connect("aws").client("iam"), "a2i", role_policy("acme", "out"))
    assert merged["Statement"] == [read, role_policy("acme", "out")["Statement"][1]]


def test_apply_role_policy_refuses_to_replace_a_statement(aws_stack) -> None:
    _role(aws_stack)
    mine = {"Sid": "A2IWriteOutputs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme/x/*"}
    aws_stack.client("iam").put_role_policy(RoleName="a2i", PolicyName="a2i-kit-flow-definition-s3",
                                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [mine]}))
    with pytest.raises(PolicyConflict) as caught:
        apply_role_policy(a2i_kit.connect("aws").client("iam"), "a2i", role_policy("acme", "out"))
    message = str(caught.value)
    assert message.startswith("inline policy 'a2i-kit-flow-definition-s3' of role 'a2i': statement Sid "
                              "'A2IWriteOutputs' exists with other content; replacing it could remove access")
    assert '-      "Resource": "arn:aws:s3:::acme/x/*",' in message
    assert '+      "Resource": "arn:aws:s3:::acme/out/*",' in message


def test_apply_role_policy_refuses_when_a_deny_still_blocks(aws_stack) -> None:
    _role(aws_stack)
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    aws_stack.client("iam").put_role_policy(RoleName="a2i", PolicyName="a2i-kit-flow-definition-s3",
                                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    with pytest.raises(PolicyConflict, match="a Deny statement still blocks what A2I needs"):
        apply_role_policy(a2i_kit.connect("aws").client("iam"), "a2i", role_policy("acme", "out"))


def test_apply_trust_policy_refuses_when_sagemaker_is_denied(aws_stack) -> None:
    iam = aws_stack.client("iam")
    iam.create_role(RoleName="a2i", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:*"}]}))
    with pytest.raises(PolicyConflict, match=r"a Deny statement refuses sts:AssumeRole to sagemaker\.amazonaws\.com"):
        apply_trust_policy(a2i_kit.connect("aws").client("iam"), "a2i")
    assert "Deny" in json.dumps(iam.get_role(RoleName="a2i")["Role"]["AssumeRolePolicyDocument"])


def test_apply_bucket_cors_is_idempotent_and_refuses_to_rewrite_its_rule(aws_stack) -> None:
    s3 = aws_stack.client("s3")
    s3.create_bucket(Bucket="acme-a2i")
    session_s3 = a2i_kit.connect("aws").client("s3")
    first = apply_bucket_cors(session_s3, "acme-a2i")
    assert apply_bucket_cors(session_s3, "acme-a2i") == first
    assert len(s3.get_bucket_cors(Bucket="acme-a2i")["CORSRules"]) == 1
    s3.put_bucket_cors(Bucket="acme-a2i", CORSConfiguration={"CORSRules": [
        {"ID": "a2i-kit-worker-portal", "AllowedOrigins": ["https://example.com"], "AllowedMethods": ["PUT"]}]})
    with pytest.raises(PolicyConflict, match="CORS of bucket 'acme-a2i': rule ID 'a2i-kit-worker-portal' exists "
                                             "with other content; review and apply this change yourself"):
        apply_bucket_cors(session_s3, "acme-a2i")
