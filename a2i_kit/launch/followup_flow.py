"""The flow definition that escalation's follow-up loops run on: one more reviewer per loop.

A2I takes ``TaskCount`` from the flow definition, not from StartHumanLoop, so asking *one* more
reviewer needs a flow definition with ``TaskCount`` 1. By default it is a copy of the original
(same task UI, workteam, role and output path) named ``<original>-followup``, created once:
a second call (or another process) meets ``ResourceInUse`` and uses the existing one after
checking it is the same setup. A given flow definition is used as it is, after checking that it
is Active and asks one reviewer.

Example:
    >>> followup_flow_name("claims-review")
    'claims-review-followup'
    >>> len(followup_flow_name("x" * 63)) <= 63
    True
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from a2i_kit.client.arns import flow_definition_name
from a2i_kit.client.errors import error_code, error_message, is_not_found
from a2i_kit.client.retry import RetryPolicy, call_with_retry
from a2i_kit.client.waiters import WaiterError, wait_for_flow_definition
from a2i_kit.errors import InputError, LaunchError

SUFFIX = "-followup"
MAX_NAME = 63
# What a follow-up flow copies from the original's HumanLoopConfig (TaskCount becomes 1).
COPIED = ("WorkteamArn", "HumanTaskUiArn", "TaskTitle", "TaskDescription", "TaskAvailabilityLifetimeInSeconds",
          "TaskTimeLimitInSeconds", "TaskKeywords", "PublicWorkforceTaskPrice")
SAME_SETUP = ("WorkteamArn", "HumanTaskUiArn")


def followup_flow_name(original: str) -> str:
    """``<original>-followup``; a long name is cut and keeps a hash so names stay distinct."""
    name = flow_definition_name(original)
    if len(name) + len(SUFFIX) <= MAX_NAME:
        return name + SUFFIX
    tag = hashlib.sha256(name.encode()).hexdigest()[:8]
    head = name[:MAX_NAME - len(SUFFIX) - len(tag) - 1].rstrip("-")
    return f"{head}-{tag}{SUFFIX}"


def _describe(sagemaker: Any, name: str) -> dict[str, Any]:
    described, _ = call_with_retry(lambda: sagemaker.describe_flow_definition(FlowDefinitionName=name),
                                   RetryPolicy(), random.Random())
    return described


def describe_flow(sagemaker: Any, flow_definition: str, *, role: str) -> dict[str, Any]:
    """DescribeFlowDefinition of ``flow_definition`` (name or ARN); LaunchError when missing."""
    name = flow_definition_name(flow_definition)
    try:
        return _describe(sagemaker, name)
    except Exception as exc:
        if is_not_found(exc):
            raise LaunchError(f"{role} flow definition {name!r} does not exist: check the name with "
                              "session.sagemaker.list_flow_definitions()") from exc
        raise LaunchError(f"cannot describe {role} flow definition {name!r}: {error_message(exc)}") from exc


def given_followup_flow(sagemaker: Any, flow_definition: str) -> dict[str, Any]:
    """A follow-up flow definition the caller named: it must be Active and ask one reviewer."""
    described = describe_flow(sagemaker, flow_definition, role="follow-up")
    name = described["FlowDefinitionName"]
    count = described["HumanLoopConfig"].get("TaskCount")
    if count != 1:
        raise InputError(f"follow-up flow definition {name!r} asks TaskCount={count} reviewers; a follow-up "
                         "asks one more: pass a flow definition with TaskCount 1, or leave "
                         "followup_flow_definition unset to use '<original>-followup'")
    if described.get("FlowDefinitionStatus") != "Active":
        raise LaunchError(f"follow-up flow definition {name!r} is {described.get('FlowDefinitionStatus')}; "
                          "loops start only on an Active one")
    return described


def derived_followup_flow(sagemaker: Any, original: dict[str, Any], *, create: bool) -> dict[str, Any]:
    """The ``<original>-followup`` flow definition: created when missing (``create``), then Active.

    Without ``create`` (a dry run) an existing one is described and a missing one is returned as
    the request that would create it (``FlowDefinitionStatus`` ``"NotCreated"``).
    """
    name = followup_flow_name(original["FlowDefinitionName"])
    request = _create_request(original, name)
    try:
        existing = _describe(sagemaker, name)
    except Exception as exc:
        if not is_not_found(exc):
            raise LaunchError(f"cannot describe follow-up flow definition {name!r}: {error_message(exc)}") from exc
        existing = None
    if existing is None and not create:
        arn = original["FlowDefinitionArn"].rsplit("/", 1)[0] + "/" + name
        return {**request, "FlowDefinitionArn": arn, "FlowDefinitionStatus": "NotCreated"}
    if existing is None:
        try:
            call_with_retry(lambda: sagemaker.create_flow_definition(**request), RetryPolicy(), random.Random())
        except Exception as exc:
            if error_code(exc) != "ResourceInUse":  # another process created it meanwhile: fine
                raise LaunchError(f"cannot create follow-up flow definition {name!r}: {error_message(exc)}; "
                                  "pass followup_flow_definition= to use one you created") from exc
        existing = _describe(sagemaker, name)
    _check_same_setup(existing, request)
    if existing.get("FlowDefinitionStatus") == "Active" or not create:
        return existing
    try:
        return wait_for_flow_definition(sagemaker, name)
    except WaiterError as exc:
        raise LaunchError(f"follow-up flow definition {name!r} did not become Active: {exc}") from exc


def _create_request(original: dict[str, Any], name: str) -> dict[str, Any]:
    config = original["HumanLoopConfig"]
    loop_config = {key: config[key] for key in COPIED if key in config}
    loop_config["TaskCount"] = 1
    request: dict[str, Any] = {"FlowDefinitionName": name, "RoleArn": original["RoleArn"],
                               "HumanLoopConfig": loop_config, "OutputConfig": dict(original["OutputConfig"])}
    for optional in ("HumanLoopRequestSource", "HumanLoopActivationConfig"):
        if original.get(optional):
            request[optional] = original[optional]
    return request


def _check_same_setup(existing: dict[str, Any], request: dict[str, Any]) -> None:
    config, wanted = existing.get("HumanLoopConfig", {}), request["HumanLoopConfig"]
    different = [key for key in SAME_SETUP if config.get(key) != wanted[key]]
    if config.get("TaskCount") != 1:
        different.append("TaskCount")
    if different:
        name = request["FlowDefinitionName"]
        raise LaunchError(f"flow definition {name!r} exists with a different {', '.join(different)} than a "
                          "follow-up of the original needs; delete it (sagemaker.delete_flow_definition) or "
                          "pass followup_flow_definition= to use another one")
