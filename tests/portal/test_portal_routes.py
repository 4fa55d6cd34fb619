"""Portal routes over plain HTTP (no browser): static files, sign-in variants, headers, manager."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from portal_sessions import SESSION, Browserish, cookie_value, pre_session, set_cookies

from a2i_kit.portal.manager import overview
from a2i_kit.review import add_worker


@pytest.mark.parametrize(("path", "kind"), [
    ("/_a2i/static/crowd/crowd-html-elements.js", "javascript"),
    ("/_a2i/static/crowd/crowd.css", "text/css"),
    ("/_a2i/static/portal/portal.js", "javascript"),
])
def test_static_files_are_served_for_cross_origin_modules(service: Any, path: str, kind: str) -> None:
    response = httpx.get(service.url + path)
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_static_files_do_not_leave_the_static_folder(service: Any) -> None:
    assert httpx.get(service.url + "/_a2i/static/../portal/routes.py").status_code == 404
    assert httpx.get(service.url + "/_a2i/static/%2e%2e/routes.py").status_code == 404


@pytest.mark.parametrize(("fetch_site", "status"), [("none", 303), ("same-origin", 303), (None, 303),
                                                   ("cross-site", 200), ("same-site", 200)])
def test_sign_in_link(service: Any, fetch_site: str | None, status: int) -> None:
    worker = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    headers = {"Sec-Fetch-Site": fetch_site} if fetch_site else {}
    response = httpx.get(worker["signInUrl"], headers=headers)
    assert response.status_code == status
    assert response.headers["referrer-policy"] == "no-referrer"
    if status == 303:
        assert response.headers["location"] == "/_a2i/portal/"
        cookie = set_cookies(response)[SESSION]
        for attribute in ("HttpOnly", "Path=/;", "SameSite=strict", "Secure", "Max-Age=28800"):
            assert attribute.lower() in cookie.lower()
        assert worker["token"] not in cookie
        assert worker["token"].split("_", 2)[2] not in cookie
    else:   # opened from another site or port: a page asks first, nothing is signed in yet
        assert SESSION not in set_cookies(response)
        assert "This link signs you in as <strong>alice</strong>" in response.text
        assert 'action="/_a2i/portal/signin/link"' in response.text


def test_token_form_post(service: Any) -> None:
    worker = add_worker(service.url, service.admin_token, "bob", ["reviewers"])
    user = pre_session(service.url)
    ok = user.post_form("/_a2i/portal/signin", {"token": worker["token"]})
    assert (ok.status_code, ok.headers["location"]) == (303, "/_a2i/portal/")
    signed_in = Browserish(service.url, {SESSION: cookie_value(ok, SESSION)})
    queue = signed_in.get("/_a2i/portal/")
    assert queue.status_code == 200
    assert "Signed in as <strong>bob</strong>" in queue.text
    bad = user.post_form("/_a2i/portal/signin", {"token": "nope"})
    assert bad.status_code == 401
    assert "not valid" in bad.text
    assert SESSION not in set_cookies(bad)
    no_csrf = user.post_form("/_a2i/portal/signin", {"token": worker["token"]}, csrf=False)
    assert no_csrf.status_code == 403
    assert "security token is missing" in no_csrf.text
    assert SESSION not in set_cookies(no_csrf)


def test_pages_carry_security_headers(service: Any) -> None:
    response = httpx.get(f"{service.url}/_a2i/portal/")
    headers = response.headers
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    assert "object-src 'none'" in headers["content-security-policy"]
    assert (headers["x-frame-options"], headers["referrer-policy"], headers["cache-control"]) == (
        "SAMEORIGIN", "same-origin", "no-store")


def test_manager_view_with_admin_header(service: Any, make_flow: Any, runtime_client: Any) -> None:
    flow = make_flow("claims")
    runtime_client.start_human_loop(HumanLoopName="l-1", FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": '{"text": "x"}'})
    assert httpx.get(f"{service.url}/_a2i/portal/manage").status_code == 401
    page = httpx.get(f"{service.url}/_a2i/portal/manage", headers={"X-A2I-Admin-Token": service.admin_token})
    assert page.status_code == 200
    assert 'data-flow="claims"' in page.text
    data = overview(service.context)
    assert data["flows"][0]["counts"] == {"InProgress": 1}
    assert data["flows"][0]["loops"][0] == {"name": "l-1", "status": "InProgress", "taskCount": 1,
                                            "submitted": 0, "claimed": 0, "workers": []}


@pytest.mark.parametrize("origin", ["null", "http://evil.example", "http://127.0.0.1:1"])
def test_posts_from_other_origins_are_refused(service: Any, origin: str) -> None:
    worker = add_worker(service.url, service.admin_token, "eve", ["reviewers"])
    user = pre_session(service.url)
    response = user.post_form("/_a2i/portal/signin", {"token": worker["token"]}, origin=origin)
    assert response.status_code == 403
    assert "only be sent from the portal&#x27;s own pages" in response.text
    assert "set-cookie" not in response.headers
    same = user.post_form("/_a2i/portal/signin", {"token": worker["token"]})
    assert same.status_code == 303


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/tasks/l-1"), ("POST", "/tasks/l-1/claim"), ("POST", "/tasks/l-1/release"),
    ("GET", "/jobs/claims"), ("POST", "/jobs/claims/start"), ("POST", "/jobs/claims/skip"),
    ("GET", "/jobs/claims/tasks/l-1"), ("GET", "/jobs/claims/answers/l-1"),
])
def test_worker_routes_without_a_session_ask_to_sign_in(service: Any, method: str, path: str) -> None:
    response = httpx.request(method, f"{service.url}/_a2i/portal{path}")
    assert response.status_code == 401
    assert "Sign in to work on tasks." in response.text
    assert 'action="/_a2i/portal/signin"' in response.text


@pytest.mark.parametrize(("path", "status", "title"), [
    ("/jobs/nope", 404, "No such task"), ("/jobs/nope/tasks/l-1", 404, "No such task"),
    ("/jobs/nope/answers/l-1", 404, "No such task"), ("/tasks/l-404", 404, "No such task"),
    ("/jobs/bad%20name", 400, "Request refused"),
])
def test_worker_routes_answer_a_readable_page_for_what_is_not_there(service: Any, path: str, status: int,
                                                                       title: str) -> None:
    worker = add_worker(service.url, service.admin_token, "carol", ["reviewers"])
    ok = pre_session(service.url).post_form("/_a2i/portal/signin", {"token": worker["token"]})
    signed_in = Browserish(service.url, {SESSION: cookie_value(ok, SESSION)})
    response = signed_in.get(f"/_a2i/portal{path}")
    assert response.status_code == status
    assert title in response.text
    assert "Signed in as <strong>carol</strong>" in response.text
