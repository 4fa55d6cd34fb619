"""RenderUiTemplate: preview a worker task template with a task input.

Rendering problems come back inside ``Errors`` (not as an exception), as the model shapes it;
an unknown ``HumanTaskUiArn`` is ``ResourceNotFound``.

Example (over boto3):
    >>> sm.render_ui_template(UiTemplate={"Content": "<p>{{ task.input.a }}</p>"},  # doctest: +SKIP
    ...     Task={"Input": '{"a": 1}'}, RoleArn=role)["RenderedContent"]
    '<p>1</p>'
"""

from __future__ import annotations

import threading
from typing import Any

from a2i_kit.service.bodies import BodyError, strict_loads
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.protocol import ResourceNotFound, ThrottlingException, ValidationException
from a2i_kit.service.sagemaker.flow_definitions import name_from_arn

_slots_lock = threading.Lock()


def _render_slots(ctx: ServiceContext) -> threading.BoundedSemaphore:
    """The semaphore capping concurrent renders of one service (RenderUiTemplate needs no auth)."""
    with _slots_lock:
        if ctx.render_slots is None:
            ctx.render_slots = threading.BoundedSemaphore(max(1, ctx.config.max_concurrent_renders))
        return ctx.render_slots


def render_content(ctx: ServiceContext, content: str, task_input_json: str) -> tuple[str, list[dict[str, str]]]:
    """The one rendering path: the templates package with grant_read_access signed locally.

    At most ``max_concurrent_renders`` run at once (beyond: ThrottlingException), each bounded
    by ``render_time_limit_seconds`` of work and ``render_max_output_chars`` of output.
    """
    from a2i_kit.service.objects import mirror_signer
    from a2i_kit.templates import render_ui_template

    slots = _render_slots(ctx)
    if not slots.acquire(blocking=False):
        raise ThrottlingException(
            f"Rate exceeded: {ctx.config.max_concurrent_renders} RenderUiTemplate calls are already "
            "running; retry shortly.")
    try:
        return render_ui_template(content, task_input_json, signer=mirror_signer(ctx),
                                  time_limit=ctx.config.render_time_limit_seconds,
                                  max_output_chars=ctx.config.render_max_output_chars)
    finally:
        slots.release()


def render_ui_template(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    given_content, arn = params.get("UiTemplate"), params.get("HumanTaskUiArn")
    if (given_content is None) == (arn is None):
        raise ValidationException("Provide exactly one of UiTemplate (the template content) or "
                                  "HumanTaskUiArn (an existing worker task template).")
    if arn is not None:
        name = name_from_arn(arn, "human-task-ui")
        record = ctx.store.task_uis.get(name) if name else None
        if record is None or record["arn"] != arn:
            raise ResourceNotFound(f"HumanTaskUi '{arn}' does not exist.")
        content = record["doc"]["UiTemplate"]["Content"]
    else:
        content = (given_content or {})["Content"]
    task_input = params["Task"]["Input"]
    try:
        strict_loads(task_input)
    except BodyError as exc:
        return {"RenderedContent": "", "Errors": [{"Code": "InvalidParameters",
                                                   "Message": f"Task.Input is not strict JSON: {exc.message}"}]}
    rendered, errors = render_content(ctx, content, task_input)
    return {"RenderedContent": rendered, "Errors": errors}
