"""Who may do what: tokens, teams, claims, admin-only routes; every error has code and message."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def setup(make_flow: Any, start_loops: Any, add_worker: Any) -> dict[str, Any]:
    flow = make_flow()
    [loop] = start_loops(flow)
    alice = add_worker("alice")
    outsider = add_worker("mallory", groups=["elsewhere"])
    return {"loop": loop, "alice": alice, "outsider": outsider}


def _bearer(client: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.info['token']}"}


@pytest.mark.parametrize(("method", "path", "who", "body", "status", "code", "message"), [
    ("GET", "/_a2i/worker/me", None, None, 401, "Unauthorized", "sign in first"),
    ("GET", "/_a2i/worker/tasks", "bad", None, 401, "Unauthorized", "Bearer <worker token>"),
    ("POST", "/_a2i/worker/tasks/{loop}/claim", "outsider", None, 403, "Forbidden",
     "is not a member of workteam"),
    ("POST", "/_a2i/worker/tasks/no-such-loop/claim", "alice", None, 404, "NotFound", "does not exist"),
    ("POST", "/_a2i/worker/tasks/{loop}/submit", "alice", {"answerContent": {"a": 1}}, 409, "Conflict",
     "you hold no claim"),
    ("POST", "/_a2i/worker/tasks/{loop}/release", "alice", None, 409, "Conflict", "you hold no claim"),
    ("POST", "/_a2i/worker/tasks/{loop}/submit", "alice+claim", {"answerContent": ["x"]}, 400,
     "InvalidRequest", "answerContent must be a JSON object"),
    ("POST", "/_a2i/worker/tasks/{loop}/submit", "alice+claim", {"answer": {}}, 400, "InvalidRequest",
     '"answerContent"'),
    ("POST", "/_a2i/worker/tasks/{loop}/submit", "alice+claim", {"answerContent": {"t": "x" * 1100000}},
     400, "InvalidRequest", "the limit is 1048576 bytes"),
    ("POST", "/_a2i/worker/tasks/{loop}/submit", "alice+claim",
     {"answerContent": {}, "timeSpentInSeconds": 1}, 403, "Forbidden", "only simulated reviewers"),
    ("GET", "/_a2i/workforce/workers", "alice", None, 401, "Unauthorized", "X-A2I-Admin-Token"),
    ("GET", "/_a2i/events", None, None, 401, "Unauthorized", "X-A2I-Admin-Token"),
    ("GET", "/_a2i/workforce/tasks/{loop}", "alice", None, 401, "Unauthorized", "admin token"),
])
def test_refusals(setup: dict[str, Any], http: Any, method: str, path: str, who: str | None,
                  body: Any, status: int, code: str, message: str) -> None:
    headers: dict[str, str] = {}
    if who == "bad":
        headers = {"Authorization": "Bearer a2iw_0123456789abcdef_forged"}
    elif who:
        worker = setup[who.split("+")[0]]
        headers = _bearer(worker)
        if who.endswith("+claim"):
            worker.claim(setup["loop"])
    response = http.request(method, path.format(loop=setup["loop"]), headers=headers, json=body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert message in response.json()["error"]


def test_session_cookie_authenticates_but_a_token_cookie_does_not(setup: dict[str, Any], http: Any) -> None:
    alice = setup["alice"].info
    signed_in = http.get(alice["signInUrl"])
    assert signed_in.status_code == 303
    session = signed_in.headers["set-cookie"].split(";", 1)[0]
    assert session.startswith("__Host-a2i_session=")
    assert http.get("/_a2i/worker/me", headers={"Cookie": session}).json()["name"] == "alice"
    # The cookie of earlier versions held the API token itself: it no longer signs anybody in.
    legacy = http.get("/_a2i/worker/me", headers={"Cookie": f"a2i_worker={alice['token']}"})
    assert (legacy.status_code, legacy.json()["code"]) == (401, "Unauthorized")
    # A session cookie is not a bearer token, and a token is not a session.
    value = session.split("=", 1)[1]
    as_bearer = http.get("/_a2i/worker/me", headers={"Authorization": f"Bearer {value}"})
    assert as_bearer.status_code == 401
    as_session = http.get("/_a2i/worker/me", headers={"Cookie": f"__Host-a2i_session={alice['token']}"})
    assert as_session.status_code == 401


def test_a_new_token_replaces_the_old_one(setup: dict[str, Any], admin: Any, http: Any) -> None:
    alice = setup["alice"]
    renewed = admin.new_token(alice.info["workerId"])
    assert renewed["workerId"] == alice.info["workerId"]
    assert renewed["token"] != alice.info["token"]
    assert http.get("/_a2i/worker/me", headers=_bearer(alice)).status_code == 401
    fresh = http.get("/_a2i/worker/me", headers={"Authorization": f"Bearer {renewed['token']}"})
    assert fresh.status_code == 200


def test_deleted_worker_is_locked_out(setup: dict[str, Any], admin: Any, http: Any) -> None:
    alice = setup["alice"]
    admin.delete_worker(alice.info["workerId"])
    assert http.get("/_a2i/worker/me", headers=_bearer(alice)).status_code == 401
    assert [w["name"] for w in admin.workers()] == ["mallory"]


def test_the_store_keeps_only_a_hash_of_the_token(service: Any, setup: dict[str, Any]) -> None:
    alice = setup["alice"]
    record = service.context.store.workers.get(alice.info["workerId"])
    stored = str(record)
    assert alice.info["token"] not in stored
    assert alice.info["token"].split("_", 2)[2] not in stored
    assert len(record["doc"]["tokenSha256"]) == 64


@pytest.mark.parametrize(("body", "message"), [
    ({"name": "", "groups": ["g"]}, "'name' must be 1-128 printable characters"),
    ({"name": "bob", "groups": []}, "'groups' must list 1-10 group names"),
    ({"name": "bob", "groups": ["two words"]}, "without spaces"),
    ({"name": "bob", "groups": ["g"], "identityProvider": "Saml"}, "identityProvider must be one of"),
    ({"name": "alice", "groups": ["g"]}, "a worker named 'alice' already exists"),
])
@pytest.mark.usefixtures("setup")
def test_add_worker_validation(http: Any, service: Any, body: dict[str, Any],
                               message: str) -> None:
    response = http.post("/_a2i/workforce/workers", json=body,
                         headers={"X-A2I-Admin-Token": service.admin_token})
    assert response.status_code == (409 if "already exists" in message else 400)
    assert response.json()["code"] == ("Conflict" if "already exists" in message else "InvalidRequest")
    assert message in response.json()["error"]
