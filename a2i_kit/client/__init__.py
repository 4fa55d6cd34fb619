"""One client layer for A2I: pagination, waiters, loop statuses, ARNs, error codes and retries.

Routing, launch, monitor, results and the widgets call these helpers instead of each keeping its
own ListHumanLoops loop or ARN parsing. It imports only ``errors``/``config`` and ``session``
(:func:`as_session` builds the Session every public function takes first).

Example:
    >>> from a2i_kit.client import LoopStatus, resource_name
    >>> resource_name("arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f"), LoopStatus.COMPLETED.is_terminal
    ('f', True)
    >>> loops = list(A2IClient(session).human_loops(flow_arn))  # doctest: +SKIP
"""

from __future__ import annotations

from a2i_kit.client.a2i import A2IClient
from a2i_kit.client.arns import Arn, flow_definition_name, loop_arn, parse_arn, resource_name
from a2i_kit.client.errors import (
    client_error,
    error_code,
    error_message,
    is_not_found,
    is_retryable,
    is_throttle,
)
from a2i_kit.client.paging import (
    iter_flow_definitions,
    iter_human_loops,
    iter_human_task_uis,
    iter_items,
    iter_pages,
    iter_workteams,
)
from a2i_kit.client.retry import RetryPolicy, call_with_retry
from a2i_kit.client.sessions import as_session, require, service_endpoint
from a2i_kit.client.statuses import OPEN, STATUSES, TERMINAL, LoopStatus
from a2i_kit.client.waiters import WaiterError, wait_for_flow_definition, wait_for_loop

__all__ = [
    "OPEN",
    "STATUSES",
    "TERMINAL",
    "A2IClient",
    "Arn",
    "LoopStatus",
    "RetryPolicy",
    "WaiterError",
    "as_session",
    "call_with_retry",
    "client_error",
    "error_code",
    "error_message",
    "flow_definition_name",
    "is_not_found",
    "is_retryable",
    "is_throttle",
    "iter_flow_definitions",
    "iter_human_loops",
    "iter_human_task_uis",
    "iter_items",
    "iter_pages",
    "iter_workteams",
    "loop_arn",
    "parse_arn",
    "require",
    "resource_name",
    "service_endpoint",
    "wait_for_flow_definition",
    "wait_for_loop",
]
