"""Local private workforce: workers, their tokens, and which workteams they belong to.

A worker record lives in the store table ``workers`` (``name`` = the 16-hex ``workerId`` A2I
puts in output.json). Only the SHA-256 of a worker's token is stored. A worker belongs to a
workteam when one of its groups is the ``CognitoMemberDefinition.UserGroup`` or one of the
``OidcMemberDefinition.Groups`` of that team.

Identity data in output.json: Cognito workers get the issuer
``https://cognito-idp.<region>.amazonaws.com/<UserPool>`` of the member definition that matched;
Oidc workers get :data:`LOCAL_OIDC_ISSUER` (the stand-in for the workforce's own IdP).

Example:
    >>> token = make_token("0f3c9a2b7d1e4c55")
    >>> parse_token(token)
    '0f3c9a2b7d1e4c55'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from typing import Any

from a2i_kit.errors import ServiceError
from a2i_kit.service.context import ServiceContext

IDENTITY_PROVIDERS = ("Cognito", "Oidc")
# Issuer reported for workers of the local OIDC identity provider (stable across restarts/ports).
LOCAL_OIDC_ISSUER = "https://oidc.a2i-kit.local"
SIGN_IN_PATH = "/_a2i/portal/login"
TOKEN_PREFIX = "a2iw"
_GROUP = re.compile(r"[^\s]{1,128}")
_WORKER_ID = re.compile(r"[0-9a-f]{16}")
# Compared against when the token names no known worker, so a miss costs the same as a hit.
_DUMMY_DIGEST = hashlib.sha256(b"no such worker").hexdigest()


class WorkforceError(ServiceError):
    """A worker-facing error with the HTTP status and JSON ``code`` it is reported with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def make_token(worker_id: str) -> str:
    """A new bearer token: ``a2iw_<workerId>_<secret>`` (the id lets us find the hash to compare)."""
    return f"{TOKEN_PREFIX}_{worker_id}_{secrets.token_urlsafe(32)}"


def parse_token(token: str) -> str | None:
    """The worker id inside a token, or None when the token is not one of ours."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not _WORKER_ID.fullmatch(parts[1]):
        return None
    return parts[1]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_worker_input(name: Any, groups: Any, identity_provider: Any) -> list[str]:
    if not isinstance(name, str) or not name.strip() or len(name) > 128 or not name.isprintable():
        raise WorkforceError(400, "InvalidRequest",
                             "worker 'name' must be 1-128 printable characters, e.g. \"alice\"")
    if not isinstance(groups, list) or not groups or len(groups) > 10:
        raise WorkforceError(400, "InvalidRequest",
                             f"worker {name!r}: 'groups' must list 1-10 group names, e.g. [\"reviewers\"]")
    for group in groups:
        if not isinstance(group, str) or not _GROUP.fullmatch(group):
            raise WorkforceError(400, "InvalidRequest",
                                 f"worker {name!r}: group {group!r} must be 1-128 characters without spaces")
    if identity_provider not in IDENTITY_PROVIDERS:
        raise WorkforceError(400, "InvalidRequest",
                             f"worker {name!r}: identityProvider must be one of {', '.join(IDENTITY_PROVIDERS)}")
    return list(dict.fromkeys(groups))


def create_worker(ctx: ServiceContext, name: str, groups: list[str],
                  identity_provider: str = "Cognito") -> tuple[dict[str, Any], str]:
    """Add a worker; returns (its public view, its token). The token is shown only once.

    The arguments may come straight from a request body: they are checked here.
    """
    groups = _check_worker_input(name, groups, identity_provider)
    if find_by_name(ctx, name) is not None:
        raise WorkforceError(409, "Conflict", f"a worker named {name!r} already exists; pick another "
                             "name, or rotate its token with POST /_a2i/workforce/workers/<id>/token")
    worker_id = secrets.token_hex(8)
    token = make_token(worker_id)
    now = ctx.clock.now()
    doc = {"name": name, "groups": groups, "identityProvider": identity_provider,
           "sub": str(uuid.uuid4()), "created": now, "tokenSha256": token_digest(token)}
    record = {"name": worker_id, "arn": ctx.arn("worker", worker_id), "status": "Active",
              "creation_time": now, "doc": doc}
    if not ctx.store.workers.insert(record):  # 2^64 ids: a clash means a bug, not bad luck
        raise WorkforceError(409, "Conflict", f"worker id {worker_id} exists; try again")
    return worker_view(record), token


def rotate_token(ctx: ServiceContext, worker_id: str) -> str:
    """Give a worker a new token; the old one stops working at once (in other service processes
    when the change's NOTIFY reaches their row cache, milliseconds after the commit)."""
    with ctx.store.transaction():
        record = get_worker(ctx, worker_id)
        token = make_token(worker_id)
        doc = {**record["doc"], "tokenSha256": token_digest(token)}
        ctx.store.workers.update(worker_id, doc=doc)
    return token


def delete_worker(ctx: ServiceContext, worker_id: str) -> list[str]:
    """Remove a worker: its token, sessions and sign-in links stop working and its open claims
    go back to the pool at once (its submitted answers stay). Returns the loops it held.

    A Stopping loop whose last live claim was this worker's is then finished (Stopped).
    """
    from a2i_kit.service import lifecycle

    with ctx.store.transaction():
        get_worker(ctx, worker_id)
        held = ctx.store.claims.held_by(worker_id)
        for assignment in held:
            ctx.store.claims.put({**assignment, "status": "released"})
        ctx.store.workers.delete(worker_id)
    loops = sorted({a["loop_name"] for a in held})
    for loop_name in loops:
        lifecycle.finish_if_done(ctx, loop_name)
    return loops


def get_worker(ctx: ServiceContext, worker_id: str) -> dict[str, Any]:
    record = ctx.store.workers.get(worker_id)
    if record is None:
        raise WorkforceError(404, "NotFound", f"worker {worker_id!r} does not exist; "
                             "list workers with GET /_a2i/workforce/workers")
    return record


def find_by_name(ctx: ServiceContext, name: str) -> dict[str, Any] | None:
    rows = ctx.store.workers.by_display_name(name)
    return rows[0] if rows else None


def list_workers(ctx: ServiceContext) -> list[dict[str, Any]]:
    rows = ctx.store.workers.all()
    return [worker_view(row) for row in rows]


def worker_view(record: dict[str, Any]) -> dict[str, Any]:
    """What the API shows of a worker (never the token hash)."""
    doc = record["doc"]
    return {"workerId": record["name"], "name": doc["name"], "groups": list(doc["groups"]),
            "identityProvider": doc["identityProvider"], "sub": doc["sub"]}


def authenticate(ctx: ServiceContext, token: str | None) -> dict[str, Any] | None:
    """The worker record a token belongs to, or None. Digest comparison is constant-time.

    The record comes from the process's row cache (``store.row_cache``): a rotation or removal
    reaches every process when it commits. A token the cached record does not match is checked
    against the database once more (a token rotated a moment ago in another process).
    """
    worker_id = parse_token(token) if token else None
    record = ctx.store.workers.get_cached(worker_id) if worker_id else None
    supplied = token_digest(token or "")
    if record is not None and not hmac.compare_digest(record["doc"]["tokenSha256"], supplied):
        record = ctx.store.workers.get_fresh(worker_id) if worker_id else None
    expected = record["doc"]["tokenSha256"] if record else _DUMMY_DIGEST
    if not hmac.compare_digest(expected, supplied) or record is None:
        return None
    return record


def sign_in_url(ctx: ServiceContext, worker_id: str) -> str:
    """A one-time link that signs a worker in to the local portal (it holds no token).

    It works once, within ``ServiceConfig.signin_link_seconds``, and stops working when the
    worker's token is rotated or the worker is removed (see :mod:`a2i_kit.service.sessions`).
    """
    from a2i_kit.service.hosts import link_base
    from a2i_kit.service.sessions import make_link

    return f"{link_base(ctx)}{SIGN_IN_PATH}?link={make_link(ctx, get_worker(ctx, worker_id))}"


# -- workteams ---------------------------------------------------------------------------------
def matching_definitions(team_doc: dict[str, Any], groups: list[str]) -> list[dict[str, Any]]:
    """The member definitions of a team that one of ``groups`` satisfies."""
    wanted = set(groups)
    found = []
    for definition in team_doc.get("MemberDefinitions") or []:
        cognito = definition.get("CognitoMemberDefinition")
        oidc = definition.get("OidcMemberDefinition")
        if (cognito and cognito.get("UserGroup") in wanted) or (oidc and wanted & set(oidc.get("Groups") or [])):
            found.append(definition)
    return found


def member_teams(ctx: ServiceContext, worker: dict[str, Any]) -> list[dict[str, Any]]:
    """Workteam records (as stored by CreateWorkteam) that the worker belongs to."""
    teams = ctx.store.workteams.all()
    groups = worker["doc"]["groups"]
    return [team for team in teams if matching_definitions(team["doc"], groups)]


def identity_data(ctx: ServiceContext, worker: dict[str, Any], team: dict[str, Any] | None) -> dict[str, Any]:
    """``workerMetadata.identityData`` of output.json for this worker answering for ``team``."""
    doc = worker["doc"]
    definitions = matching_definitions(team["doc"], doc["groups"]) if team else []
    preferred = "CognitoMemberDefinition" if doc["identityProvider"] == "Cognito" else "OidcMemberDefinition"
    definitions.sort(key=lambda d: preferred not in d)
    if definitions and "CognitoMemberDefinition" in definitions[0]:
        pool = definitions[0]["CognitoMemberDefinition"].get("UserPool", "")
        return {"identityProviderType": "Cognito", "issuer": cognito_issuer(pool, ctx.config.region),
                "sub": doc["sub"]}
    if definitions or doc["identityProvider"] == "Oidc":
        return {"identityProviderType": "Oidc", "issuer": LOCAL_OIDC_ISSUER, "sub": doc["sub"]}
    return {"identityProviderType": "Cognito",
            "issuer": cognito_issuer(f"{ctx.config.region}_a2ikit", ctx.config.region), "sub": doc["sub"]}


def cognito_issuer(user_pool: str, default_region: str) -> str:
    """``https://cognito-idp.<region>.amazonaws.com/<pool>``; the region is the pool id's prefix.

    >>> cognito_issuer("eu-west-1_AbC123", "us-east-1")
    'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123'
    """
    region = user_pool.split("_", 1)[0] if "_" in user_pool else default_region
    return f"https://cognito-idp.{region or default_region}.amazonaws.com/{user_pool}"
