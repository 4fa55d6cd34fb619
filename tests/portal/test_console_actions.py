"""The manager console's pages and actions over raw HTTP, on every store: each action does what
the AWS API or the workforce API would (same rules, same messages), every bad input gets a
readable page, and no action runs without the manager session's CSRF token from the portal."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from portal_sessions import Browserish, sign_in_as_manager, sign_in_by_link

from a2i_kit.review import WorkerClient, add_worker

M = "/_a2i/portal/manage"


@pytest.fixture
def manager(service: Any) -> Browserish:
    return sign_in_as_manager(service.url, service.admin_token)


@pytest.fixture
def flow(make_flow: Any, runtime_client: Any) -> dict[str, Any]:
    flow = make_flow("claims", task_count=2)
    for name in ("loop-1", "loop-2"):
        runtime_client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                                        HumanLoopInput={"InputContent": json.dumps({"text": "<img src=x>"})})
    return flow


def status_of(runtime_client: Any, loop: str) -> str:
    return str(runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"])


def text(response: httpx.Response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.text))


def link_in(response: httpx.Response) -> str:
    found = re.search(r'value="([^"]+)" data-link', response.text)
    assert found, response.text[-500:]
    return unescape(found.group(1))


# -- pages -----------------------------------------------------------------------------------
@pytest.mark.usefixtures("flow")
def test_pages_show_jobs_loops_and_answers_escaped(service: Any, manager: Browserish) -> None:
    alice = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    with WorkerClient(service.url, alice["token"]) as worker:
        worker.claim("loop-1")
        worker.submit("loop-1", {"note": "</pre><script>alert(1)</script>"})
    home = manager.get(M)
    assert home.status_code == 200
    assert 'data-flow="claims"' in home.text
    assert "Review claims" in home.text
    assert re.search(r"<strong>alice</strong>", home.text)
    assert alice["workerId"] not in text(home).replace(alice["workerId"] + "/", "")  # never the id as a label
    listing = manager.get(f"{M}/loops?job=claims")
    assert listing.status_code == 200
    assert 'href="/_a2i/portal/manage/loops/loop-1"' in listing.text
    detail = manager.get(f"{M}/loops/loop-1")
    assert detail.status_code == 200
    assert "<script>alert(1)</script>" not in detail.text
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
    assert "&lt;img src=x&gt;" in detail.text
    assert 'data-worker="alice"' in detail.text


@pytest.mark.parametrize(("path", "status", "message"), [
    (f"{M}?status=Done", 400, "'status' must be one of InProgress"),
    (f"{M}/loops?page=abc", 400, "'page' must be a whole number"),
    (f"{M}/loops?size=1000", 400, "'size' must be one of 10, 25, 50, 100"),
    (f"{M}/loops?job=missing", 404, "There is no flow definition named 'missing'"),
    (f"{M}/loops/nope", 404, "There is no human loop named 'nope'"),
    (f"{M}/loops/bad_name", 400, "A human loop name has 1-63 letters"),
    (f"{M}/loops/bad_name/stop", 400, "A human loop name has 1-63 letters"),
    (f"{M}/workers/zz/remove", 400, "That is not a worker id"),
    (f"{M}/workers/0123456789abcdef/remove", 404, "worker '0123456789abcdef' does not exist"),
])
def test_bad_addresses_get_readable_pages(manager: Browserish, path: str, status: int, message: str) -> None:
    response = manager.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert message in text(response)


@pytest.mark.usefixtures("flow")
def test_admin_header_opens_the_console_read_only(service: Any) -> None:
    headers = {"X-A2I-Admin-Token": service.admin_token}
    page = httpx.get(f"{service.url}{M}", headers=headers)
    assert page.status_code == 200
    assert 'data-flow="claims"' in page.text
    assert 'name="csrf"' not in page.text
    assert "Sign in with the admin token form to add or remove workers." in text(page)
    refused = httpx.post(f"{service.url}{M}/loops/loop-1/stop", headers=headers, data={"csrf": "x"})
    assert refused.status_code == 401
    assert "Sign in to the manager view to use its forms." in text(refused)
    assert httpx.get(f"{service.url}{M}/loops").status_code == 401


# -- loops -------------------------------------------------------------------------------------
@pytest.mark.usefixtures("flow")
def test_stop_then_delete_a_loop(manager: Browserish, runtime_client: Any) -> None:
    ask = manager.get(f"{M}/loops/loop-1/stop")
    assert ask.status_code == 200
    assert "Stop this loop?" in text(ask)
    assert status_of(runtime_client, "loop-1") == "InProgress"          # asking changed nothing
    stopped = manager.post_form(f"{M}/loops/loop-1/stop")
    assert (stopped.status_code, stopped.headers["location"]) == (303, f"{M}/loops/loop-1?msg=stopped")
    assert status_of(runtime_client, "loop-1") == "Stopped"
    assert "The loop was stopped." in text(manager.get(f"{M}/loops/loop-1?msg=stopped"))
    deleted = manager.post_form(f"{M}/loops/loop-1/delete")
    assert (deleted.status_code, deleted.headers["location"]) == (303, f"{M}/loops?job=claims&msg=deleted")
    with pytest.raises(ClientError) as caught:
        runtime_client.describe_human_loop(HumanLoopName="loop-1")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    listing = manager.get(f"{M}/loops?job=claims&msg=deleted")
    assert "The loop was deleted." in text(listing)
    assert 'data-loop="loop-1"' not in listing.text


@pytest.mark.usefixtures("flow")
def test_delete_follows_the_aws_rules(manager: Browserish, runtime_client: Any) -> None:
    refused = manager.post_form(f"{M}/loops/loop-2/delete")
    assert refused.status_code == 400
    assert ("HumanLoop 'loop-2' is InProgress; only Completed, Failed or Stopped loops can be deleted. "
            "Stop it first with StopHumanLoop.") in text(refused)
    assert status_of(runtime_client, "loop-2") == "InProgress"
    missing = manager.post_form(f"{M}/loops/gone/delete")
    assert missing.status_code == 404
    assert "HumanLoop 'gone' does not exist (or was deleted)." in text(missing)
    missing_stop = manager.post_form(f"{M}/loops/gone/stop")
    assert missing_stop.status_code == 404


@pytest.mark.usefixtures("flow")
def test_stop_with_a_reviewer_working_waits_for_them(service: Any, manager: Browserish,
                                                     runtime_client: Any) -> None:
    alice = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    with WorkerClient(service.url, alice["token"]) as worker:
        worker.claim("loop-2")
        assert manager.post_form(f"{M}/loops/loop-2/stop").status_code == 303
        assert status_of(runtime_client, "loop-2") == "Stopping"
        worker.submit("loop-2", {"ok": True})
    assert status_of(runtime_client, "loop-2") == "Stopped"


# -- workers -----------------------------------------------------------------------------------
@pytest.mark.usefixtures("flow")
def test_add_worker_shows_a_working_link_once(service: Any, manager: Browserish) -> None:
    added = manager.post_form(f"{M}/workers", {"name": "Zoë Example", "email": "zoe@example.com",
                                               "team": "team-claims"})
    assert added.status_code == 201
    assert "It is shown only now" in text(added)
    link = link_in(added)
    home = manager.get(M)
    assert "Zoë Example" in home.text
    assert "zoe@example.com" in home.text
    assert link not in home.text                                          # shown once, never listed
    zoe = sign_in_by_link(service.url, link)
    queue = zoe.get("/_a2i/portal/").text
    assert "Zoë Example" in queue
    assert "loop-1" in queue


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"name": "", "team": "team-claims"}, 400, "worker 'name' must be 1-128 printable characters"),
    ({"name": "x" * 129, "team": "team-claims"}, 400, "worker 'name' must be 1-128 printable characters"),
    ({"name": "amy", "email": "not an email", "team": "team-claims"}, 400, "'not an email' is not an email address"),
    ({"name": "amy", "team": "no-such-team"}, 400, "Pick the worker's team from the list"),
    ({"name": "amy"}, 400, "Pick the worker's team from the list"),
    ({"name": "alice", "team": "team-claims"}, 409, "a worker named 'alice' already exists"),
])
@pytest.mark.usefixtures("flow")
def test_add_worker_refusals(service: Any, manager: Browserish, form: dict[str, str],
                             status: int, message: str) -> None:
    add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    refused = manager.post_form(f"{M}/workers", form)
    assert refused.status_code == status
    assert message in text(refused)
    names = [w["doc"]["name"] for w in service.context.store.workers.all()]
    assert names == ["alice"]


def test_new_sign_in_link(service: Any, manager: Browserish) -> None:
    alice = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    response = manager.post_form(f"{M}/workers/{alice['workerId']}/signin-link")
    assert response.status_code == 200
    assert "New sign-in link" in text(response)
    link = link_in(response)
    assert link != alice["signInUrl"]
    assert "Signed in as" in sign_in_by_link(service.url, link).get("/_a2i/portal/").text
    assert httpx.get(link, headers={"Sec-Fetch-Site": "none"}).status_code == 410   # one-time
    unknown = manager.post_form(f"{M}/workers/0123456789abcdef/signin-link")
    assert unknown.status_code == 404
    assert "worker '0123456789abcdef' does not exist" in text(unknown)
    bad = manager.post_form(f"{M}/workers/ALICE/signin-link")
    assert bad.status_code == 400
    assert "That is not a worker id" in text(bad)


@pytest.mark.usefixtures("flow")
def test_remove_worker_returns_their_claims(service: Any, manager: Browserish) -> None:
    alice = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    session = sign_in_by_link(service.url, alice["signInUrl"])
    with WorkerClient(service.url, alice["token"]) as worker:
        worker.claim("loop-1")
        worker.claim("loop-2")
        worker.submit("loop-2", {"ok": True})
    ask = manager.get(f"{M}/workers/{alice['workerId']}/remove")
    assert ask.status_code == 200
    assert "Remove this worker?" in text(ask)
    assert "alice" in text(ask)
    removed = manager.post_form(f"{M}/workers/{alice['workerId']}/remove")
    assert (removed.status_code, removed.headers["location"]) == (303, f"{M}?msg=removed#workers")
    claims = {a["loop_name"]: a["status"] for a in service.context.store.claims.all()}
    assert claims == {"loop-1": "released", "loop-2": "submitted"}       # open claim back, answer kept
    assert session.get("/_a2i/portal/").status_code == 401                # their session ended
    assert 'data-worker="alice"' not in manager.get(M).text
    detail = manager.get(f"{M}/loops/loop-2")
    assert 'data-worker="removed worker"' in detail.text
    again = manager.post_form(f"{M}/workers/{alice['workerId']}/remove")
    assert again.status_code == 404


# -- forgery -----------------------------------------------------------------------------------
ACTIONS = [
    (f"{M}/loops/loop-1/stop", {}),
    (f"{M}/loops/loop-2/delete", {}),
    (f"{M}/workers", {"name": "mallory", "team": "team-claims"}),
    (f"{M}/workers/{{wid}}/signin-link", {}),
    (f"{M}/workers/{{wid}}/remove", {}),
]
FORGERIES: dict[str, tuple[dict[str, Any], str]] = {
    "no-token": ({"csrf": False}, "The form's security token is missing or belongs to another session."),
    "wrong-token": ({}, "The form's security token is missing or belongs to another session."),
    "other-origin": ({"origin": "http://127.0.0.1:1"}, "only be sent from the portal's own pages"),
    "null-origin": ({"origin": "null"}, "only be sent from the portal's own pages"),
    "same-site": ({"origin": None, "Sec-Fetch-Site": "same-site"}, "only be sent from the portal's own pages"),
}


@pytest.mark.parametrize(("path", "form"), ACTIONS)
@pytest.mark.usefixtures("flow")
def test_actions_need_the_token_and_the_portals_origin(service: Any, manager: Browserish, runtime_client: Any,
                                                       path: str, form: dict[str, str]) -> None:
    alice = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    runtime_client.stop_human_loop(HumanLoopName="loop-2")
    url = path.format(wid=alice["workerId"])
    for how, (kwargs, message) in FORGERIES.items():
        data = {**form, "csrf": "f" * 40} if how == "wrong-token" else form
        response = manager.post_form(url, data, **kwargs)
        assert (how, response.status_code) == (how, 403)
        assert message in text(response), how
    as_json = manager.post_json(url, {**form, "csrf": manager.csrf})
    assert as_json.status_code == 415
    assert "Portal forms are sent as application/x-www-form-urlencoded" in text(as_json)
    assert status_of(runtime_client, "loop-1") == "InProgress"
    assert status_of(runtime_client, "loop-2") == "Stopped"               # not deleted
    assert [w["doc"]["name"] for w in service.context.store.workers.all()] == ["alice"]
    assert manager.get(M).status_code == 200                              # still the manager


@pytest.mark.usefixtures("flow")
def test_bad_form_bodies_are_refused(manager: Browserish) -> None:
    raw = httpx.post(manager.url + f"{M}/workers", content=b"name=%ff&csrf=" + manager.csrf.encode(),
                     headers=manager.headers(Origin=manager.url, **{"Content-Type": "application/x-www-form-urlencoded"}))
    assert raw.status_code == 400
    assert "not valid UTF-8" in text(raw)
    big = manager.post_form(f"{M}/workers", {"name": "x" * 5000, "team": "team-claims"})
    assert big.status_code == 413
