"""Sessions and CSRF over raw HTTP: every rule a hostile page would have to break, one by one."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from portal_sessions import (
    MANAGER,
    PRE,
    SESSION,
    Browserish,
    cookie_value,
    csrf_of,
    pre_session,
    set_cookies,
    sign_in_as_manager,
    sign_in_by_link,
)

from a2i_kit.review import AdminClient, add_worker


@pytest.fixture
def admin(service: Any) -> Any:
    with AdminClient(service.url, service.admin_token) as client:
        yield client


@pytest.fixture
def loop(make_flow: Any, runtime_client: Any) -> str:
    flow = make_flow()
    runtime_client.start_human_loop(HumanLoopName="loop-1", FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": json.dumps({"text": "hi"})})
    return "loop-1"


@pytest.fixture
def alice(service: Any) -> dict[str, Any]:
    return add_worker(service.url, service.admin_token, "alice", ["reviewers"])


@pytest.fixture
def user(service: Any, alice: dict[str, Any]) -> Browserish:
    return sign_in_by_link(service.url, alice["signInUrl"])


def claims(service: Any, loop: str) -> list[tuple[str, str]]:
    return [(a["worker_id"], a["status"]) for a in service.context.store.claims.of_loop(loop)]


CLAIM = "/_a2i/worker/tasks/loop-1/claim"


# -- worker API with the session cookie ---------------------------------------------------------
@pytest.mark.parametrize(("headers", "csrf", "status", "code", "message"), [
    ({}, False, 403, "InvalidCsrfToken", "X-A2I-CSRF header is missing"),
    ({"X-A2I-CSRF": "0" * 40}, False, 403, "InvalidCsrfToken", "does not match your session"),
    ({"Origin": "http://127.0.0.1:1"}, True, 403, "CrossOriginRequest", "not from this portal"),
    ({"Origin": "null"}, True, 403, "CrossOriginRequest", "(Origin: null)"),
    ({"Sec-Fetch-Site": "cross-site"}, True, 403, "CrossOriginRequest", "Sec-Fetch-Site: cross-site"),
    ({"Sec-Fetch-Site": "same-site"}, True, 403, "CrossOriginRequest", "another port"),
])
def test_cookie_calls_need_csrf_and_the_portal_origin(service: Any, loop: str, user: Browserish,
                                                      headers: dict[str, str], csrf: bool, status: int,
                                                      code: str, message: str) -> None:
    response = user.post_json(CLAIM, csrf=csrf, origin=None, **headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert message in response.json()["error"]
    assert claims(service, loop) == []
    ok = user.post_json(CLAIM)   # the same browser from the portal's page, with its token
    assert ok.status_code == 200
    assert [s for _, s in claims(service, loop)] == ["claimed"]


def test_text_plain_submit_is_refused_even_with_the_token(service: Any, loop: str, user: Browserish) -> None:
    assert user.post_json(CLAIM).status_code == 200
    body = json.dumps({"answerContent": {"sentiment": {"label": "positive"}}})
    response = httpx.post(f"{service.url}/_a2i/worker/tasks/{loop}/submit", content=body,
                          headers=user.headers(**{"Content-Type": "text/plain", "X-A2I-CSRF": user.csrf,
                                                  "Origin": service.url}))
    assert (response.status_code, response.json()["code"]) == (415, "UnsupportedMediaType")
    assert "application/json" in response.json()["error"]
    assert [s for _, s in claims(service, loop)] == ["claimed"]
    done = user.post_json(f"/_a2i/worker/tasks/{loop}/submit", {"answerContent": {"s": 1}})
    assert done.json() == {"humanLoopStatus": "Completed"}


def test_bearer_calls_are_exempt(service: Any, loop: str, alice: dict[str, Any]) -> None:
    response = httpx.post(service.url + CLAIM, headers={"Authorization": f"Bearer {alice['token']}"})
    assert response.status_code == 200
    assert claims(service, loop) == [(alice["workerId"], "claimed")]


# -- session lifetime ---------------------------------------------------------------------------
def test_session_expires(service: Any, user: Browserish) -> None:
    assert user.get("/_a2i/worker/me").status_code == 200
    service.context.advance_clock(service.context.config.session_seconds + 1)
    expired = user.get("/_a2i/worker/me")
    assert (expired.status_code, expired.json()["code"]) == (401, "Unauthorized")
    assert user.get("/_a2i/portal/").status_code == 401


def test_rotating_the_token_ends_sessions_and_links(admin: Any, alice: dict[str, Any],
                                                    user: Browserish) -> None:
    spare = admin.sign_in_link(alice["workerId"])
    admin.new_token(alice["workerId"])
    assert user.get("/_a2i/worker/me").status_code == 401
    page = httpx.get(spare)
    assert page.status_code == 410
    assert "the worker got a new token or was removed" in page.text


def test_sign_out_ends_the_session_even_for_a_copied_cookie(service: Any, user: Browserish) -> None:
    copy = Browserish(service.url, dict(user.cookies), user.csrf)
    refused = user.post_form("/_a2i/portal/signout", csrf=False)
    assert refused.status_code == 403
    assert copy.get("/_a2i/worker/me").status_code == 200
    out = user.post_form("/_a2i/portal/signout")
    assert (out.status_code, out.headers["location"]) == (303, "/_a2i/portal/?msg=signedout")
    assert "max-age=0" in set_cookies(out)[SESSION].lower()
    assert copy.get("/_a2i/worker/me").status_code == 401


def test_get_never_signs_out(user: Browserish) -> None:
    page = user.get("/_a2i/portal/signout")
    assert page.status_code == 200
    assert 'action="/_a2i/portal/signout"' in page.text
    assert user.get("/_a2i/worker/me").status_code == 200


# -- removed worker -----------------------------------------------------------------------------
def test_removed_worker_claims_return_to_the_pool(service: Any, loop: str, admin: Any, alice: dict[str, Any],
                                                  user: Browserish) -> None:
    assert user.post_json(CLAIM).status_code == 200
    bob = add_worker(service.url, service.admin_token, "bob", ["reviewers"])
    bearer = {"Authorization": f"Bearer {bob['token']}"}
    full = httpx.post(service.url + CLAIM, headers=bearer)
    assert (full.status_code, full.json()["code"]) == (409, "Conflict")
    assert admin.delete_worker(alice["workerId"]) == [loop]
    assert claims(service, loop) == [(alice["workerId"], "released")]
    assert user.get("/_a2i/worker/me").status_code == 401
    assert httpx.post(service.url + CLAIM, headers=bearer).status_code == 200


def test_removed_worker_finishes_a_stopping_loop(loop: str, admin: Any, alice: dict[str, Any],
                                                 user: Browserish, runtime_client: Any) -> None:
    assert user.post_json(CLAIM).status_code == 200
    runtime_client.stop_human_loop(HumanLoopName=loop)
    assert runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] == "Stopping"
    admin.delete_worker(alice["workerId"])
    assert runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] == "Stopped"


# -- one-time sign-in links ---------------------------------------------------------------------
def test_link_works_once(service: Any, alice: dict[str, Any]) -> None:
    sign_in_by_link(service.url, alice["signInUrl"])
    again = httpx.get(alice["signInUrl"])
    assert again.status_code == 410
    assert "already used" in again.text
    assert "Ask whoever runs the review for a new sign-in link" in again.text
    assert SESSION not in set_cookies(again)


def test_link_expires(service: Any, alice: dict[str, Any]) -> None:
    service.context.advance_clock(service.context.config.signin_link_seconds + 1)
    page = httpx.get(alice["signInUrl"])
    assert page.status_code == 410
    assert "This sign-in link has expired" in page.text
    assert SESSION not in set_cookies(page)


@pytest.mark.parametrize("tamper", ["flip", "cut", "token"])
def test_forged_links_are_refused(service: Any, alice: dict[str, Any], tamper: str) -> None:
    url = alice["signInUrl"]
    if tamper == "flip":
        url = url[:-1] + ("0" if url[-1] != "0" else "1")
    elif tamper == "cut":
        url = url[:-10]
    else:   # links of earlier versions carried the API token
        url = f"{service.url}/_a2i/portal/login?token={alice['token']}"
    page = httpx.get(url)
    assert page.status_code == 400
    assert ("not valid" in page.text) or ("no longer carry the worker token" in page.text)
    assert SESSION not in set_cookies(page)


def test_link_never_silently_replaces_another_workers_session(service: Any,
                                                              user: Browserish) -> None:
    bob = add_worker(service.url, service.admin_token, "bob", ["reviewers"])
    page = httpx.get(bob["signInUrl"], headers={**user.headers(), "Sec-Fetch-Site": "none"})
    assert page.status_code == 200
    assert "You are signed in as <strong>alice</strong>" in page.text
    assert SESSION not in set_cookies(page)
    assert user.get("/_a2i/worker/me").json()["name"] == "alice"
    link = bob["signInUrl"].split("link=", 1)[1]
    forged = user.post_form("/_a2i/portal/signin/link", {"link": link}, csrf=False)
    assert forged.status_code == 403
    foreign = user.post_form("/_a2i/portal/signin/link", {"link": link}, origin="http://127.0.0.1:1")
    assert foreign.status_code == 403
    switched = user.post_form("/_a2i/portal/signin/link", {"link": link, "csrf": csrf_of(page.text)})
    assert switched.status_code == 303
    bob_user = Browserish(service.url, {SESSION: cookie_value(switched, SESSION)})
    assert bob_user.get("/_a2i/worker/me").json()["name"] == "bob"
    assert user.get("/_a2i/worker/me").status_code == 401   # the replaced session ended with the switch


def test_link_opened_from_another_site_asks_first(service: Any, alice: dict[str, Any]) -> None:
    page = httpx.get(alice["signInUrl"], headers={"Sec-Fetch-Site": "cross-site"})
    assert page.status_code == 200
    browser = Browserish(service.url, {PRE: cookie_value(page, PRE)}, csrf_of(page.text))
    link = alice["signInUrl"].split("link=", 1)[1]
    done = browser.post_form("/_a2i/portal/signin/link", {"link": link})
    assert done.status_code == 303
    assert Browserish(service.url, {SESSION: cookie_value(done, SESSION)}).get("/_a2i/worker/me").status_code == 200


# -- cookies ------------------------------------------------------------------------------------
def test_plain_http_host_names_fall_back_to_unprefixed_cookies(tmp_path: Any) -> None:
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    thread = ServiceThread(ServiceConfig(data_dir=tmp_path / "d", allowed_hosts=("review.example",)))
    thread.start()
    try:
        worker = add_worker(thread.url, thread.admin_token, "alice", ["reviewers"])
        link = worker["signInUrl"].replace(thread.url, "")
        response = httpx.get(thread.url + link, headers={"Host": "review.example"})
        assert response.status_code == 303
        cookie = set_cookies(response)["a2i_session"]
        assert "secure" not in cookie.lower()
        assert all(a in cookie for a in ("HttpOnly", "Path=/_a2i", "SameSite=strict"))
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        me = httpx.get(thread.url + "/_a2i/worker/me", headers={"Host": "review.example",
                                                                "Cookie": f"a2i_session={value}"})
        assert me.json()["name"] == "alice"
        # on a loopback name only the __Host- cookie counts
        loopback = httpx.get(thread.url + "/_a2i/worker/me", headers={"Cookie": f"a2i_session={value}"})
        assert loopback.status_code == 401
    finally:
        thread.stop()


# -- manager ------------------------------------------------------------------------------------
def test_manager_session_never_holds_the_admin_token(service: Any) -> None:
    manager = sign_in_as_manager(service.url, service.admin_token)
    assert service.admin_token not in manager.cookies[MANAGER]
    assert manager.get("/_a2i/portal/manage").status_code == 200
    legacy = httpx.get(f"{service.url}/_a2i/portal/manage", headers={"Cookie": f"a2i_admin={service.admin_token}"})
    assert legacy.status_code == 401
    copy = Browserish(service.url, dict(manager.cookies))
    assert manager.post_form("/_a2i/portal/manage/signout", csrf=False).status_code == 403
    assert manager.post_form("/_a2i/portal/manage/signout", origin="http://127.0.0.1:1").status_code == 403
    assert copy.get("/_a2i/portal/manage").status_code == 200
    assert manager.post_form("/_a2i/portal/manage/signout").status_code == 303
    assert copy.get("/_a2i/portal/manage").status_code == 401


def test_manager_sign_in_needs_the_form_token(service: Any) -> None:
    browser = pre_session(service.url, "/_a2i/portal/manage")
    refused = browser.post_form("/_a2i/portal/manage/signin", {"token": service.admin_token}, csrf=False)
    assert refused.status_code == 403
    assert MANAGER not in set_cookies(refused)
    wrong = browser.post_form("/_a2i/portal/manage/signin", {"token": "nope"})
    assert wrong.status_code == 401
    assert "That admin token is not valid" in wrong.text
