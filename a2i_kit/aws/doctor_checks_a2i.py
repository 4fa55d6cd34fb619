"""Doctor checks of the A2I resources: ``workteam``, ``flow-definitions``, ``task-ui``.

Example:
    >>> print(create_flow_command("claims", "arn:aws:iam::123456789012:role/A2I", "arn:team", "s3://b/out"))
    ... # doctest: +ELLIPSIS
    aws sagemaker create-flow-definition --flow-definition-name claims --role-arn arn:aws:iam::...
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from a2i_kit.aws.doctor import CheckResult, DoctorContext, error_code
from a2i_kit.client.arns import resource_name
from a2i_kit.client.paging import iter_flow_definitions, iter_items

CREATE_TEAM_FIX = (
    "create a private workforce and team in the SageMaker console (Ground Truth > Labeling workforces > "
    "Private), or: aws sagemaker create-workteam --workteam-name a2i-reviewers --description 'A2I reviewers' "
    "--member-definitions '[{\"CognitoMemberDefinition\":{\"UserPool\":\"<pool id>\",\"UserGroup\":\"<group>\","
    "\"ClientId\":\"<app client id>\"}}]'")


def create_flow_command(name: str, role: str | None, team_arn: str | None, output: str | None) -> str:
    """``aws sagemaker create-flow-definition`` with what the doctor knows (``<…>`` where it does not)."""
    loop_config = {"WorkteamArn": team_arn or "<WorkteamArn>", "HumanTaskUiArn": "<HumanTaskUiArn>",
                   "TaskTitle": "Review the model's prediction", "TaskDescription": "Check and correct the answer",
                   "TaskCount": 1}
    return (f"aws sagemaker create-flow-definition --flow-definition-name {shlex.quote(name)} "
            f"--role-arn {shlex.quote(role or '<execution role ARN>')} "
            f"--human-loop-config {shlex.quote(json.dumps(loop_config, separators=(',', ':')))} "
            f"--output-config {shlex.quote(json.dumps({'S3OutputPath': output or 's3://<bucket>/<prefix>'}))}")


def describe_team(ctx: DoctorContext) -> dict[str, Any] | str:
    """DescribeWorkteam of the team to check (cached), or why there is none."""
    if "team" in ctx.notes:
        return ctx.notes["team"]
    name = ctx.workteam
    if name is None:
        teams = ctx.session.setup.workteams
        if not teams.value:
            ctx.notes["team"] = f"no workteam: {teams.source}"
            return ctx.notes["team"]
        if len(teams.value) > 1:
            ctx.notes["team"] = f"{len(teams.value)} workteams ({', '.join(teams.value)}): pass workteam= to pick one"
            return ctx.notes["team"]
        name = teams.value[0]
    try:
        answer = ctx.session.sagemaker.describe_workteam(WorkteamName=resource_name(name))
        ctx.notes["team"] = answer["Workteam"]
    except Exception as exc:
        ctx.notes["team"] = f"workteam {name} not found in {ctx.session.region} ({error_code(exc)})"
    return ctx.notes["team"]


def _cognito_members(ctx: DoctorContext, definitions: list[dict[str, Any]]) -> tuple[int, list[str]]:
    idp, count, empty = ctx.client("cognito-idp"), 0, []
    for item in definitions:
        group = item["CognitoMemberDefinition"]
        users = sum(1 for _ in iter_items(idp, "list_users_in_group", "Users", page_size=None,
                                          UserPoolId=group["UserPool"], GroupName=group["UserGroup"]))
        count += users
        if not users:
            empty.append(f"aws cognito-idp admin-create-user --user-pool-id {group['UserPool']} --username "
                         f"<worker email> --user-attributes Name=email,Value=<worker email>\n"
                         f"aws cognito-idp admin-add-user-to-group --user-pool-id {group['UserPool']} "
                         f"--username <worker email> --group-name {shlex.quote(group['UserGroup'])}")
    return count, empty


def check_workteam(ctx: DoctorContext) -> CheckResult:
    team = describe_team(ctx)
    if isinstance(team, str):
        status = "warn" if "pass workteam=" in team else "fail"
        return CheckResult("workteam", status, team, "" if status == "warn" else CREATE_TEAM_FIX)
    name, definitions = team["WorkteamName"], team.get("MemberDefinitions") or []
    cognito = [d for d in definitions if "CognitoMemberDefinition" in d]
    if not definitions:
        return CheckResult("workteam", "fail", f"workteam {name} has no member definitions", CREATE_TEAM_FIX)
    if not cognito:
        groups = [g for d in definitions for g in d.get("OidcMemberDefinition", {}).get("Groups", [])]
        return CheckResult("workteam", "warn", f"workteam {name}: members come from your identity provider's "
                           f"groups {groups}; a2i-kit cannot count them")
    try:
        count, fixes = _cognito_members(ctx, cognito)
    except Exception as exc:
        return CheckResult("workteam", "warn", f"workteam {name}: cannot count its Cognito users ({error_code(exc)})",
                           "allow cognito-idp:ListUsersInGroup to the caller to check membership")
    if count == 0:
        return CheckResult("workteam", "fail", f"workteam {name} has no members: its Cognito groups are empty",
                           "\n".join(fixes))
    task_count = ((ctx.flow or {}).get("HumanLoopConfig") or {}).get("TaskCount", 1)
    if task_count > count:
        return CheckResult("workteam", "warn", f"workteam {name} has {count} member(s) but the flow asks "
                           f"{task_count} workers per loop: loops will never complete", "add members to the team")
    return CheckResult("workteam", "pass", f"workteam {name} has {count} member(s)"
                       + (f"; {len(fixes)} empty group(s)" if fixes else ""))


def check_flow_definitions(ctx: DoctorContext) -> CheckResult:
    team = describe_team(ctx)
    team_arn = team.get("WorkteamArn") if isinstance(team, dict) else None
    output = f"s3://{ctx.bucket}/{ctx.prefix}".rstrip("/") if ctx.bucket else None
    if ctx.flow_name and ctx.flow is None:
        return CheckResult("flow-definitions", "fail", f"flow definition {ctx.flow_name}: {ctx.flow_error}",
                           create_flow_command(ctx.flow_name, ctx.role, team_arn, output))
    if ctx.flow is not None:
        status, name = ctx.flow["FlowDefinitionStatus"], ctx.flow["FlowDefinitionName"]
        if status == "Active":
            return CheckResult("flow-definitions", "pass", f"flow definition {name} is Active")
        if status == "Initializing":
            return CheckResult("flow-definitions", "warn", f"flow definition {name} is still Initializing",
                               "wait until DescribeFlowDefinition shows Active before starting loops")
        return CheckResult("flow-definitions", "fail", f"flow definition {name} is {status}: "
                           f"{ctx.flow.get('FailureReason', 'no reason given')}",
                           f"aws sagemaker delete-flow-definition --flow-definition-name {name}\n"
                           + create_flow_command(name, ctx.role, team_arn, output))
    summaries = list(iter_flow_definitions(ctx.session.sagemaker))
    if not summaries:
        return CheckResult("flow-definitions", "warn", "no flow definition in this region yet",
                           create_flow_command("<name>", ctx.role, team_arn, output))
    bad = [f"{s['FlowDefinitionName']} ({s['FlowDefinitionStatus']})" for s in summaries
           if s["FlowDefinitionStatus"] != "Active"]
    if bad:
        return CheckResult("flow-definitions", "warn", f"not Active: {', '.join(bad)}",
                           "pass flow_definition= to check the one you will use")
    return CheckResult("flow-definitions", "pass", f"{len(summaries)} flow definition(s), all Active")


def check_task_ui(ctx: DoctorContext) -> CheckResult:
    arn = ((ctx.flow or {}).get("HumanLoopConfig") or {}).get("HumanTaskUiArn")
    if arn is None:
        return CheckResult("task-ui", "warn", "no flow definition with a task UI given: nothing rendered",
                           "a2i-kit doctor --flow-definition <name>")
    sample = ctx.sample_input if ctx.sample_input is not None else {}
    answer = ctx.session.sagemaker.render_ui_template(
        HumanTaskUiArn=arn, Task={"Input": json.dumps(sample)}, RoleArn=ctx.flow["RoleArn"])  # type: ignore[index]
    errors = answer.get("Errors") or []
    name = resource_name(arn)
    if not errors:
        return CheckResult("task-ui", "pass", f"task UI {name} renders with the sample input")
    text = "; ".join(f"{e.get('Code')}: {e.get('Message')}" for e in errors)
    fix = ("fix the template or the input (preview offline: a2i-kit template lint <template.html> --input "
           "sample.json), then create a new task UI and flow definition: a task UI cannot be changed in place")
    if ctx.sample_input is None:
        return CheckResult("task-ui", "warn", f"task UI {name} fails to render an empty input ({text}); "
                           "pass sample_input= to check it with a real one", fix)
    return CheckResult("task-ui", "fail", f"task UI {name} fails to render the sample input: {text}", fix)
