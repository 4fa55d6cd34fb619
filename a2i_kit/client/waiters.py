"""Wait for a flow definition to be Active, or a human loop to finish, with a timeout.

botocore ships no waiters for A2I, so these poll Describe* and raise :class:`WaiterError` (an
:class:`~a2i_kit.errors.A2IKitError`) naming the state reached and what to do about it.

Example:
    >>> flow = wait_for_flow_definition(session.sagemaker, "claims-review", timeout=60)  # doctest: +SKIP
    >>> flow["FlowDefinitionStatus"]  # doctest: +SKIP
    'Active'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from a2i_kit.client.arns import flow_definition_name
from a2i_kit.client.statuses import TERMINAL
from a2i_kit.errors import A2IKitError


class WaiterError(A2IKitError, TimeoutError):
    """A resource failed, or did not reach the wanted state before the timeout."""


def wait_for_flow_definition(sagemaker: Any, flow_definition: str, *, timeout: float = 30.0,
                             poll_seconds: float = 0.2,
                             sleep: Callable[[float], Any] = time.sleep) -> dict[str, Any]:
    """DescribeFlowDefinition until Active; returns the description (name or ARN accepted)."""
    name = flow_definition_name(flow_definition)
    deadline = time.monotonic() + timeout
    while True:
        flow = sagemaker.describe_flow_definition(FlowDefinitionName=name)
        status = flow.get("FlowDefinitionStatus")
        if status == "Active":
            return flow
        if status == "Failed":
            raise WaiterError(f"flow definition {name!r} is Failed ({flow.get('FailureReason')}); "
                              "fix the cause, delete it and create it again")
        if time.monotonic() >= deadline:
            raise WaiterError(f"flow definition {name!r} is still {status} after {timeout:g} s, not "
                              "Active; wait longer (timeout=) or check describe_flow_definition")
        sleep(poll_seconds)


def wait_for_loop(runtime: Any, human_loop_name: str, *, timeout: float = 60.0,
                  poll_seconds: float = 0.5,
                  sleep: Callable[[float], Any] = time.sleep) -> dict[str, Any]:
    """DescribeHumanLoop until Completed, Failed or Stopped; returns the description."""
    deadline = time.monotonic() + timeout
    while True:
        loop = runtime.describe_human_loop(HumanLoopName=human_loop_name)
        status = loop.get("HumanLoopStatus")
        if status in TERMINAL:
            return loop
        if time.monotonic() >= deadline:
            raise WaiterError(f"human loop {human_loop_name!r} is still {status} after {timeout:g} s; "
                              "wait longer (timeout=), or stop it with stop_human_loop")
        sleep(poll_seconds)
