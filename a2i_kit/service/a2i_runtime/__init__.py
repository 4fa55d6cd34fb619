"""A2I runtime (rest-json) operations of the embedded service.

Example:
    >>> sorted(OPERATIONS)[:2]
    ['DeleteHumanLoop', 'DescribeHumanLoop']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from a2i_kit.service.a2i_runtime import models


def _start(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    """StartHumanLoop; ``params`` were validated at the door (``responses.endpoint``)."""
    arn = models.start_human_loop(ctx, name=params["HumanLoopName"],
                                  flow_definition_arn=params["FlowDefinitionArn"],
                                  input_content=params["HumanLoopInput"]["InputContent"],
                                  data_attributes=params.get("DataAttributes"), validated=True)
    return {"HumanLoopArn": arn}


OPERATIONS: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "StartHumanLoop": _start,
    "DescribeHumanLoop": models.describe_human_loop,
    "ListHumanLoops": models.list_human_loops,
    "StopHumanLoop": models.stop_human_loop,
    "DeleteHumanLoop": models.delete_human_loop,
}
