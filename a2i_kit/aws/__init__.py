"""The real-AWS path: setup discovery, the preflight doctor, IAM/CORS generators, EventBridge.

Example:
    >>> from a2i_kit.aws import role_policy, trust_policy
    >>> trust_policy()["Statement"][0]["Principal"]
    {'Service': 'sagemaker.amazonaws.com'}
"""

from __future__ import annotations

from a2i_kit.aws.doctor import CheckResult, DoctorReport, run_doctor
from a2i_kit.aws.eventbridge import Subscription, iter_events, subscribe_events
from a2i_kit.aws.policies import (
    apply_bucket_cors,
    apply_role_policy,
    apply_trust_policy,
    cli_command,
    cors_rule,
    role_policy,
    trust_policy,
)
from a2i_kit.aws.policy_merge import PolicyConflict
from a2i_kit.aws.setup import Found, Setup

__all__ = [
    "CheckResult",
    "DoctorReport",
    "Found",
    "PolicyConflict",
    "Setup",
    "Subscription",
    "apply_bucket_cors",
    "apply_role_policy",
    "apply_trust_policy",
    "cli_command",
    "cors_rule",
    "iter_events",
    "role_policy",
    "run_doctor",
    "subscribe_events",
    "trust_policy",
]
