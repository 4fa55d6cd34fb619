"""Private workteams: Create, Describe, List, Update, Delete.

Member definitions (Cognito user groups or OIDC groups) are kept verbatim; a local worker
belongs to a team when one of its groups appears there. All teams share one workforce
(``workforce/default``) whose portal host ``SubDomain`` is generated once per data dir.

Example (over boto3):
    >>> sm.create_workteam(WorkteamName="reviewers", Description="d",  # doctest: +SKIP
    ...     MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["reviewers"]}}])
"""

from __future__ import annotations

import secrets
from typing import Any

from a2i_kit.service.context import ServiceContext
from a2i_kit.service.page_token import PageToken
from a2i_kit.service.protocol import (
    ResourceInUse,
    ResourceLimitExceeded,
    ValidationException,
    epoch,
)

MAX_WORKTEAMS = 25


def workteam_arn(ctx: ServiceContext, name: str) -> str:
    return ctx.arn("workteam", f"private-crowd/{name}")


def subdomain(ctx: ServiceContext) -> str:
    """The worker-portal host of this service's workforce, e.g. ``1a2b3c4d5e.labeling.us-east-1.sagemaker.aws``."""
    value = ctx.store.settings.get("workforce_subdomain")
    if not value:
        value = f"{secrets.token_hex(5)}.labeling.{ctx.config.region}.sagemaker.aws"
        ctx.store.settings.set("workforce_subdomain", value)
    return value


def _not_found(ctx: ServiceContext, name: str) -> ValidationException:
    return ValidationException(f"The work team {workteam_arn(ctx, name)} does not exist.")


def _check_members(definitions: list[dict[str, Any]]) -> None:
    kinds = {next(iter(d), "") for d in definitions}
    if any(len(d) != 1 for d in definitions) or len(kinds) != 1:
        raise ValidationException(
            "MemberDefinitions must all be CognitoMemberDefinition or all OidcMemberDefinition, "
            "one per list item; a team cannot mix identity providers.")


def create_workteam(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["WorkteamName"]
    _check_members(params["MemberDefinitions"])
    arn, now = workteam_arn(ctx, name), ctx.clock.now()
    doc: dict[str, Any] = {key: params[key] for key in ("MemberDefinitions", "Description", "NotificationConfiguration",
                                                        "WorkerAccessConfiguration", "Tags")
                           if params.get(key) is not None}
    doc.update(WorkteamName=name, WorkteamArn=arn, LastUpdatedDate=now,
               WorkforceArn=ctx.arn("workforce", params.get("WorkforceName") or "default"))
    with ctx.store.transaction():
        if ctx.store.workteams.get(name) is not None:
            raise ResourceInUse(f"Workteam '{name}' already exists.")
        count = ctx.store.workteams.count()
        if count >= MAX_WORKTEAMS:
            raise ResourceLimitExceeded(
                f"You have reached the limit of {MAX_WORKTEAMS} work teams in this account and region; "
                "delete a work team you no longer use.")
        ctx.store.workteams.put({"name": name, "arn": arn, "status": "Active", "creation_time": now, "doc": doc})
    return {"WorkteamArn": arn}


def get_workteam(ctx: ServiceContext, name: str) -> dict[str, Any]:
    record = ctx.store.workteams.get(name)
    if record is None:
        raise _not_found(ctx, name)
    return record


def workteam_view(ctx: ServiceContext, record: dict[str, Any]) -> dict[str, Any]:
    doc = record["doc"]
    view = {key: doc[key] for key in ("WorkteamName", "MemberDefinitions", "WorkteamArn", "WorkforceArn",
                                      "Description", "NotificationConfiguration",
                                      "WorkerAccessConfiguration") if key in doc}
    view.update(ProductListingIds=[], SubDomain=subdomain(ctx), CreateDate=epoch(record["creation_time"]),
                LastUpdatedDate=epoch(doc.get("LastUpdatedDate", record["creation_time"])))
    return view


def describe_workteam(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"Workteam": workteam_view(ctx, get_workteam(ctx, params["WorkteamName"]))}


def update_workteam(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.transaction():
        record = get_workteam(ctx, params["WorkteamName"])
        doc = dict(record["doc"])
        if params.get("MemberDefinitions") is not None:
            _check_members(params["MemberDefinitions"])
        for key in ("MemberDefinitions", "Description", "NotificationConfiguration", "WorkerAccessConfiguration"):
            if params.get(key) is not None:
                doc[key] = params[key]
        doc["LastUpdatedDate"] = ctx.clock.now()
        ctx.store.workteams.update(record["name"], doc=doc)
    return {"Workteam": workteam_view(ctx, {**record, "doc": doc})}


def list_workteams(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    by_name = params.get("SortBy", "CreateDate") == "Name"
    ascending = (params.get("SortOrder") or ctx.config.default_sort_order) == "Ascending"
    needle = params.get("NameContains") or ""
    records = [r for r in ctx.store.workteams.all() if needle in r["name"]]
    records.sort(key=lambda r: _position(r, by_name), reverse=not ascending)
    scope = f"workteams|{by_name}|{ascending}|{needle}"
    token = params.get("NextToken")
    if token:
        try:
            after = PageToken.decode(token, scope)
        except (ValueError, TypeError, OverflowError):  # forged or foreign token
            raise ValidationException("The NextToken is not valid for this request: pass the NextToken "
                                      "from the previous ListWorkteams response with the same filters.") from None
        records = [r for r in records if _position(r, by_name) != after
                   and (_position(r, by_name) > after) == ascending]
    limit = int(params.get("MaxResults") or ctx.config.default_page_size)
    result: dict[str, Any] = {"Workteams": [workteam_view(ctx, r) for r in records[:limit]]}
    if len(records) > limit:
        last = records[limit - 1]
        result["NextToken"] = PageToken.encode(0.0 if by_name else last["creation_time"], last["name"], scope)
    return result


def _position(record: dict[str, Any], by_name: bool) -> tuple[float, str]:
    return (0.0 if by_name else record["creation_time"]), record["name"]


def delete_workteam(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["WorkteamName"]
    if not ctx.store.workteams.delete(name):
        raise _not_found(ctx, name)
    return {"Success": True}
