"""Worker task templates (human task UIs): Create, Describe, List, Delete.

Describe returns ``UiTemplate.ContentSha256`` as the hex SHA-256 of the content and
``UiTemplate.Url`` as a presigned-style link under ``/_a2i/ui-templates/`` that returns the
content (signed with the admin token, like an S3 presigned URL).

Example (over boto3):
    >>> sm.create_human_task_ui(HumanTaskUiName="t1", UiTemplate={"Content": html})  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from a2i_kit.service.auth import TEMPLATE_LINK, sign_link
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.hosts import link_base
from a2i_kit.service.protocol import ResourceInUse, ResourceNotFound, ValidationException, epoch
from a2i_kit.service.sagemaker.listing import page


def check_template(content: str) -> None:
    """Refuse a template that does not parse: every task of every loop using it would fail."""
    from a2i_kit.templates import TemplateRenderError
    from a2i_kit.templates.render import parse_template

    try:
        parse_template(content, name="UiTemplate.Content")
    except TemplateRenderError as exc:
        where = f" at line {exc.line}, column {exc.column}" if exc.line else ""
        hint = f" ({exc.hint})" if exc.hint else ""
        raise ValidationException(
            f"The UiTemplate is not a valid Liquid template{where}: {exc.message}{hint}. "
            "Check it with RenderUiTemplate or `a2i-kit template lint` first.") from None


def create_human_task_ui(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["HumanTaskUiName"]
    arn = ctx.arn("human-task-ui", name)
    content = params["UiTemplate"]["Content"]
    check_template(content)
    doc = {"HumanTaskUiName": name, "HumanTaskUiArn": arn, "UiTemplate": {"Content": content},
           "ContentSha256": hashlib.sha256(content.encode()).hexdigest(), "Tags": params.get("Tags") or []}
    record = {"name": name, "arn": arn, "status": "Active", "creation_time": ctx.clock.now(), "doc": doc}
    if not ctx.store.task_uis.insert(record):
        raise ResourceInUse(f"HumanTaskUi '{name}' already exists. Delete it first or pick another name.")
    return {"HumanTaskUiArn": arn}


def get_task_ui(ctx: ServiceContext, name: str) -> dict[str, Any]:
    record = ctx.store.task_uis.get(name)
    if record is None:
        raise ResourceNotFound(f"HumanTaskUi '{name}' does not exist.")
    return record


def template_url(ctx: ServiceContext, name: str, sha256: str) -> str:
    """A presigned-style link to the template's source, expiring like S3's (``signed_link_seconds``).

    Served as plain text in a sandbox (see ``server.misc_routes``), never as a page of the service.
    """
    expires, signature = sign_link(ctx, TEMPLATE_LINK.format(name=name, sha256=sha256))
    return (f"{link_base(ctx)}/_a2i/ui-templates/{quote(name)}?sha256={sha256}"
            f"&expires={expires}&signature={signature}")


def describe_human_task_ui(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    record = get_task_ui(ctx, params["HumanTaskUiName"])
    sha = record["doc"]["ContentSha256"]
    return {"HumanTaskUiArn": record["arn"], "HumanTaskUiName": record["name"],
            "HumanTaskUiStatus": record["status"], "CreationTime": epoch(record["creation_time"]),
            "UiTemplate": {"Url": template_url(ctx, record["name"], sha), "ContentSha256": sha}}


def list_human_task_uis(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    records, token = page(ctx, "task_uis", params)
    result: dict[str, Any] = {"HumanTaskUiSummaries": [
        {"HumanTaskUiName": r["name"], "HumanTaskUiArn": r["arn"], "CreationTime": epoch(r["creation_time"])}
        for r in records]}
    if token:
        result["NextToken"] = token
    return result


def delete_human_task_ui(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["HumanTaskUiName"]
    if not ctx.store.task_uis.delete(name):
        raise ResourceNotFound(f"HumanTaskUi '{name}' does not exist.")
    return {}
