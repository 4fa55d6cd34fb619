"""RenderUiTemplate: preview a worker task template with a task input.

Rendering problems come back inside ``Errors`` (not as an exception), as the model shapes it;
an unknown ``HumanTaskUiArn`` is ``ResourceNotFound``.

Example (over boto3):
    >>> sm.render_ui_template(UiTemplate={"Content": "<p>{{ task.input.a }}</p>"},  # doctest: +SKIP
    ...     Task={"Input": '{"a": 1}'}, RoleArn=role)["RenderedContent"]
    '<p>1</p>'
"""

from __future__ import annotations

from typing import Any

from a2i_kit.service.context import ServiceContext
from a2i_kit.service.protocol import ResourceNotFound, ValidationException
from a2i_kit.service.sagemaker.flow_definitions import name_from_arn


def render_content(ctx: ServiceContext, content: str, task_input_json: str) -> tuple[str, list[dict[str, str]]]:
    """The one rendering path: the templates package with grant_read_access signed locally."""
    from a2i_kit.service.objects import mirror_signer
    from a2i_kit.templates import render_ui_template

    return render_ui_template(content, task_input_json, signer=mirror_signer(ctx))


def render_ui_template(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    given_content, arn = params.get("UiTemplate"), params.get("HumanTaskUiArn")
    if (given_content is None) == (arn is None):
        raise ValidationException("Provide exactly one of UiTemplate (the template content) or "
                                  "HumanTaskUiArn (an existing worker task template).")
    if arn is not None:
        name = name_from_arn(arn, "human-task-ui")
        record = ctx.store.get("task_uis", name) if name else None
        if record is None or record["arn"] != arn:
            raise ResourceNotFound(f"HumanTaskUi '{arn}' does not exist.")
        content = record["doc"]["UiTemplate"]["Content"]
    else:
        content = (given_content or {})["Content"]
    rendered, errors = render_content(ctx, content, params["Task"]["Input"])
    return {"RenderedContent": rendered, "Errors": errors}
