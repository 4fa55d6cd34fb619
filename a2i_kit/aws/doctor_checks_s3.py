"""Doctor checks of the output bucket: ``bucket`` (exists, same region) and ``bucket-cors``.

Example:
    >>> create_bucket_command("acme-a2i", "eu-west-1")
    'aws s3api create-bucket --bucket acme-a2i --region eu-west-1 --create-bucket-configuration LocationConstraint=eu-west-1'
"""

from __future__ import annotations

import shlex

from a2i_kit.aws.doctor import CheckResult, DoctorContext, error_code, input_uris
from a2i_kit.aws.doctor_checks_a2i import describe_team
from a2i_kit.aws.policies import cors_command, current_cors
from a2i_kit.aws.policy_merge import PolicyConflict, cors_covers


def create_bucket_command(bucket: str, region: str) -> str:
    """``aws s3api create-bucket`` for ``bucket`` in ``region`` (us-east-1 takes no constraint)."""
    command = f"aws s3api create-bucket --bucket {shlex.quote(bucket)} --region {region}"
    if region != "us-east-1":
        command += f" --create-bucket-configuration LocationConstraint={region}"
    return command


def bucket_region(location: str | None) -> str:
    """GetBucketLocation's answer as a region (None means us-east-1, ``EU`` means eu-west-1)."""
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, str(location))


def check_bucket(ctx: DoctorContext) -> CheckResult:
    region = ctx.session.region
    if not ctx.bucket:
        return CheckResult("bucket", "warn", "no output bucket: pass flow_definition= or bucket=",
                           "session.setup.ensure_bucket()  # creates sagemaker-<region>-<account>")
    s3 = ctx.client("s3")
    try:
        s3.head_bucket(Bucket=ctx.bucket)
    except Exception as exc:
        code = error_code(exc)
        if code in ("404", "NoSuchBucket", "NotFound"):
            return CheckResult("bucket", "fail", f"bucket {ctx.bucket} does not exist",
                               create_bucket_command(ctx.bucket, region))
        return CheckResult("bucket", "fail", f"bucket {ctx.bucket} cannot be reached ({code})",
                           "allow s3:ListBucket on the bucket to the caller, or use a bucket of this account")
    found = bucket_region(s3.get_bucket_location(Bucket=ctx.bucket).get("LocationConstraint"))
    if found != region:
        account = (ctx.identity or {}).get("Account", "<account>")
        other = f"sagemaker-{region}-{account}"
        other = other if other != ctx.bucket else f"{ctx.bucket}-{region}"
        return CheckResult("bucket", "fail", f"bucket {ctx.bucket} is in {found}, the session in {region}: A2I "
                           "needs the bucket in the flow definition's region",
                           f"{create_bucket_command(other, region)}   # then use s3://{other}/ as the output path")
    return CheckResult("bucket", "pass", f"s3://{ctx.bucket} exists in {region}")


def portal_origin(ctx: DoctorContext) -> str:
    """The worker portal's origin (from the workteam's SubDomain), or a stand-in of this region."""
    team = describe_team(ctx)
    if isinstance(team, dict) and team.get("SubDomain"):
        return f"https://{team['SubDomain']}"
    return f"https://a2i-kit-probe.labeling.{ctx.session.region}.sagemaker.aws"


def check_bucket_cors(ctx: DoctorContext) -> CheckResult:
    buckets = sorted({u[5:].split("/", 1)[0] for u in input_uris(ctx.sample_input)}
                     or ({ctx.bucket} if ctx.bucket else set()))
    if not buckets:
        return CheckResult("bucket-cors", "warn", "no bucket to check: pass bucket= or sample_input=")
    origin, s3, fixes, notes = portal_origin(ctx), ctx.client("s3"), [], []
    for bucket in buckets:
        try:
            rules = current_cors(s3, bucket)
        except Exception as exc:
            notes.append(f"{bucket}: GetBucketCors failed ({error_code(exc)})")
            continue
        if cors_covers(rules, [origin]) is not None:
            continue
        notes.append(f"{bucket}: no CORS rule allows GET from {origin}" if rules else f"{bucket}: no CORS rule")
        try:
            fixes.append(cors_command(bucket, rules))
        except PolicyConflict as exc:
            fixes.append(str(exc))
    if fixes or notes:
        return CheckResult("bucket-cors", "fail", "; ".join(notes) + " (the worker portal cannot load "
                           "grant_read_access images)", "\n".join(fixes))
    return CheckResult("bucket-cors", "pass", f"CORS of {', '.join(buckets)} lets {origin} GET objects")
