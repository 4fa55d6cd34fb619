"""A hostile page on another loopback port, in the same browser as a signed-in worker or manager.

Cookies are not port-isolated: a page on ``http://127.0.0.1:<other port>`` is *same-site* with
the service, so Chromium sends the SameSite=Strict session cookie with its requests (the tests
check that it does). What must stop it is the CSRF token and the Origin/Sec-Fetch-Site checks.
Every attempt here is judged by the service's state read back through the API: no claim, no
answer, no sign-out, no other worker signed in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

pytestmark = pytest.mark.browser

BLANK = "<!doctype html><html><head><meta charset='utf-8'><title>cute cats</title></head><body>cats</body></html>"

# Runs in the hostile page's own origin (page.evaluate): no-cors fetches, form posts into hidden
# frames, and frame navigations, each awaited so the state is final when it returns.
ATTACK = """async ({service, steps}) => {
    const sent = {};
    const settle = (frame) => new Promise((resolve) => {
        const timer = setTimeout(resolve, 4000);
        frame.addEventListener("load", () => { clearTimeout(timer); resolve(); }, {once: true});
    });
    for (const [kind, name, path, payload] of steps) {
        try {
            if (kind === "fetch") {
                await fetch(service + path, {method: "POST", mode: "no-cors", credentials: "include",
                                             headers: {"Content-Type": payload.type}, body: payload.body});
            } else if (kind === "form") {
                const frame = document.createElement("iframe");
                frame.name = "sink-" + name;
                document.body.appendChild(frame);
                const form = document.createElement("form");
                Object.assign(form, {method: "post", action: service + path, target: frame.name});
                for (const [key, value] of Object.entries(payload)) {
                    const input = document.createElement("input");
                    Object.assign(input, {type: "hidden", name: key, value: value});
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                const done = settle(frame);
                form.submit();
                await done;
            } else {   // a navigation of a frame (a GET the service must not act on)
                const frame = document.createElement("iframe");
                const done = settle(frame);
                frame.src = service + path;
                document.body.appendChild(frame);
                await done;
            }
            sent[name] = "sent";
        } catch (err) { sent[name] = err.name; }
    }
    return sent;
}"""


class HostileSite:
    """A tiny starlette app on its own loopback port serving one blank page; it keeps the
    ``Cookie`` headers the browser sends it (cookies are per host, not per port)."""

    def __init__(self) -> None:
        self.cookies: list[str] = []

        async def blank(request: Any) -> HTMLResponse:
            self.cookies.append(request.headers.get("cookie", ""))
            return HTMLResponse(BLANK)

        app = Starlette(routes=[Route("/", blank)])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = ""

    def __enter__(self) -> HostileSite:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("hostile site did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture
def hostile() -> Iterator[HostileSite]:
    with HostileSite() as site:
        yield site


def attack(page: Any, hostile: HostileSite, service: Any,
           steps: list[list[Any]]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Open the hostile site in a new tab of the same browser context and run ``steps`` there.

    Returns what the page reports and the requests it made to the service (for the cookie check).
    """
    seen: list[Any] = []
    tab = page.context.new_page()
    tab.on("request", lambda request: seen.append(request) if request.url.startswith(service.url) else None)
    tab.goto(hostile.url)
    result = tab.evaluate(ATTACK, {"service": service.url, "steps": steps})
    sent = [(request.url, request.all_headers().get("cookie", "")) for request in seen]
    tab.close()
    return result, sent


def carried_session(requests: list[tuple[str, str]], path: str) -> bool:
    """Whether Chromium sent the session cookie with the hostile page's request to ``path``.

    Playwright reports the cookies of navigations and form posts; it leaves them out for
    ``fetch`` although Chromium sends them there too (checked against a recording server).
    """
    return any(url.endswith(path) and ("__Host-a2i_session=" in cookie or "__Host-a2i_manager=" in cookie)
               for url, cookie in requests)


def assignments(service: Any, loop: str) -> list[tuple[str, str]]:
    return [(a["worker_id"], a["status"]) for a in service.context.store.claims.of_loop(loop)]


def worker_steps(loop: str, mallory: dict[str, Any]) -> list[list[Any]]:
    answer = '{"answerContent": {"sentiment": {"label": "negative"}}}'
    link = mallory["signInUrl"].split("/_a2i/", 1)[1]
    text = {"type": "text/plain", "body": answer}
    return [
        ["fetch", "api-claim", f"/_a2i/worker/tasks/{loop}/claim", text],
        ["fetch", "api-submit", f"/_a2i/worker/tasks/{loop}/submit", text],
        ["fetch", "api-release", f"/_a2i/worker/tasks/{loop}/release", text],
        ["fetch", "fetch-signout", "/_a2i/portal/signout",
         {"type": "application/x-www-form-urlencoded", "body": "csrf=guess"}],
        ["form", "form-claim", f"/_a2i/portal/tasks/{loop}/claim", {"csrf": "guess"}],
        ["form", "form-release", f"/_a2i/portal/tasks/{loop}/release", {}],
        ["form", "form-signout", "/_a2i/portal/signout", {}],
        ["form", "form-signin-mallory", "/_a2i/portal/signin", {"token": mallory["token"]}],
        ["form", "form-link-mallory", "/_a2i/portal/signin/link", {"link": link.split("link=", 1)[1]}],
        ["visit", "visit-link-mallory", "/_a2i/" + link, None],
        ["visit", "visit-signout", "/_a2i/portal/signout", None],
    ]


def test_hostile_page_cannot_act_as_the_signed_in_worker(service: Any, make_flow: Any, make_worker: Any,
                                                         start_loop: Any, portal: Any, page: Any,
                                                         hostile: HostileSite) -> None:
    loop = start_loop(make_flow(), {"text": "fine"})
    alice = make_worker("alice")
    mallory = make_worker("mallory")
    portal.sign_in(alice)
    result, requests = attack(page, hostile, service, worker_steps(loop, mallory))
    assert set(result.values()) == {"sent"}
    assert carried_session(requests, f"/_a2i/portal/tasks/{loop}/claim")   # same-site: the cookie went along
    assert assignments(service, loop) == []                                # ... and still no claim
    me = page.evaluate("async () => (await (await fetch('/_a2i/worker/me')).json()).name")
    assert me == "alice"                                                   # neither signed out nor switched
    page.goto(f"{service.url}/_a2i/portal/")
    assert page.get_by_text("Signed in as alice").is_visible()
    second = httpx.get(mallory["signInUrl"], headers={"Sec-Fetch-Site": "none"})
    assert second.status_code == 303                                       # mallory's link was not used up


def test_what_another_port_receives_is_a_session_not_a_token(service: Any, make_worker: Any, portal: Any,
                                                             page: Any, hostile: HostileSite) -> None:
    """Chromium sends the portal's cookies to every port of 127.0.0.1 (the reason the cookie
    must never hold a token): what leaks is a session that is no API token, no admin token,
    and ends at sign-out."""
    alice = make_worker("alice")
    portal.sign_in(alice)
    attack(page, hostile, service, [])
    leaked = next(c for c in hostile.cookies if "__Host-a2i_session=" in c)
    value = leaked.split("__Host-a2i_session=", 1)[1].split(";", 1)[0]
    assert alice["token"].split("_", 2)[2] not in value
    assert service.admin_token not in leaked
    as_bearer = httpx.get(f"{service.url}/_a2i/worker/me", headers={"Authorization": f"Bearer {value}"})
    assert as_bearer.status_code == 401
    as_admin = httpx.get(f"{service.url}/_a2i/workforce/workers", headers={"Cookie": leaked})
    assert as_admin.status_code == 401
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    replay = httpx.get(f"{service.url}/_a2i/worker/me", headers={"Cookie": f"__Host-a2i_session={value}"})
    assert replay.status_code == 401


def test_hostile_page_cannot_submit_or_release_a_held_task(service: Any, make_flow: Any, make_worker: Any,
                                                           start_loop: Any, portal: Any, page: Any,
                                                           hostile: HostileSite, output_of: Any) -> None:
    loop = start_loop(make_flow(), {"text": "held"})
    alice = make_worker("alice")
    portal.sign_in(alice)
    frame = portal.open_task(loop)
    result, requests = attack(page, hostile, service, worker_steps(loop, make_worker("mallory")))
    assert set(result.values()) == {"sent"}
    assert carried_session(requests, f"/_a2i/portal/tasks/{loop}/release")
    assert assignments(service, loop) == [(alice["workerId"], "claimed")]
    assert list(service.context.config.mirror_dir.glob(f"**/{loop}/output.json")) == []
    # the legitimate flow still works: the sandboxed frame submits through portal.js
    frame.locator("crowd-classifier .crowd-choice", has_text="positive").click()
    portal.submit_and_wait(frame)
    answers = output_of(loop)["humanAnswers"]
    assert [a["answerContent"] for a in answers] == [{"sentiment": {"label": "positive"}}]
    assert answers[0]["workerId"] == alice["workerId"]


def test_hostile_page_cannot_act_as_the_manager(service: Any, page: Any, hostile: HostileSite) -> None:
    page.goto(f"{service.url}/_a2i/portal/manage")
    page.get_by_label("Admin token").fill(service.admin_token)
    page.get_by_role("button", name="Open manager view").click()
    page.get_by_role("heading", name="Review progress").wait_for()
    cookie = next(c for c in page.context.cookies() if c["name"] == "__Host-a2i_manager")
    assert service.admin_token not in cookie["value"]
    evil = '{"name": "evil", "groups": ["reviewers"]}'
    steps = [
        ["fetch", "add-worker", "/_a2i/workforce/workers", {"type": "text/plain", "body": evil}],
        ["fetch", "fetch-signout", "/_a2i/portal/manage/signout",
         {"type": "application/x-www-form-urlencoded", "body": "csrf=guess"}],
        ["form", "form-signout", "/_a2i/portal/manage/signout", {}],
        ["form", "form-signin", "/_a2i/portal/manage/signin", {"token": "guess"}],
        ["visit", "visit-signout", "/_a2i/portal/manage/signout", None],
    ]
    result, requests = attack(page, hostile, service, steps)
    assert set(result.values()) == {"sent"}
    assert carried_session(requests, "/_a2i/portal/manage/signout")
    workers = httpx.get(f"{service.url}/_a2i/workforce/workers", headers={"X-A2I-Admin-Token": service.admin_token})
    assert [w["name"] for w in workers.json()["workers"]] == []
    page.goto(f"{service.url}/_a2i/portal/manage")
    assert page.get_by_role("heading", name="Review progress").is_visible()   # still the manager


def test_hostile_page_cannot_sign_a_fresh_browser_in(service: Any, make_worker: Any, page: Any,
                                                     hostile: HostileSite) -> None:
    """No session yet: a link opened from another port asks first, so nobody is signed in silently."""
    mallory = make_worker("mallory")
    link = mallory["signInUrl"].split("/_a2i/", 1)[1]
    steps = [["visit", "visit-link", "/_a2i/" + link, None],
             ["form", "form-signin", "/_a2i/portal/signin", {"token": mallory["token"]}]]
    result, _requests = attack(page, hostile, service, steps)
    assert set(result.values()) == {"sent"}
    assert [c["name"] for c in page.context.cookies() if c["name"] == "__Host-a2i_session"] == []
    page.goto(mallory["signInUrl"])   # the link still works for its owner, opened directly
    page.get_by_role("heading", name="Your tasks").wait_for()
    assert page.get_by_text("Signed in as mallory").is_visible()
