"""CreateWorkteam / Describe / List / Update / Delete over real boto3."""

from __future__ import annotations

import re

import pytest

COGNITO = [{"CognitoMemberDefinition": {"UserPool": "us-east-1_Abc123", "UserGroup": "reviewers", "ClientId": "c1"}}]
OIDC = [{"OidcMemberDefinition": {"Groups": ["reviewers", "leads"]}}]


@pytest.mark.parametrize("members", [COGNITO, OIDC], ids=["cognito", "oidc"])
def test_create_and_describe_keep_member_definitions_verbatim(sagemaker_client, members):
    arn = sagemaker_client.create_workteam(WorkteamName="Team-A", Description="first team",
                                           MemberDefinitions=members)["WorkteamArn"]
    assert arn == "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/Team-A"
    team = sagemaker_client.describe_workteam(WorkteamName="Team-A")["Workteam"]
    assert team["MemberDefinitions"] == members
    assert team["WorkteamArn"] == arn
    assert re.fullmatch(r"[0-9a-f]{10}\.labeling\.us-east-1\.sagemaker\.aws", team["SubDomain"])


def test_unknown_team_is_validation_exception(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.describe_workteam, WorkteamName="ghost")
    assert code == "ValidationException"
    assert message == "The work team arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/ghost does not exist."
    code, message, _ = aws_error(sagemaker_client.delete_workteam, WorkteamName="ghost")
    assert code == "ValidationException"
    assert message.startswith("The work team ")


def test_duplicate_and_limit(sagemaker_client, aws_error):
    for index in range(25):
        sagemaker_client.create_workteam(WorkteamName=f"t{index}", Description="d", MemberDefinitions=OIDC)
    code, message, _ = aws_error(sagemaker_client.create_workteam, WorkteamName="t0", Description="d",
                                 MemberDefinitions=OIDC)
    assert (code, message) == ("ResourceInUse", "Workteam 't0' already exists.")
    code, message, _ = aws_error(sagemaker_client.create_workteam, WorkteamName="t25", Description="d",
                                 MemberDefinitions=OIDC)
    assert code == "ResourceLimitExceeded"
    assert message.startswith("You have reached the limit of 25 work teams")


def test_mixed_identity_providers_are_rejected(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.create_workteam, WorkteamName="mixed", Description="d",
                                 MemberDefinitions=COGNITO + OIDC)
    assert code == "ValidationException"
    assert "cannot mix identity providers" in message


def test_list_sort_filter_and_paginate(sagemaker_client):
    for name in ("beta", "alpha", "gamma"):
        sagemaker_client.create_workteam(WorkteamName=name, Description="d", MemberDefinitions=OIDC)
    by_name = sagemaker_client.list_workteams(SortBy="Name", SortOrder="Ascending")["Workteams"]
    assert [t["WorkteamName"] for t in by_name] == ["alpha", "beta", "gamma"]
    assert [t["WorkteamName"] for t in sagemaker_client.list_workteams(NameContains="mm")["Workteams"]] == ["gamma"]
    pages = sagemaker_client.get_paginator("list_workteams").paginate(
        SortBy="Name", SortOrder="Descending", PaginationConfig={"PageSize": 2})
    assert [t["WorkteamName"] for p in pages for t in p["Workteams"]] == ["gamma", "beta", "alpha"]


def test_update_then_delete(sagemaker_client, aws_error):
    sagemaker_client.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=OIDC)
    updated = sagemaker_client.update_workteam(WorkteamName="t", Description="new text")["Workteam"]
    assert updated["Description"] == "new text"
    assert sagemaker_client.delete_workteam(WorkteamName="t")["Success"] is True
    code, _, _ = aws_error(sagemaker_client.describe_workteam, WorkteamName="t")
    assert code == "ValidationException"


def test_garbled_workteam_token(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.list_workteams, NextToken="nope")
    assert code == "ValidationException"
    assert message.startswith("The NextToken is not valid for this request")


def test_update_unknown_team(sagemaker_client, aws_error):
    code, message, _ = aws_error(sagemaker_client.update_workteam, WorkteamName="ghost", Description="x")
    assert code == "ValidationException"
    assert message == "The work team arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/ghost does not exist."
