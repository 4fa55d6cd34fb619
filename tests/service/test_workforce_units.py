"""Workforce records without HTTP: tokens, membership, identity data for output.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from a2i_kit.service.context import ServiceConfig, ServiceContext
from a2i_kit.service.workforce import (
    LOCAL_OIDC_ISSUER,
    WorkforceError,
    authenticate,
    create_worker,
    identity_data,
    member_teams,
    parse_token,
    rotate_token,
)

COGNITO = {"CognitoMemberDefinition": {"UserPool": "eu-west-1_Pool42", "UserGroup": "labelers",
                                       "ClientId": "c"}}
OIDC = {"OidcMemberDefinition": {"Groups": ["oidc-a", "oidc-b"]}}


@pytest.fixture
def ctx(tmp_path: Path) -> ServiceContext:
    context = ServiceContext.create(ServiceConfig(data_dir=tmp_path))
    for name, definitions in (("cognito-team", [COGNITO]), ("oidc-team", [OIDC]), ("mixed", [COGNITO, OIDC])):
        context.store.workteams.put({"name": name, "arn": context.arn("workteam", f"private-crowd/{name}"),
                                        "status": "Active", "creation_time": len(name),
                                        "doc": {"WorkteamName": name, "MemberDefinitions": definitions}})
    return context


def _team(ctx: ServiceContext, name: str) -> dict[str, Any]:
    record = ctx.store.workteams.get(name)
    assert record is not None
    return record


def test_tokens_authenticate_only_their_worker(ctx: ServiceContext) -> None:
    view, token = create_worker(ctx, "ann", ["labelers"])
    assert parse_token(token) == view["workerId"]
    assert authenticate(ctx, token)["name"] == view["workerId"]
    for wrong in (None, "", token + "x", token[:-1], "a2iw_" + "0" * 16 + "_x", "Bearer " + token):
        assert authenticate(ctx, wrong) is None
    new = rotate_token(ctx, view["workerId"])
    assert authenticate(ctx, token) is None
    assert authenticate(ctx, new) is not None


@pytest.mark.parametrize(("groups", "teams"), [
    (["labelers"], ["cognito-team", "mixed"]),
    (["oidc-b"], ["oidc-team", "mixed"]),
    (["nobody"], []),
])
def test_membership_follows_member_definition_groups(ctx: ServiceContext, groups: list[str],
                                                     teams: list[str]) -> None:
    _, token = create_worker(ctx, "w", groups)
    worker = authenticate(ctx, token)
    assert [t["name"] for t in member_teams(ctx, worker)] == sorted(teams, key=len)


@pytest.mark.parametrize(("provider", "groups", "team", "issuer", "kind"), [
    ("Cognito", ["labelers"], "cognito-team",
     "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool42", "Cognito"),
    ("Oidc", ["oidc-a"], "oidc-team", LOCAL_OIDC_ISSUER, "Oidc"),
    ("Oidc", ["labelers", "oidc-a"], "mixed", LOCAL_OIDC_ISSUER, "Oidc"),
    ("Cognito", ["labelers", "oidc-a"], "mixed",
     "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool42", "Cognito"),
])
def test_identity_data_names_the_matching_identity_provider(
        ctx: ServiceContext, provider: str, groups: list[str], team: str, issuer: str, kind: str) -> None:
    view, token = create_worker(ctx, "w", groups, provider)
    data = identity_data(ctx, authenticate(ctx, token), _team(ctx, team))
    assert data == {"identityProviderType": kind, "issuer": issuer, "sub": view["sub"]}


def test_duplicate_names_are_refused(ctx: ServiceContext) -> None:
    create_worker(ctx, "ann", ["labelers"])
    with pytest.raises(WorkforceError, match="a worker named 'ann' already exists") as refused:
        create_worker(ctx, "ann", ["labelers"])
    assert (refused.value.status, refused.value.code) == (409, "Conflict")
