"""What a flow definition's execution role and its buckets need: IAM policies and the S3 CORS rule.

Each generator returns the document as a dict; :func:`cli_command` turns it into the exact
``aws`` command that puts it in place, and the ``apply_*`` helpers do so through boto3, merging
into what exists only by adding what is missing (they raise with a diff rather than replace).

Example:
    >>> policy = role_policy("acme-a2i", "reviews/out")
    >>> [s["Action"] for s in policy["Statement"]]
    ['s3:GetObject', 's3:PutObject']
    >>> policy["Statement"][1]["Resource"]
    'arn:aws:s3:::acme-a2i/reviews/out/*'
    >>> cors_rule()["AllowedMethods"]
    ['GET']
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from a2i_kit.aws.policy_eval import evaluate, load_document, statements
from a2i_kit.aws.policy_merge import PolicyConflict, cors_covers, diff, merge_cors, merge_statements
from a2i_kit.client.arns import resource_name

POLICY_VERSION = "2012-10-17"
SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"
DEFAULT_POLICY_NAME = "a2i-kit-flow-definition-s3"
CORS_RULE_ID = "a2i-kit-worker-portal"


def s3_arn(bucket: str, key: str = "") -> str:
    """``arn:aws:s3:::bucket/key`` (the bucket ARN itself when ``key`` is empty)."""
    return f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"


def _prefix_glob(prefix: str | None) -> str:
    prefix = (prefix or "").strip("/")
    return f"{prefix}/*" if prefix else "*"


def role_policy(bucket: str, prefix: str | None = None, *, input_bucket: str | None = None,
                input_prefix: str | None = None) -> dict[str, Any]:
    """Permissions policy: read the task inputs (``grant_read_access``), write the output prefix."""
    reads = s3_arn(input_bucket or bucket, _prefix_glob(input_prefix))
    return {"Version": POLICY_VERSION, "Statement": [
        {"Sid": "A2IReadTaskInputs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": reads},
        {"Sid": "A2IWriteOutputs", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": s3_arn(bucket, _prefix_glob(prefix))},
    ]}


def trust_policy() -> dict[str, Any]:
    """Trust policy that lets SageMaker (A2I) assume the execution role."""
    return {"Version": POLICY_VERSION, "Statement": [
        {"Effect": "Allow", "Principal": {"Service": SAGEMAKER_PRINCIPAL}, "Action": "sts:AssumeRole"}]}


def cors_rule(origins: tuple[str, ...] | list[str] = ("*",)) -> dict[str, Any]:
    """The CORS rule AWS's A2I guide asks for on buckets holding task images (GET from the portal).

    The guide's console form also lists empty ``AllowedHeaders``/``ExposeHeaders``; S3 drops
    empty lists, so they are left out here to compare equal with what GetBucketCors returns.
    """
    return {"ID": CORS_RULE_ID, "AllowedOrigins": list(origins), "AllowedMethods": ["GET"]}


def _json(document: Any) -> str:
    return shlex.quote(json.dumps(document, separators=(",", ":")))


def cli_command(kind: str, document: Any, *, role_name: str = "", bucket: str = "",
                policy_name: str = DEFAULT_POLICY_NAME) -> str:
    """The ``aws`` command that puts ``document`` in place (``kind``: role-policy, trust-policy, cors).

    >>> cli_command("cors", {"CORSRules": []}, bucket="acme")
    'aws s3api put-bucket-cors --bucket acme --cors-configuration \\'{"CORSRules":[]}\\''
    """
    if kind == "role-policy":
        return (f"aws iam put-role-policy --role-name {shlex.quote(role_name)} --policy-name "
                f"{shlex.quote(policy_name)} --policy-document {_json(document)}")
    if kind == "trust-policy":
        return f"aws iam update-assume-role-policy --role-name {shlex.quote(role_name)} --policy-document {_json(document)}"
    if kind == "cors":
        return f"aws s3api put-bucket-cors --bucket {shlex.quote(bucket)} --cors-configuration {_json(document)}"
    raise ValueError(f"unknown kind {kind!r}: use role-policy, trust-policy or cors")


def role_name_of(role_arn: str) -> str:
    """``arn:aws:iam::123:role/path/Name`` → ``Name``."""
    return resource_name(role_arn)


def needed_s3_access(policy: dict[str, Any]) -> list[tuple[str, str]]:
    """(action, resource) pairs a generated policy grants, as probes for an evaluator."""
    probes = []
    for statement in statements(policy):
        resource = str(statement["Resource"]).replace("*", "a2i-kit-probe")
        probes.append((str(statement["Action"]), resource))
    return probes


def apply_role_policy(iam: Any, role_name: str, policy: dict[str, Any], *,
                      policy_name: str = DEFAULT_POLICY_NAME) -> dict[str, Any]:
    """Put ``policy`` as the role's inline policy ``policy_name``, adding only missing statements."""
    try:
        existing = load_document(iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"])
    except iam.exceptions.NoSuchEntityException:
        existing = None
    missing = [s for s in statements(policy)
               if existing is None or not all(evaluate([existing], a, r).allowed
                                              for a, r in needed_s3_access({"Statement": [s]}))]
    if existing is not None and not missing:
        return existing
    what = f"inline policy {policy_name!r} of role {role_name!r}"
    merged = merge_statements(existing, missing, what=what)
    if not all(evaluate([merged], a, r).allowed for a, r in needed_s3_access(policy)):
        raise PolicyConflict(f"{what}: a Deny statement still blocks what A2I needs after adding the Allow "
                             f"statements; remove the Deny yourself if intended:\n{diff(existing, merged, what)}")
    iam.put_role_policy(RoleName=role_name, PolicyName=policy_name, PolicyDocument=json.dumps(merged))
    return merged


def trusts_sagemaker(document: Any) -> bool:
    """Does a trust policy let ``sagemaker.amazonaws.com`` call ``sts:AssumeRole``?"""
    allowed = False
    for statement in statements(document):
        principal = statement.get("Principal", {})
        services = principal.get("Service", []) if isinstance(principal, dict) else [principal]
        services = [services] if isinstance(services, str) else services
        covers = (SAGEMAKER_PRINCIPAL in services or "*" in services) and evaluate(
            [{"Statement": [{**statement, "Resource": "*"}]}], "sts:AssumeRole", "*").decision != "implicitDeny"
        if covers and statement.get("Effect") == "Deny":
            return False
        allowed = allowed or (covers and statement.get("Effect") == "Allow")
    return allowed


def apply_trust_policy(iam: Any, role_name: str) -> dict[str, Any]:
    """Let SageMaker assume the role: add the trust statement unless it is already there."""
    existing = load_document(iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"])
    if trusts_sagemaker(existing):
        return existing
    merged = merge_statements(existing, statements(trust_policy()), what=f"trust policy of role {role_name!r}")
    if not trusts_sagemaker(merged):
        raise PolicyConflict(f"trust policy of role {role_name!r}: a Deny statement refuses sts:AssumeRole to "
                             f"{SAGEMAKER_PRINCIPAL}; remove it yourself, then retry:\n"
                             f"{diff(existing, merged, 'trust policy')}")
    iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(merged))
    return merged


def current_cors(s3: Any, bucket: str) -> list[dict[str, Any]]:
    """The bucket's CORS rules ([] when it has no CORS configuration)."""
    try:
        return list(s3.get_bucket_cors(Bucket=bucket)["CORSRules"])
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchCORSConfiguration":
            return []
        raise


def apply_bucket_cors(s3: Any, bucket: str, origins: tuple[str, ...] | list[str] = ("*",)) -> list[dict[str, Any]]:
    """Add the worker-portal GET rule to the bucket's CORS configuration unless a rule covers it."""
    existing = current_cors(s3, bucket)
    if cors_covers(existing, list(origins)) is not None:
        return existing
    merged = merge_cors(existing, cors_rule(origins), bucket=bucket)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": merged})
    return merged


def cors_command(bucket: str, existing: list[dict[str, Any]], origins: tuple[str, ...] | list[str] = ("*",)) -> str:
    """The ``aws s3api put-bucket-cors`` command that keeps ``existing`` rules and adds the portal rule."""
    return cli_command("cors", {"CORSRules": merge_cors(existing, cors_rule(origins), bucket=bucket)}, bucket=bucket)
