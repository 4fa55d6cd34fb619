"""The manager console's actions, each a thin call of the service function that owns its rules.

Stop and delete run the A2I runtime's own ``StopHumanLoop``/``DeleteHumanLoop`` backends (same
rules, same messages as over the AWS API); workers are added, given a sign-in link and removed
by :mod:`a2i_kit.service.workforce` (a removed worker's open claims return to the pool). Every
refusal becomes :class:`~a2i_kit.portal.forms.Refused`, a readable page.

Example:
    >>> team_membership({"MemberDefinitions": [{"CognitoMemberDefinition": {"UserGroup": "reviewers"}}]})
    (['reviewers'], 'Cognito')
"""

from __future__ import annotations

import re
from typing import Any

from a2i_kit.portal.forms import Refused
from a2i_kit.service import workforce
from a2i_kit.service.a2i_runtime import models
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.protocol import AwsError
from a2i_kit.service.worker_http import LOOP_NAME, WORKER_ID

EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def loop_name(value: str) -> str:
    if len(value) > 63 or not LOOP_NAME.fullmatch(value):
        raise Refused(400, "Not a loop name", "A human loop name has 1-63 letters, digits and hyphens; "
                      "open the loop from its job's list.")
    return value


def worker_id(value: str) -> str:
    if not WORKER_ID.fullmatch(value):
        raise Refused(400, "Not a worker", "That is not a worker id (16 hex digits); pick the worker "
                      "from the console's workers table.")
    return value


def _aws(exc: AwsError, title: str) -> Refused:
    return Refused(exc.status if exc.status in (400, 404, 409) else 400, title, exc.message)


def _workforce(exc: workforce.WorkforceError, title: str) -> Refused:
    return Refused(exc.status, title, str(exc))


def stop_loop(ctx: ServiceContext, name: str) -> None:
    """StopHumanLoop: an InProgress loop stops (Stopping until its open claims end)."""
    try:
        models.stop_human_loop(ctx, {"HumanLoopName": loop_name(name)})
    except AwsError as exc:
        raise _aws(exc, "Loop not stopped") from None


def delete_loop(ctx: ServiceContext, name: str) -> str:
    """DeleteHumanLoop (finished loops only); returns the loop's job name."""
    loop = ctx.store.loops.get(loop_name(name))
    try:
        models.delete_human_loop(ctx, {"HumanLoopName": name})
    except AwsError as exc:
        raise _aws(exc, "Loop not deleted") from None
    return str((loop or {}).get("doc", {}).get("FlowDefinitionName", ""))


def team_membership(team_doc: dict[str, Any]) -> tuple[list[str], str]:
    """(groups, identity provider) that make a new worker a member of this workteam."""
    for definition in team_doc.get("MemberDefinitions") or []:
        cognito = definition.get("CognitoMemberDefinition")
        if cognito and cognito.get("UserGroup"):
            return [cognito["UserGroup"]], "Cognito"
        oidc = definition.get("OidcMemberDefinition")
        if oidc and oidc.get("Groups"):
            return list(oidc["Groups"])[:10], "Oidc"
    raise Refused(400, "Worker not added", "That team has no member group a worker can join; "
                  "pick another team.")


def add_worker(ctx: ServiceContext, name: str, email: str, team: str) -> tuple[dict[str, Any], str]:
    """Add a worker to a team; returns (its view with ``email``, its one-time sign-in link)."""
    if email and (len(email) > 254 or not EMAIL.fullmatch(email) or not email.isprintable()):
        raise Refused(400, "Worker not added", f"{email[:60]!r} is not an email address (like "
                      "alice@example.com); correct it or leave the field empty.")
    record = ctx.store.workteams.get(team) if team else None
    if record is None:
        raise Refused(400, "Worker not added", "Pick the worker's team from the list (a workteam "
                      "created with CreateWorkteam).")
    groups, provider = team_membership(record["doc"])
    try:
        with ctx.store.transaction():
            view, _token = workforce.create_worker(ctx, name, groups, provider)
            if email:
                stored = workforce.get_worker(ctx, view["workerId"])
                ctx.store.workers.update(view["workerId"], doc={**stored["doc"], "email": email})
        link = workforce.sign_in_url(ctx, view["workerId"])
    except workforce.WorkforceError as exc:
        raise _workforce(exc, "Worker not added") from None
    return {**view, "email": email or None}, link


def new_link(ctx: ServiceContext, wid: str) -> tuple[dict[str, Any], str]:
    """A fresh one-time sign-in link (the worker's token and earlier links stay)."""
    try:
        record = workforce.get_worker(ctx, worker_id(wid))
        return record["doc"], workforce.sign_in_url(ctx, wid)
    except workforce.WorkforceError as exc:
        raise _workforce(exc, "No such worker") from None


def worker_doc(ctx: ServiceContext, wid: str) -> dict[str, Any]:
    try:
        return dict(workforce.get_worker(ctx, worker_id(wid))["doc"])
    except workforce.WorkforceError as exc:
        raise _workforce(exc, "No such worker") from None


def remove_worker(ctx: ServiceContext, wid: str) -> tuple[str, list[str]]:
    """Remove a worker (sessions and links end, open claims return); (its name, loops released)."""
    name = worker_doc(ctx, wid).get("name", wid)
    try:
        return name, workforce.delete_worker(ctx, wid)
    except workforce.WorkforceError as exc:
        raise _workforce(exc, "No such worker") from None
