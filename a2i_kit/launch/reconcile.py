"""Find out which loops already exist, for ledger rows whose outcome is unknown.

Few names: one DescribeHumanLoop each. Many names: page through ListHumanLoops of the flow
definition once (100 per page) instead of one describe per loop.

Example:
    >>> loop_arn("arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f", "f-a-x")
    'arn:aws:sagemaker:us-east-1:111122223333:human-loop/f-a-x'
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from functools import partial
from typing import Any

from a2i_kit.launch.retry import RetryPolicy, call_with_retry, error_code

DESCRIBE_LIMIT = 25


def loop_arn(flow_definition_arn: str, name: str) -> str:
    """The HumanLoopArn A2I gives a loop of this account/region (loops are not under flows)."""
    head = flow_definition_arn.split(":flow-definition/", 1)[0]
    return f"{head}:human-loop/{name}"


def existing_loops(runtime: Any, flow_definition_arn: str, names: Iterable[str],
                   retry: RetryPolicy | None = None) -> dict[str, str]:
    """``{name: arn}`` for those of ``names`` that exist (not deleted) on the service."""
    wanted = set(names)
    if not wanted:
        return {}
    retry = retry or RetryPolicy()
    rng = random.Random()
    if len(wanted) <= DESCRIBE_LIMIT:
        found = {}
        for name in wanted:
            try:
                described, _ = call_with_retry(
                    partial(runtime.describe_human_loop, HumanLoopName=name), retry, rng)
            except Exception as exc:
                if error_code(exc) == "ResourceNotFoundException":
                    continue
                raise
            found[name] = described["HumanLoopArn"]
        return found
    return {name: loop_arn(flow_definition_arn, name)
            for name in list_loop_names(runtime, flow_definition_arn, retry) if name in wanted}


def list_loop_names(runtime: Any, flow_definition_arn: str, retry: RetryPolicy | None = None) -> list[str]:
    """Every loop name of a flow definition, via paginated ListHumanLoops."""
    retry, rng = retry or RetryPolicy(), random.Random()
    names: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"FlowDefinitionArn": flow_definition_arn, "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page, _ = call_with_retry(partial(runtime.list_human_loops, **kwargs), retry, rng)
        names.extend(s["HumanLoopName"] for s in page.get("HumanLoopSummaries", []))
        token = page.get("NextToken")
        if not token:
            return names
