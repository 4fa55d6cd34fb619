"""Backend of the A2I runtime: one function per operation on human loops.

Choices where AWS leaves room (documented in the README):
- Same name + same flow definition + same input while the loop is InProgress/Stopping returns
  the existing ARN (idempotent retry); different input → ConflictException.
- A finished loop's name → ValidationException; a *deleted* loop's name stays reserved too.
- StopHumanLoop on a Stopping or finished loop is a no-op success (AWS's sample cleanup code stops
  Completed loops before deleting them); with ``ServiceConfig(strict_stop=True)`` Completed/Failed
  → ValidationException.
- All status changes go through ``a2i_kit.service.lifecycle.set_loop_status``.

Example:
    >>> arn = start_human_loop(ctx, name="loop-1", flow_definition_arn=fd_arn,  # doctest: +SKIP
    ...                        input_content='{"text": "hi"}')
"""

from __future__ import annotations

import json
from typing import Any

from a2i_kit.service import lifecycle
from a2i_kit.service.a2i_runtime.startable import (
    flow_record,
    forget_startable,
    iso_ms_fast,
    last_startable,
    startable_flow,
)
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.outputs import output_uri
from a2i_kit.service.protocol import (
    AwsError,
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
    iso_ms,
)
from a2i_kit.service.sagemaker import flow_definitions
from a2i_kit.service.sagemaker.listing import page
from a2i_kit.service.validation import RUNTIME, parse_input_content, validate

ACTIVE = frozenset({"InProgress", "Stopping"})
DEFAULT_TIME_LIMIT = 3600
DEFAULT_LIFETIME = 864000
HUMAN_LOOP_CONFIG_KEYS = ("TaskCount", "TaskTitle", "TaskDescription", "HumanTaskUiArn", "WorkteamArn")


def start_human_loop(ctx: ServiceContext, *, name: str, flow_definition_arn: str, input_content: str,
                     data_attributes: dict[str, Any] | None = None, request_source: str | None = None,
                     validated: bool = False) -> str:
    """Create a loop (or return the ARN of the identical active one); raises the protocol errors.

    ``validated=True`` when the caller already checked the request against the model (the
    runtime route does, at the door), so the checks do not run twice per request.
    """
    if not validated:
        params: dict[str, Any] = {"HumanLoopName": name, "FlowDefinitionArn": flow_definition_arn,
                                  "HumanLoopInput": {"InputContent": input_content}}
        if data_attributes is not None:
            params["DataAttributes"] = data_attributes
        validate(RUNTIME, "StartHumanLoop", params, lenient_names=ctx.config.lenient_names)
    parsed = parse_input_content(input_content)
    store = ctx.store
    with store.checked_write():  # the insert decides: a unique name (and the quota, approximately on PostgreSQL)
        arn = _start_on_last_flow(ctx, name, flow_definition_arn, input_content, data_attributes, request_source)
        if arn is not None:
            return arn
        # A new name is the common case: the insert below finds an existing loop, so it is not
        # read first. Its answer still comes before the flow's and the quota's (a retry of a
        # started loop succeeds even when the flow was deleted since or the quota is reached).
        try:
            flow = startable_flow(ctx, flow_definition_arn)
        except AwsError:
            existing = store.loops.get(name)
            if existing is not None:
                return _reuse(existing, flow_definition_arn, parsed)
            raise
        now = ctx.clock.now()
        doc = _loop_doc(ctx, name, flow, input_content, data_attributes, request_source, now)
        record = {"name": name, "arn": doc["HumanLoopArn"], "status": "InProgress", "creation_time": now,
                  "doc": doc, "flow_definition_arn": flow["arn"], "deleted": 0, "updated_time": now}
        if not store.loops.insert(record):  # it exists (started earlier, or by another process meanwhile)
            return _reuse(store.loops.get(name) or record, flow_definition_arn, parsed)
    return doc["HumanLoopArn"]


def _start_on_last_flow(ctx: ServiceContext, name: str, flow_arn: str, input_content: str,
                        data_attributes: dict[str, Any] | None, request_source: str | None) -> str | None:
    """The common start in one statement: a new name on the flow definition the last start used
    (still Active, its task UI still there, the quota not near). None: do the checks instead."""
    flow = last_startable(flow_arn)
    if flow is None:
        return None
    now = ctx.clock.now()
    doc = _loop_doc(ctx, name, flow, input_content, data_attributes, request_source, now)
    record = {"name": name, "arn": doc["HumanLoopArn"], "status": "InProgress", "creation_time": now,
              "doc": doc, "flow_definition_arn": flow["arn"], "deleted": 0, "updated_time": now}
    ui_arn = flow["doc"]["HumanLoopConfig"]["HumanTaskUiArn"]
    if ctx.store.loops.insert_if_startable(record, flow_name=flow["name"], flow_created=flow["creation_time"],
                                           ui_name=ui_arn.rsplit("/", 1)[-1], ui_arn=ui_arn,
                                           quota=ctx.config.max_in_progress_loops):
        return str(doc["HumanLoopArn"])
    forget_startable(flow_arn)  # the checks below say why (or start it), and remember the flow again
    return None


def _reuse(existing: dict[str, Any], flow_definition_arn: str, parsed: dict[str, Any]) -> str:
    name = existing["name"]
    if existing["deleted"]:
        raise ValidationException(
            f"HumanLoop '{name}' already existed and was deleted; loop names stay reserved after "
            "deletion. To start a new HumanLoop, try your request again with a different HumanLoopName.")
    if existing["status"] not in ACTIVE:
        raise ValidationException(
            f"HumanLoop '{name}' already exists and is finished. To start a new HumanLoop, you can try "
            "your request again with a different HumanLoopName.")
    same_input = json.loads(existing["doc"]["InputContent"]) == parsed
    if existing["flow_definition_arn"] != flow_definition_arn or not same_input:
        raise ConflictException(
            f"HumanLoop '{name}' is already active with a different flow definition or input data. "
            "Start the new loop under another HumanLoopName.")
    return existing["arn"]


def _loop_doc(ctx: ServiceContext, name: str, flow: dict[str, Any], input_content: str,
              data_attributes: dict[str, Any] | None, request_source: str | None, now: float) -> dict[str, Any]:
    fdoc, config = flow["doc"], flow["doc"]["HumanLoopConfig"]
    doc: dict[str, Any] = {
        "HumanLoopName": name, "HumanLoopArn": ctx.arn("human-loop", name),
        "FlowDefinitionArn": flow["arn"], "FlowDefinitionName": flow["name"], "InputContent": input_content,
        "OutputS3Uri": output_uri(fdoc["OutputConfig"]["S3OutputPath"], flow["name"], now, name),
        **{key: config[key] for key in HUMAN_LOOP_CONFIG_KEYS},
        "TaskTimeLimitInSeconds": config.get("TaskTimeLimitInSeconds", DEFAULT_TIME_LIMIT),
        "TaskAvailabilityLifetimeInSeconds": config.get("TaskAvailabilityLifetimeInSeconds", DEFAULT_LIFETIME),
        "HumanTaskUiName": config["HumanTaskUiArn"].rsplit("/", 1)[-1],
    }
    if data_attributes is not None:
        doc["DataAttributes"] = data_attributes
    source = request_source or (fdoc.get("HumanLoopRequestSource") or {}).get("AwsManagedHumanLoopRequestSource")
    if source:
        doc["AwsManagedHumanLoopRequestSource"] = source
    if fdoc["OutputConfig"].get("KmsKeyId"):
        doc["KmsKeyId"] = fdoc["OutputConfig"]["KmsKeyId"]
    return doc


def get_loop(ctx: ServiceContext, name: str) -> dict[str, Any]:
    loop = ctx.store.loops.get(name)
    if loop is None or loop["deleted"]:
        raise ResourceNotFoundException(f"HumanLoop '{name}' does not exist (or was deleted).")
    return loop


def describe_human_loop(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    loop = get_loop(ctx, params["HumanLoopName"])
    doc = loop["doc"]
    result = {"CreationTime": iso_ms(loop["creation_time"]), "HumanLoopStatus": loop["status"],
              "HumanLoopName": loop["name"], "HumanLoopArn": loop["arn"],
              "FlowDefinitionArn": loop["flow_definition_arn"],
              "HumanLoopOutput": {"OutputS3Uri": doc["OutputS3Uri"]}}
    if loop["status"] == "Failed":
        result["FailureCode"] = doc.get("FailureCode") or "InternalError"
        result["FailureReason"] = doc.get("FailureReason") or ""
    return result


def list_human_loops(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["FlowDefinitionArn"]
    if flow_record(ctx, arn) is None:
        raise ResourceNotFoundException(f"FlowDefinition '{arn}' does not exist.")
    records, token = page(ctx, "loops", params, flow_arn=arn)
    summaries = []
    for loop in records:
        summary = {"HumanLoopName": loop["name"], "HumanLoopStatus": loop["status"],
                   "CreationTime": iso_ms_fast(loop["creation_time"]), "FlowDefinitionArn": arn}
        if loop["status"] == "Failed" and loop["doc"].get("FailureReason"):
            summary["FailureReason"] = loop["doc"]["FailureReason"]
        summaries.append(summary)
    result: dict[str, Any] = {"HumanLoopSummaries": summaries}
    if token:
        result["NextToken"] = token
    return result


def stop_human_loop(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["HumanLoopName"]
    loop = get_loop(ctx, name)
    if loop["status"] in ("Completed", "Failed"):
        if not ctx.config.strict_stop:
            return {}  # AWS's sample cleanup stops every loop before deleting it: a no-op here
        raise ValidationException(f"HumanLoop '{name}' is {loop['status']}; only an InProgress loop can be stopped.")
    if loop["status"] == "InProgress":
        try:
            lifecycle.set_loop_status(ctx, name, "Stopping")
        except lifecycle.InvalidTransition:  # it finished in the meantime (e.g. expired)
            return stop_human_loop(ctx, params)
    lifecycle.finish_if_done(ctx, name)
    return {}


def delete_human_loop(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["HumanLoopName"]
    loop = get_loop(ctx, name)
    if loop["status"] not in lifecycle.FINISHED:
        raise ValidationException(
            f"HumanLoop '{name}' is {loop['status']}; only Completed, Failed or Stopped loops can be "
            "deleted. Stop it first with StopHumanLoop.")
    ctx.store.loops.mark_deleted(name, ctx.clock.now())
    flow_name = flow_definitions.name_from_arn(loop["flow_definition_arn"])
    if flow_name:
        flow_definitions.find(ctx, flow_name)  # finishes a pending flow-definition deletion
    return {}
