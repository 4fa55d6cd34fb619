"""Flow definitions (human review workflows): Create, Describe, List, Delete.

Status machine: ``Initializing`` → ``Active`` once ``config.flow_definition_init_seconds`` of
service time have passed (computed lazily when read) → ``Deleting`` on Delete → purged when
its loops are gone. Deleting stops and deletes every loop that no worker holds a live claim
on; loops still being worked keep the definition in ``Deleting`` until they end (checked on
each status-change event and whenever the definition is read).

Example (over boto3):
    >>> sm.create_flow_definition(FlowDefinitionName="review", RoleArn=role,  # doctest: +SKIP
    ...     OutputConfig={"S3OutputPath": "s3://bucket/out"}, HumanLoopConfig={...})
"""

from __future__ import annotations

import json
import threading
from typing import Any

from a2i_kit.service.bodies import BodyError, strict_loads
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.door_s3 import s3_output_path_errors
from a2i_kit.service.protocol import ResourceInUse, ResourceNotFound, ValidationException, epoch
from a2i_kit.service.sagemaker.listing import page
from a2i_kit.service.validation import raise_for

DESCRIBE_KEYS = ("HumanLoopRequestSource", "HumanLoopActivationConfig", "HumanLoopConfig",
                 "OutputConfig", "RoleArn", "FailureReason")
_draining = threading.local()


def name_from_arn(arn: str, kind: str = "flow-definition") -> str | None:
    marker = f":{kind}/"
    return arn.split(marker, 1)[1] if marker in arn else None


def check_activation(params: dict[str, Any]) -> None:
    """Activation conditions need a built-in request source and must follow the grammar."""
    activation = params.get("HumanLoopActivationConfig")
    if activation is None:
        return
    source = (params.get("HumanLoopRequestSource") or {}).get("AwsManagedHumanLoopRequestSource")
    conditions = activation["HumanLoopActivationConditionsConfig"]["HumanLoopActivationConditions"]
    try:
        strict_loads(conditions)
    except BodyError as exc:
        raise ValidationException(f"HumanLoopActivationConditions is not strict JSON ({exc.message}).") from None
    try:
        from a2i_kit.activation import validate_conditions
    except ModuleNotFoundError:  # the routing area is not installed: keep the essential checks
        validate_conditions = _minimal_conditions_check
    raise_for(validate_conditions(source, conditions))


def _minimal_conditions_check(source: str | None, conditions_json: Any) -> list[str]:
    if source is None:
        return ["HumanLoopActivationConditions are only supported for built-in task types; set "
                "HumanLoopRequestSource.AwsManagedHumanLoopRequestSource or remove HumanLoopActivationConfig."]
    try:
        document = json.loads(conditions_json)
    except ValueError as exc:
        return [f"HumanLoopActivationConditions is not valid JSON ({exc})."]
    if not isinstance(document, dict) or not isinstance(document.get("Conditions"), list):
        return ['HumanLoopActivationConditions must be a JSON object with a "Conditions" array.']
    return []


def _check_references(ctx: ServiceContext, config: dict[str, Any]) -> None:
    team = config["WorkteamArn"]
    if not ctx.store.workteams.by_arn(team):
        raise ValidationException(f"The specified Workteam '{team}' does not exist or you do not have access to it.")
    ui = config["HumanTaskUiArn"]
    if not ctx.store.task_uis.by_arn(ui):
        raise ValidationException(f"The specified HumanTaskUi '{ui}' does not exist or you do not have access to it. "
                                  "Create it with CreateHumanTaskUi first.")


def create_flow_definition(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["FlowDefinitionName"]
    raise_for(s3_output_path_errors(params["OutputConfig"]["S3OutputPath"], name))
    raise_for(ctx.outputs.output_path_errors(params["OutputConfig"]["S3OutputPath"]))  # s3 mode: HeadBucket
    check_activation(params)
    if params.get("HumanLoopConfig"):
        _check_references(ctx, params["HumanLoopConfig"])
    arn = ctx.arn("flow-definition", name)
    doc = {key: params[key] for key in (*DESCRIBE_KEYS, "Tags") if params.get(key) is not None}
    doc.update(FlowDefinitionName=name, FlowDefinitionArn=arn)
    status = "Initializing" if ctx.config.flow_definition_init_seconds > 0 else "Active"
    record = {"name": name, "arn": arn, "status": status, "creation_time": ctx.clock.now(), "doc": doc}
    if not ctx.store.flow_definitions.insert(record):
        raise ResourceInUse(f"FlowDefinition '{name}' already exists. Delete it first or pick another name.")
    return {"FlowDefinitionArn": arn}


def effective(ctx: ServiceContext, record: dict[str, Any]) -> dict[str, Any]:
    """The record with Initializing turned into Active once its time has come (persisted)."""
    if record["status"] == "Initializing" and (
            ctx.clock.now() >= record["creation_time"] + ctx.config.flow_definition_init_seconds):
        ctx.store.flow_definitions.update(record["name"], status="Active")
        record = {**record, "status": "Active"}
    return record


def find(ctx: ServiceContext, name: str) -> dict[str, Any] | None:
    """Current record of a flow definition (drained/purged if Deleting), or None."""
    record = ctx.store.flow_definitions.get(name)
    if record is None:
        return None
    if record["status"] == "Deleting":
        return None if drain(ctx, name) else ctx.store.flow_definitions.get(name)
    return effective(ctx, record)


def find_by_arn(ctx: ServiceContext, arn: str) -> dict[str, Any] | None:
    name = name_from_arn(arn)
    record = find(ctx, name) if name else None
    return record if record is not None and record["arn"] == arn else None


def get(ctx: ServiceContext, name: str) -> dict[str, Any]:
    record = find(ctx, name)
    if record is None:
        raise ResourceNotFound(f"FlowDefinition '{name}' does not exist.")
    return record


def describe_flow_definition(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    record = get(ctx, params["FlowDefinitionName"])
    result = {"FlowDefinitionArn": record["arn"], "FlowDefinitionName": record["name"],
              "FlowDefinitionStatus": record["status"], "CreationTime": epoch(record["creation_time"])}
    result.update({key: record["doc"][key] for key in DESCRIBE_KEYS if key in record["doc"]})
    return result


def list_flow_definitions(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    records, token = page(ctx, "flow_definitions", params)
    summaries = []
    for record in records:
        record = effective(ctx, record)
        summary = {"FlowDefinitionName": record["name"], "FlowDefinitionArn": record["arn"],
                   "FlowDefinitionStatus": record["status"], "CreationTime": epoch(record["creation_time"])}
        if record["doc"].get("FailureReason"):
            summary["FailureReason"] = record["doc"]["FailureReason"]
        summaries.append(summary)
    result: dict[str, Any] = {"FlowDefinitionSummaries": summaries}
    if token:
        result["NextToken"] = token
    return result


def delete_flow_definition(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["FlowDefinitionName"]
    with ctx.store.transaction():
        record = get(ctx, name)
        if record["status"] != "Active":
            raise ResourceInUse(f"FlowDefinition '{name}' is {record['status']}; only an Active flow "
                                "definition can be deleted.")
        ctx.store.flow_definitions.update(name, status="Deleting")
    drain(ctx, name)
    return {}


def drain(ctx: ServiceContext, name: str) -> bool:
    """Stop and delete the loops of a Deleting definition nobody works on; purge it when none are left.

    Returns True when the definition is gone.
    """
    from a2i_kit.service.lifecycle import FINISHED, live_claims, set_loop_status

    if getattr(_draining, "active", False):
        return False
    _draining.active = True
    try:
        record = ctx.store.flow_definitions.get(name)
        if record is None:
            return True
        if record["status"] != "Deleting":
            return False
        now, remaining = ctx.clock.now(), 0
        loops = ctx.store.loops.of_flow(record["arn"])
        for loop in loops:
            if loop["status"] not in FINISHED:
                if live_claims(ctx.store.claims.of_loop(loop["name"]), now):
                    remaining += 1
                    continue
                set_loop_status(ctx, loop["name"], "Stopped")
            ctx.store.loops.update(loop["name"], deleted=1, updated_time=now)
        if remaining == 0:
            ctx.store.flow_definitions.delete(name)
        return remaining == 0
    finally:
        _draining.active = False


def on_loop_event(ctx: ServiceContext, event: dict[str, Any]) -> None:
    """Bus listener: a loop of a Deleting definition ended, so try to finish the deletion now.

    Which definitions are Deleting is read at most once per sweep interval, not once per event:
    a deletion begun in another process within that time finishes at the sweeper's next pass,
    which drains every Deleting definition anyway.
    """
    name = name_from_arn(event.get("detail", {}).get("flowDefinitionArn", ""))
    if name and name in ctx.store.flow_definitions.deleting_names(ctx.config.sweep_interval_seconds):
        drain(ctx, name)
