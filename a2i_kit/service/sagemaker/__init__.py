"""SageMaker (JSON 1.1) operations of the embedded service: one backend function per operation.

``OPERATIONS`` maps the ``X-Amz-Target`` operation name to ``handler(ctx, params) -> dict``;
``params`` are already validated against botocore's model.

Example:
    >>> "CreateFlowDefinition" in OPERATIONS
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from a2i_kit.service.sagemaker import flow_definitions, render, task_uis, workteams

Handler = Callable[[Any, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    "CreateHumanTaskUi": task_uis.create_human_task_ui,
    "DescribeHumanTaskUi": task_uis.describe_human_task_ui,
    "ListHumanTaskUis": task_uis.list_human_task_uis,
    "DeleteHumanTaskUi": task_uis.delete_human_task_ui,
    "RenderUiTemplate": render.render_ui_template,
    "CreateFlowDefinition": flow_definitions.create_flow_definition,
    "DescribeFlowDefinition": flow_definitions.describe_flow_definition,
    "ListFlowDefinitions": flow_definitions.list_flow_definitions,
    "DeleteFlowDefinition": flow_definitions.delete_flow_definition,
    "CreateWorkteam": workteams.create_workteam,
    "DescribeWorkteam": workteams.describe_workteam,
    "ListWorkteams": workteams.list_workteams,
    "UpdateWorkteam": workteams.update_workteam,
    "DeleteWorkteam": workteams.delete_workteam,
}
# Operations that may take a while (run in a worker thread, off the event loop).
SLOW_OPERATIONS = frozenset({"RenderUiTemplate", "CreateFlowDefinition"})  # the latter: HeadBucket in s3 mode
