"""The doctor on the AWS-shaped stack: a correct setup passes; each broken piece fails with its fix,
and applying that fix (generators' apply helpers or the printed aws command) turns it to pass."""

from __future__ import annotations

import json

import pytest

import a2i_kit
from a2i_kit.aws import apply_bucket_cors, apply_role_policy, apply_trust_policy, role_policy

CHECK_NAMES = ["credentials", "region", "role-trust", "role-permissions", "bucket", "bucket-cors",
               "workteam", "flow-definitions", "task-ui"]


def _doctor(setup: dict, **overrides: object) -> a2i_kit.aws.DoctorReport:
    options = {"flow_definition": setup["flow"], "sample_input": setup["sample"], **overrides}
    return a2i_kit.connect("aws").doctor(**options)


def _only_failure(report: a2i_kit.aws.DoctorReport, check: str) -> None:
    statuses = {r.check: r.status for r in report}
    assert statuses[check] == "fail", report.table()
    assert [r.check for r in report.failed] == [check], report.table()


def test_correct_setup_passes_every_check(aws_stack) -> None:
    setup = aws_stack.good_setup()
    report = _doctor(setup)
    assert [r.check for r in report] == CHECK_NAMES
    assert {r.status for r in report} == {"pass"}, report.table()
    assert report.ok
    assert report["credentials"].detail == "calling as arn:aws:sts::123456789012:user/moto (account 123456789012)"
    assert report["workteam"].detail == "workteam claims-team has 1 member(s)"
    assert "SimulatePrincipalPolicy unavailable" in report["role-permissions"].detail  # moto lacks it


def test_role_without_sagemaker_trust_fails_and_the_cli_fix_repairs_it(aws_stack) -> None:
    setup = aws_stack.good_setup()
    aws_stack.client("iam").update_assume_role_policy(RoleName=setup["role_name"], PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                  "Action": "sts:AssumeRole"}]}))
    report = _doctor(setup)
    _only_failure(report, "role-trust")
    result = report["role-trust"]
    assert result.detail == (f"the trust policy of {setup['role']} does not let sagemaker.amazonaws.com "
                             "assume it (sts:AssumeRole)")
    assert result.fix.startswith("aws iam update-assume-role-policy --role-name claims-a2i --policy-document ")
    ran = aws_stack.aws(result.fix)
    assert ran.returncode == 0, ran.stderr
    assert _doctor(setup)["role-trust"].status == "pass"


def test_trust_fix_through_apply_helper_keeps_the_existing_statement(aws_stack) -> None:
    setup = aws_stack.good_setup()
    iam = aws_stack.client("iam")
    ec2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    iam.update_assume_role_policy(RoleName=setup["role_name"],
                                  PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [ec2]}))
    assert _doctor(setup)["role-trust"].status == "fail"
    merged = apply_trust_policy(a2i_kit.connect("aws").client("iam"), setup["role_name"])
    assert merged["Statement"][0] == ec2
    assert len(merged["Statement"]) == 2
    assert _doctor(setup)["role-trust"].status == "pass"


def test_no_write_on_the_output_prefix_fails_and_apply_role_policy_repairs_it(aws_stack) -> None:
    setup = aws_stack.good_setup()
    iam = aws_stack.client("iam")
    iam.put_role_policy(RoleName=setup["role_name"], PolicyName="s3", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                 "Resource": "arn:aws:s3:::a2i-kit-data/*"}]}))
    report = _doctor(setup)
    _only_failure(report, "role-permissions")
    result = report["role-permissions"]
    assert result.detail.startswith("claims-a2i lacks: s3:PutObject on "
                                    "arn:aws:s3:::a2i-kit-data/a2i/out/a2i-kit-probe (implicitDeny)")
    assert result.fix.startswith("aws iam put-role-policy --role-name claims-a2i --policy-name "
                                 "a2i-kit-flow-definition-s3 --policy-document ")
    session = a2i_kit.connect("aws")
    apply_role_policy(session.client("iam"), setup["role_name"], role_policy("a2i-kit-data", "a2i/out"))
    assert _doctor(setup)["role-permissions"].status == "pass"


def test_explicit_deny_on_the_output_prefix_is_a_failure(aws_stack) -> None:
    setup = aws_stack.good_setup()
    aws_stack.client("iam").put_role_policy(RoleName=setup["role_name"], PolicyName="deny", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "s3:Get*",
                                                 "Resource": "arn:aws:s3:::a2i-kit-data/a2i/*"}]}))
    result = _doctor(setup)["role-permissions"]
    assert result.status == "fail"
    assert "s3:PutObject on arn:aws:s3:::a2i-kit-data/a2i/out/a2i-kit-probe (explicitDeny)" in result.detail


def test_bucket_in_another_region_fails_and_the_printed_bucket_fix_repairs_it(aws_stack) -> None:
    setup = aws_stack.good_setup()
    aws_stack.client("s3").create_bucket(Bucket="a2i-kit-ireland",
                                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    sample = {"image": "s3://a2i-kit-data/in/cat.png"}
    report = _doctor(setup, bucket="a2i-kit-ireland", prefix="out", sample_input=sample)
    result = report["bucket"]
    assert result.status == "fail"
    assert result.detail == ("bucket a2i-kit-ireland is in eu-west-1, the session in us-east-1: A2I needs the "
                             "bucket in the flow definition's region")
    assert result.fix == ("aws s3api create-bucket --bucket sagemaker-us-east-1-123456789012 --region us-east-1"
                          "   # then use s3://sagemaker-us-east-1-123456789012/ as the output path")
    ran = aws_stack.aws(result.fix)
    assert ran.returncode == 0, ran.stderr
    after = _doctor(setup, bucket="sagemaker-us-east-1-123456789012", prefix="out", sample_input=sample)
    assert after["bucket"].status == "pass"


def test_missing_bucket_fails_with_create_command(aws_stack) -> None:
    setup = aws_stack.good_setup()
    result = _doctor(setup, bucket="no-such-a2i-bucket", prefix="out")["bucket"]
    assert (result.status, result.detail) == ("fail", "bucket no-such-a2i-bucket does not exist")
    assert result.fix == "aws s3api create-bucket --bucket no-such-a2i-bucket --region us-east-1"


def test_no_cors_rule_fails_and_the_printed_cors_fix_repairs_it(aws_stack) -> None:
    setup = aws_stack.good_setup()
    aws_stack.client("s3").delete_bucket_cors(Bucket="a2i-kit-data")
    report = _doctor(setup)
    _only_failure(report, "bucket-cors")
    result = report["bucket-cors"]
    assert result.detail == "a2i-kit-data: no CORS rule (the worker portal cannot load grant_read_access images)"
    assert result.fix.startswith("aws s3api put-bucket-cors --bucket a2i-kit-data --cors-configuration ")
    ran = aws_stack.aws(result.fix)
    assert ran.returncode == 0, ran.stderr
    assert _doctor(setup)["bucket-cors"].status == "pass"


def test_cors_rule_for_another_origin_fails_and_apply_bucket_cors_adds_a_rule(aws_stack) -> None:
    setup = aws_stack.good_setup()
    s3 = aws_stack.client("s3")
    other = {"AllowedOrigins": ["https://example.com"], "AllowedMethods": ["GET"]}
    s3.put_bucket_cors(Bucket="a2i-kit-data", CORSConfiguration={"CORSRules": [other]})
    result = _doctor(setup)["bucket-cors"]
    assert result.status == "fail"
    assert result.detail.startswith("a2i-kit-data: no CORS rule allows GET from https://")
    rules = apply_bucket_cors(a2i_kit.connect("aws").client("s3"), "a2i-kit-data")
    assert rules[0] == other
    assert rules[1]["AllowedOrigins"] == ["*"]
    assert _doctor(setup)["bucket-cors"].status == "pass"


def test_workteam_without_members_fails_and_adding_a_worker_repairs_it(aws_stack) -> None:
    setup = aws_stack.good_setup(members=0)
    report = _doctor(setup)
    _only_failure(report, "workteam")
    result = report["workteam"]
    assert result.detail == "workteam claims-team has no members: its Cognito groups are empty"
    commands = result.fix.replace("<worker email>", "ana@example.com").splitlines()
    assert commands[0].startswith(f"aws cognito-idp admin-create-user --user-pool-id {setup['pool']} ")
    for command in commands:
        ran = aws_stack.aws(command)
        assert ran.returncode == 0, ran.stderr
    assert _doctor(setup)["workteam"].status == "pass"


def test_missing_workteam_fails(aws_stack) -> None:
    setup = aws_stack.good_setup()
    result = _doctor(setup, workteam="nobody")["workteam"]
    assert result.status == "fail"
    assert result.detail == "workteam nobody not found in us-east-1 (ValidationException)"
    assert "aws sagemaker create-workteam --workteam-name a2i-reviewers" in result.fix


def test_missing_flow_definition_fails_and_the_printed_create_command_repairs_it(aws_stack) -> None:
    setup = aws_stack.good_setup()
    report = _doctor(setup, flow_definition="fraud", bucket="a2i-kit-data", prefix="a2i/out",
                     workteam=setup["team"], role=setup["role"])
    result = report["flow-definitions"]
    assert result.status == "fail"
    assert result.detail.startswith("flow definition fraud: ResourceNotFound")
    assert result.fix.startswith(f"aws sagemaker create-flow-definition --flow-definition-name fraud "
                                 f"--role-arn {setup['role']} ")
    assert setup["team_arn"] in result.fix
    ran = aws_stack.aws(result.fix.replace("<HumanTaskUiArn>", setup["ui_arn"]))
    assert ran.returncode == 0, ran.stderr
    after = _doctor(setup, flow_definition="fraud")
    assert after["flow-definitions"].status == "pass"
    assert after.ok, after.table()


def test_template_that_fails_to_render_fails_and_a_valid_input_passes(aws_stack) -> None:
    setup = aws_stack.good_setup()
    report = _doctor(setup, sample_input={"image": "", "text": "no image"})
    _only_failure(report, "task-ui")
    result = report["task-ui"]
    assert result.detail.startswith("task UI claims-ui fails to render the sample input: ")
    assert "a2i-kit template lint" in result.fix
    assert _doctor(setup)["task-ui"].status == "pass"


def test_html_view_escapes_everything(aws_stack) -> None:
    setup = aws_stack.good_setup()
    report = _doctor(setup, workteam="<script>alert(1)</script>")
    page = report._repr_html_()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<tr>") == len(CHECK_NAMES) + 1


def test_missing_role_fails_and_the_printed_create_role_repairs_trust(aws_stack) -> None:
    setup = aws_stack.good_setup()
    ghost = "arn:aws:iam::123456789012:role/ghost"
    report = _doctor(setup, role=ghost)
    result = report["role-trust"]
    assert (result.status, result.detail) == ("fail", f"role {ghost} (given) cannot be read: NoSuchEntity")
    assert result.fix.startswith("aws iam create-role --role-name ghost --assume-role-policy-document ")
    assert report["role-permissions"].status == "fail"
    assert report["role-permissions"].detail == f"not checked: role {ghost} (given) cannot be read: NoSuchEntity"
    ran = aws_stack.aws(result.fix)
    assert ran.returncode == 0, ran.stderr
    again = _doctor(setup, role=ghost)
    assert again["role-trust"].status == "pass"
    assert again["role-permissions"].status == "fail"  # a new role has no S3 access yet


def test_doctor_refuses_the_local_backend(tmp_path) -> None:
    session = a2i_kit.connect(data_dir=tmp_path / "local")
    try:
        with pytest.raises(a2i_kit.ConfigError, match=r"the doctor checks an AWS setup \(IAM, S3, workteams\): "
                                                      r"use a2i_kit.connect\('aws'\)"):
            session.doctor()
        with pytest.raises(a2i_kit.ConfigError, match=r"session.client\('iam'\) needs the AWS backend"):
            session.client("iam")
    finally:
        session.service.stop()
