"""Find the execution role a flow definition should use, the way SageMaker users expect.

Order: ``connect("aws", role=...)``; the SageMaker Python SDK's ``get_execution_role`` when it
is installed (v2 ``sagemaker.session`` or v3 ``sagemaker.core.helper.session_helper``, imported
only here); SageMaker Studio's resource metadata with ``DescribeUserProfile`` then
``DescribeDomain``; the caller identity when it is a role. Each miss is noted, never raised.

An assumed-role caller ARN (``…:assumed-role/Name/session``) names the role but not its path, and
CreateFlowDefinition needs the exact ARN (``role/service-role/AmazonSageMaker-ExecutionRole-…``):
IAM ``GetRole`` supplies it; when that is denied the ARN is built without a path, and said so.

Example:
    >>> role_from_caller("arn:aws:sts::123456789012:assumed-role/A2IRole/botocore-session-1")
    'arn:aws:iam::123456789012:role/A2IRole'
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from a2i_kit.client.errors import error_message

if TYPE_CHECKING:
    from a2i_kit.session import Session

STUDIO_METADATA = Path("/opt/ml/metadata/resource-metadata.json")
# Where get_execution_role lives in each major version of the SageMaker Python SDK.
SDK_MODULES = ("sagemaker.session", "sagemaker.core.helper.session_helper")


def role_from_caller(arn: str) -> str | None:
    """The IAM role ARN behind a caller ARN (``…:role/…`` or ``…:assumed-role/Name/session``)."""
    if ":role/" in arn and arn.split(":")[2] == "iam":
        return arn
    if ":assumed-role/" in arn:
        partition, account = arn.split(":")[1], arn.split(":")[4]
        name = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
        return f"arn:{partition}:iam::{account}:role/{name}"
    return None


def role_with_path(session: Session, built: str) -> tuple[str, str | None]:
    """``(ARN, None)`` with the role's path from IAM ``GetRole``, or ``(built, why not)``.

    >>> role_with_path(connect("aws"), "arn:aws:iam::123456789012:role/AmazonSageMaker-ExecutionRole-1")  # doctest: +SKIP
    ('arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-1', None)
    """
    name = built.rsplit("/", 1)[1]
    try:
        return str(session.client("iam").get_role(RoleName=name)["Role"]["Arn"]), None
    except Exception as exc:  # AccessDenied (no iam:GetRole), no IAM endpoint: keep the built ARN
        return built, (f"built from the role name without IAM: GetRole {name!r} failed "
                       f"({error_message(exc)[:160]}), so a path such as service-role/ would be "
                       "missing; if CreateFlowDefinition rejects the role, pass connect('aws', "
                       "role=<its ARN from the IAM console>)")


def _sdk_role(session: Session) -> tuple[str | None, str]:
    if importlib.util.find_spec("sagemaker") is None:
        return None, "SageMaker Python SDK not installed"
    if os.environ.get("AWS_ENDPOINT_URL_STS") or os.environ.get("AWS_ENDPOINT_URL"):
        # The SDK asks the public regional STS endpoint whatever the variables say (and waits
        # out its retries where that is unreachable); the caller identity below uses the variable.
        return None, "SageMaker SDK not asked: it ignores AWS_ENDPOINT_URL_STS"
    for name in SDK_MODULES:
        try:
            module = importlib.import_module(name)
        except Exception:  # ImportError, or v3's "removed in v3" guidance for v2 modules
            continue
        getter = getattr(module, "get_execution_role", None)
        if getter is None:
            continue
        try:
            boto = session.extras.get("boto3_session")
            sdk_session = module.Session(boto_session=boto) if boto is not None else None
            return str(getter(sdk_session)), f"SageMaker Python SDK ({name}.get_execution_role)"
        except Exception as exc:  # the SDK raises ValueError when the caller is not a role
            return None, f"SageMaker SDK get_execution_role: {str(exc).splitlines()[0][:160]}"
    return None, "SageMaker SDK installed without get_execution_role"


def _studio_role(session: Session, path: Path) -> tuple[str | None, str]:
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"not in SageMaker Studio ({path} absent)"
    except (OSError, ValueError) as exc:
        return None, f"Studio metadata unreadable ({exc})"
    if metadata.get("ExecutionRoleArn"):
        return str(metadata["ExecutionRoleArn"]), f"Studio resource metadata ({path})"
    domain, profile = metadata.get("DomainId"), metadata.get("UserProfileName")
    if not domain:
        return None, f"Studio metadata {path} names no DomainId"
    notes = []
    if profile:
        try:
            settings = session.sagemaker.describe_user_profile(DomainId=domain, UserProfileName=profile)
            role = (settings.get("UserSettings") or {}).get("ExecutionRole")
            if role:
                return str(role), f"Studio user profile {profile!r} (DescribeUserProfile)"
            notes.append(f"user profile {profile!r} sets no ExecutionRole")
        except Exception as exc:
            notes.append(f"DescribeUserProfile failed ({type(exc).__name__})")
    try:
        described = session.sagemaker.describe_domain(DomainId=domain)
        role = (described.get("DefaultUserSettings") or {}).get("ExecutionRole")
        if role:
            return str(role), f"Studio domain {domain} default execution role (DescribeDomain)"
        notes.append(f"domain {domain} sets no default ExecutionRole")
    except Exception as exc:
        notes.append(f"DescribeDomain failed ({type(exc).__name__})")
    return None, "Studio: " + "; ".join(notes)


def discover_role(session: Session, identity: dict[str, Any] | str) -> tuple[str | None, str]:
    """``(role ARN or None, where it came from or what was tried)``."""
    if session.extras.get("role"):
        return str(session.extras["role"]), "connect(role=...)"
    tried = []
    for finder in (lambda: _sdk_role(session), lambda: _studio_role(session, STUDIO_METADATA)):
        role, note = finder()
        if role:
            return role, note
        tried.append(note)
    if isinstance(identity, str):
        tried.append(f"caller identity unknown ({identity})")
    else:
        role = role_from_caller(identity["Arn"])
        if role and ":assumed-role/" in identity["Arn"]:
            role, missed = role_with_path(session, role)
            return role, f"caller identity ({identity['Arn']})" + (f"; {missed}" if missed else "")
        if role:
            return role, f"caller identity ({identity['Arn']})"
        tried.append(f"caller {identity['Arn']} is not a role")
    return None, ("not found: " + "; ".join(tried)
                  + "; pass connect('aws', role='arn:aws:iam::<account>:role/<name>')")
