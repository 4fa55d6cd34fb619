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

from a2i_kit.client.arns import loop_arn
from a2i_kit.client.errors import is_not_found
from a2i_kit.client.paging import iter_human_loops
from a2i_kit.client.retry import RetryPolicy, call_with_retry

__all__ = ["DESCRIBE_LIMIT", "existing_loops", "list_loop_names", "loop_arn"]

DESCRIBE_LIMIT = 25


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
                if is_not_found(exc):
                    continue
                raise
            found[name] = described["HumanLoopArn"]
        return found
    return {name: loop_arn(flow_definition_arn, name)
            for name in list_loop_names(runtime, flow_definition_arn, retry) if name in wanted}


def list_loop_names(runtime: Any, flow_definition_arn: str, retry: RetryPolicy | None = None) -> list[str]:
    """Every loop name of a flow definition, via paginated ListHumanLoops."""
    return [s["HumanLoopName"]
            for s in iter_human_loops(runtime, flow_definition_arn, sort_order=None, retry=retry)]
