"""Doctor checks about identity: ``credentials``, ``region``, ``role-trust``, ``role-permissions``.

``CHECKS`` lists every check in the order the doctor runs them (S3 and A2I checks live in
``doctor_checks_s3`` and ``doctor_checks_a2i``).

Example:
    >>> [name for name, _ in CHECKS][:4]
    ['credentials', 'region', 'role-trust', 'role-permissions']
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from botocore.config import Config

from a2i_kit.aws import doctor_checks_a2i as a2i
from a2i_kit.aws import doctor_checks_s3 as s3
from a2i_kit.aws.doctor import CheckResult, DoctorContext, error_code, input_uris
from a2i_kit.aws.policies import (
    cli_command,
    needed_s3_access,
    role_name_of,
    role_policy,
    trust_policy,
    trusts_sagemaker,
)
from a2i_kit.aws.policy_eval import evaluate, load_document
from a2i_kit.client.arns import resource_name
from a2i_kit.client.paging import iter_items

# Regions where Amazon A2I is offered (AWS General Reference, "Amazon Augmented AI endpoints").
# The guide says A2I is not offered in the China regions although SDK endpoint tables list them.
A2I_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "ca-central-1", "eu-central-1", "eu-west-1",
               "eu-west-2", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1",
               "ap-southeast-2")


def one_shot(ctx: DoctorContext, name: str) -> Any:
    """A client that does not retry: for probes whose failure only means "fall back"."""
    return ctx.session.extras["boto3_session"].client(
        name, region_name=ctx.session.region, config=Config(retries={"max_attempts": 1}))


def resolve_flow(ctx: DoctorContext) -> None:
    """Describe the flow definition named (or ARN'd) in ``ctx.flow_name``, noting a failure."""
    if not ctx.flow_name:
        return
    ctx.flow_name = resource_name(ctx.flow_name)
    try:
        ctx.flow = ctx.session.sagemaker.describe_flow_definition(FlowDefinitionName=ctx.flow_name)
    except Exception as exc:
        ctx.flow_error = f"{error_code(exc)}: {exc}"


def check_credentials(ctx: DoctorContext) -> CheckResult:
    identity = ctx.session.setup.identity
    if isinstance(identity, str):
        return CheckResult("credentials", "fail", f"no working AWS credentials ({identity})",
                           "aws configure   # or: aws sso login --profile <profile>; export AWS_PROFILE=<profile>")
    ctx.identity = identity
    return CheckResult("credentials", "pass", f"calling as {identity['Arn']} (account {identity['Account']})")


def check_region(ctx: DoctorContext) -> CheckResult:
    region = ctx.session.region
    if region in A2I_REGIONS:
        return CheckResult("region", "pass", f"{region}: Amazon A2I is offered there")
    fix = f"connect in an A2I region: a2i_kit.connect('aws', region='us-east-1')  # one of {', '.join(A2I_REGIONS)}"
    if region.startswith("cn-"):
        return CheckResult("region", "fail", f"{region}: Amazon A2I is not offered in the China regions", fix)
    return CheckResult("region", "warn", f"{region} is not in a2i-kit's list of A2I regions", fix)


def _role(ctx: DoctorContext) -> tuple[str | None, str]:
    if ctx.role is None:
        found = ctx.session.setup.role
        ctx.role, ctx.role_source = found.value, found.source
    return ctx.role, ctx.role_source


def _create_role_fix(name: str) -> str:
    return (f"aws iam create-role --role-name {shlex.quote(name)} --assume-role-policy-document "
            f"{shlex.quote(json.dumps(trust_policy(), separators=(',', ':')))}")


def _get_role(ctx: DoctorContext) -> dict[str, Any] | CheckResult:
    role, source = _role(ctx)
    if role is None:
        return CheckResult("role-trust", "fail", f"no execution role: {source}", _create_role_fix("A2IExecutionRole"))
    if "iam_role" not in ctx.notes:
        try:
            ctx.notes["iam_role"] = ctx.client("iam").get_role(RoleName=role_name_of(role))["Role"]
        except Exception as exc:
            ctx.notes["iam_role"] = CheckResult(
                "role-trust", "fail", f"role {role} ({source}) cannot be read: {error_code(exc)}",
                _create_role_fix(role_name_of(role)) if error_code(exc) == "NoSuchEntity" else
                "allow iam:GetRole on the role to the caller, or check the ARN")
    return ctx.notes["iam_role"]


def check_role_trust(ctx: DoctorContext) -> CheckResult:
    role = _get_role(ctx)
    if isinstance(role, CheckResult):
        return role
    if trusts_sagemaker(role["AssumeRolePolicyDocument"]):
        return CheckResult("role-trust", "pass", f"{role['Arn']} trusts sagemaker.amazonaws.com")
    return CheckResult("role-trust", "fail", f"the trust policy of {role['Arn']} does not let "
                       "sagemaker.amazonaws.com assume it (sts:AssumeRole)",
                       cli_command("trust-policy", trust_policy(), role_name=role["RoleName"]))


def probes(ctx: DoctorContext) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """(action, resource) pairs the role needs, and the policy that grants exactly them."""
    uris = input_uris(ctx.sample_input)
    in_bucket = uris[0][5:].split("/", 1)[0] if uris else (ctx.bucket or "")
    policy = role_policy(ctx.bucket or "", ctx.prefix, input_bucket=in_bucket)
    needed = needed_s3_access(policy)
    if uris:
        needed = [("s3:GetObject", "arn:aws:s3:::" + u[5:]) for u in uris] + needed[1:]
    return needed, policy


def _simulate(ctx: DoctorContext, role: str, needed: list[tuple[str, str]]) -> dict[tuple[str, str], str] | None:
    iam, decisions = one_shot(ctx, "iam"), {}
    try:
        for action, resource in needed:
            answer = iam.simulate_principal_policy(PolicySourceArn=role, ActionNames=[action], ResourceArns=[resource])
            decisions[(action, resource)] = answer["EvaluationResults"][0]["EvalDecision"]
    except Exception as exc:
        ctx.notes["simulate_error"] = error_code(exc)
        return None
    return decisions


def role_documents(iam: Any, role_name: str) -> list[dict[str, Any]]:
    """The role's inline policies and the default versions of its attached managed policies."""
    documents = []
    for name in iter_items(iam, "list_role_policies", "PolicyNames", token_key="Marker", RoleName=role_name):
        documents.append(load_document(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]))
    for attached in iter_items(iam, "list_attached_role_policies", "AttachedPolicies", token_key="Marker",
                               RoleName=role_name):
        version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
        documents.append(load_document(document["PolicyVersion"]["Document"]))
    return documents


def check_role_permissions(ctx: DoctorContext) -> CheckResult:
    role = _get_role(ctx)
    if isinstance(role, CheckResult):
        return CheckResult("role-permissions", "fail", "not checked: " + role.detail, role.fix)
    if not ctx.bucket:
        return CheckResult("role-permissions", "warn", "no output location: pass flow_definition= or bucket=/prefix=",
                           "a2i-kit doctor --bucket <bucket> --prefix <output prefix>")
    needed, policy = probes(ctx)
    decisions = _simulate(ctx, role["Arn"], needed)
    method = "SimulatePrincipalPolicy"
    conditional = False
    if decisions is None:
        documents = role_documents(ctx.client("iam"), role["RoleName"])
        local = {pair: evaluate(documents, *pair) for pair in needed}
        decisions = {pair: d.decision for pair, d in local.items()}
        conditional = any(d.conditional for d in local.values())
        method = (f"{len(documents)} policies evaluated locally (SimulatePrincipalPolicy unavailable: "
                  f"{ctx.notes.get('simulate_error')}; conditions, boundaries and SCPs not evaluated)")
    denied = [f"{action} on {resource} ({decision})" for (action, resource), decision in decisions.items()
              if decision != "allowed"]
    fix = cli_command("role-policy", policy, role_name=role["RoleName"])
    if denied:
        return CheckResult("role-permissions", "fail", f"{role['RoleName']} lacks: {'; '.join(denied)} [{method}]", fix)
    status = "warn" if conditional else "pass"
    extra = " (an Allow rests on a Condition: check it applies to A2I)" if conditional else ""
    return CheckResult("role-permissions", status, f"{role['RoleName']} can read the task inputs and write "
                       f"s3://{ctx.bucket}/{ctx.prefix}{extra} [{method}]", fix if conditional else "")


CHECKS: list[tuple[str, Any]] = [
    ("credentials", check_credentials), ("region", check_region), ("role-trust", check_role_trust),
    ("role-permissions", check_role_permissions), ("bucket", s3.check_bucket),
    ("bucket-cors", s3.check_bucket_cors), ("workteam", a2i.check_workteam),
    ("flow-definitions", a2i.check_flow_definitions), ("task-ui", a2i.check_task_ui)]
