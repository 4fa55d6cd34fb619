"""Portal rules and security: sign-in, teams, TaskCount, expiry, release, escaping, frame isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from a2i_kit.templates import builtin

pytestmark = pytest.mark.browser


def test_no_token_is_401(service: Any) -> None:
    home = httpx.get(f"{service.url}/_a2i/portal/")
    assert home.status_code == 401
    assert 'name="token"' in home.text
    api = httpx.get(f"{service.url}/_a2i/worker/tasks")
    assert api.status_code == 401
    assert api.json()["code"] == "Unauthorized"
    assert "sign in first" in api.json()["error"]
    bad = httpx.get(f"{service.url}/_a2i/portal/login", params={"link": "e30.nope"})
    assert bad.status_code == 400
    assert "This sign-in link is not valid" in bad.text
    old = httpx.get(f"{service.url}/_a2i/portal/signin", params={"token": "a2iw_0123456789abcdef_nope"})
    assert old.status_code == 400
    assert "Sign-in links no longer carry the worker token" in old.text
    claim = httpx.post(f"{service.url}/_a2i/portal/tasks/any/claim")
    assert claim.status_code == 401


def test_sign_in_sets_a_strict_httponly_cookie(service: Any, make_worker: Any, portal: Any, page: Any) -> None:
    worker = make_worker("alice")
    portal.sign_in(worker)
    # Chromium keeps a __Host- (Secure, Path=/) cookie on plain-http loopback: a secure context
    cookie = next(c for c in page.context.cookies() if c["name"] == "__Host-a2i_session")
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"], cookie["secure"]) == (True, "Strict", "/", True)
    assert worker["token"].split("_", 2)[2] not in cookie["value"]
    response = page.request.get(f"{service.url}/_a2i/portal/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    assert [c for c in page.context.cookies() if c["name"] == "__Host-a2i_session"] == []


def test_token_form_signs_in(make_worker: Any, page: Any, service: Any) -> None:
    worker = make_worker("carol")
    page.goto(f"{service.url}/_a2i/portal/")
    page.get_by_label("Worker token").fill(worker["token"])
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your tasks").wait_for()
    assert page.get_by_text("Signed in as carol").is_visible()


def test_other_team_can_neither_see_nor_claim(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                             portal: Any, page: Any) -> None:
    loop = start_loop(make_flow(), {"text": "hi"})
    mallory = make_worker("mallory", ["others"])
    portal.sign_in(mallory)
    assert page.locator(f'button[data-loop="{loop}"]').count() == 0
    assert page.get_by_text("No tasks are waiting for you").is_visible()
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    pages = page.request.post(f"{service.url}/_a2i/portal/tasks/{loop}/claim", form={"csrf": csrf},
                              headers={"Origin": service.url})
    assert pages.status == 403
    assert "is not a member of workteam" in pages.text()
    task_page = page.request.get(f"{service.url}/_a2i/portal/tasks/{loop}")
    assert task_page.status == 403
    api = httpx.post(f"{service.url}/_a2i/worker/tasks/{loop}/claim",
                     headers={"Authorization": f"Bearer {mallory['token']}"})
    assert (api.status_code, api.json()["code"]) == (403, "Forbidden")


def test_submit_without_claim_is_rejected(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                          portal: Any, page: Any) -> None:
    loop = start_loop(make_flow(), {"text": "hi"})
    portal.sign_in(make_worker("alice"))
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    response = page.request.post(f"{service.url}/_a2i/worker/tasks/{loop}/submit",
                                 data={"answerContent": {"sentiment": {"label": "positive"}}},
                                 headers={"X-A2I-CSRF": csrf, "Origin": service.url})
    assert response.status == 409
    assert response.json()["code"] == "Conflict"
    assert "claim it first" in response.json()["error"]
    not_held = page.request.get(f"{service.url}/_a2i/portal/tasks/{loop}")
    assert not_held.status == 409
    assert "hold no claim" in not_held.text()


def test_task_count_two_needs_two_distinct_workers(make_flow: Any, make_worker: Any,
                                                   start_loop: Any, portal: Any, page: Any, output_of: Any,
                                                   runtime_client: Any) -> None:
    loop = start_loop(make_flow(task_count=2), {"text": "so-so"})
    answers = {}
    for name, choice in (("alice", "neutral"), ("bob", "negative")):
        page.context.clear_cookies()
        portal.sign_in(make_worker(name))
        frame = portal.open_task(loop)
        frame.locator("crowd-classifier .crowd-choice", has_text=choice).click()
        portal.submit_and_wait(frame)
        answers[name] = choice
        assert page.locator(f'button[data-loop="{loop}"]').count() == 0   # answered once per worker
        status = runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"]
        assert status == ("InProgress" if name == "alice" else "Completed")
    output = output_of(loop)
    labels = sorted(a["answerContent"]["sentiment"]["label"] for a in output["humanAnswers"])
    assert labels == ["negative", "neutral"]
    assert len({a["workerId"] for a in output["humanAnswers"]}) == 2


def test_expired_claim_goes_back_to_the_queue(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                              portal: Any, page: Any, browser: Any) -> None:
    loop = start_loop(make_flow(), {"text": "late"})
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    bob = make_worker("bob")
    other = browser.new_context()
    try:
        bob_page = other.new_page()
        bob_page.goto(bob["signInUrl"])
        assert bob_page.locator(f'button[data-loop="{loop}"]').count() == 0   # alice holds the only slot
        service.context.advance_clock(3601)   # TaskTimeLimitInSeconds defaults to 3600
        bob_page.reload()
        bob_page.locator(f'button[data-loop="{loop}"]').click()
        bob_page.wait_for_url(f"**/_a2i/portal/tasks/{loop}")
    finally:
        other.close()
    frame.locator("crowd-classifier .crowd-choice", has_text="positive").click()
    frame.get_by_role("button", name="Submit").click()
    error = page.locator("[data-submit-error]")
    error.wait_for()
    # "expired" before the sweeper marks the claim, "no claim" after: both refuse the answer
    assert "Your answer was not saved" in error.inner_text()
    assert any(word in error.inner_text() for word in ("expired", "hold no claim"))
    assert list(service.context.config.mirror_dir.glob(f"**/{loop}/output.json")) == []


def test_release_returns_the_task(make_flow: Any, make_worker: Any, start_loop: Any, portal: Any, page: Any) -> None:
    loop = start_loop(make_flow(), {"text": "x"})
    portal.sign_in(make_worker("alice"))
    portal.open_task(loop)
    page.get_by_role("button", name="Release").click()
    page.get_by_text("The task went back to the queue.").wait_for()
    assert page.locator(f'button[data-loop="{loop}"]').inner_text() == "Start"


def test_required_field_blocks_submit_in_portal(make_flow: Any, make_worker: Any, start_loop: Any,
                                                portal: Any, page: Any, runtime_client: Any) -> None:
    template = builtin("tabular-review")
    loop = start_loop(make_flow(template=template.content), template.sample_input)
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    frame.get_by_role("button", name="Submit").click()
    message = frame.locator("crowd-form .crowd-form-errors")
    message.wait_for()
    assert 'Please fill in "verdict1"' in message.inner_text()
    assert page.url.endswith(f"/_a2i/portal/tasks/{loop}")
    assert runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] == "InProgress"


ESCAPE_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form><crowd-classifier name="c" header="h" categories="['ok']">
<classification-target><p id="escaped">{{ task.input.text }}</p>
<div id="trusted">{{ task.input.table | skip_autoescape }}</div></classification-target></crowd-classifier></crowd-form>"""


def test_input_values_are_escaped_unless_the_template_opts_out(make_flow: Any, make_worker: Any, start_loop: Any,
                                                               portal: Any, page: Any) -> None:
    attack = '<img src=x onerror="window.pwned = 1">'
    loop = start_loop(make_flow(template=ESCAPE_TEMPLATE), {"text": attack, "table": "<b>bold</b>"})
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    assert frame.locator("#escaped").inner_text() == attack
    assert frame.locator("#escaped img").count() == 0
    assert frame.locator("#trusted b").inner_text() == "bold"
    inner = page.main_frame.child_frames[0]
    assert inner.evaluate("() => window.pwned === undefined")


PROBE = """async (serviceUrl) => {
    const out = {};
    try { out.cookie = document.cookie; } catch (err) { out.cookie = err.name; }
    try { out.storage = String(window.localStorage.length); } catch (err) { out.storage = err.name; }
    try { out.session = String(window.sessionStorage.length); } catch (err) { out.session = err.name; }
    try { out.parent = window.parent.document.cookie; } catch (err) { out.parent = err.name; }
    for (const [key, url] of [["fetchRelative", "/_a2i/worker/me"], ["fetchAbsolute", serviceUrl + "/_a2i/worker/me"]]) {
        try {
            const r = await fetch(url, {credentials: "include"});
            out[key] = "status " + r.status;
        } catch (err) { out[key] = err.name; }
    }
    out.origin = window.origin;
    return out;
}"""


def test_task_frame_cannot_reach_cookies_storage_or_the_api(service: Any, make_flow: Any, make_worker: Any,
                                                           start_loop: Any, portal: Any, page: Any) -> None:
    loop = start_loop(make_flow(), {"text": "probe"})
    portal.sign_in(make_worker("alice"))
    portal.open_task(loop)
    inner = page.main_frame.child_frames[0]
    result = inner.evaluate(PROBE, service.url)
    assert result["cookie"] == "SecurityError"
    assert result["storage"] == "SecurityError"
    assert result["session"] == "SecurityError"
    assert result["parent"] == "SecurityError"
    assert result["fetchRelative"] in ("TypeError", "status 401")
    assert result["fetchAbsolute"] in ("TypeError", "status 401")
    assert result["origin"] == "null"
    # the portal page itself is still signed in: the failure above is the sandbox, not a lost cookie
    assert page.evaluate("async () => (await fetch('/_a2i/worker/me')).status") == 200


def test_messages_from_other_windows_are_ignored(make_flow: Any, make_worker: Any, start_loop: Any,
                                                 portal: Any, page: Any, output_of: Any) -> None:
    loop = start_loop(make_flow(), {"text": "spoof"})
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    page.evaluate("() => window.postMessage({type: 'a2i-kit:submit', answerContent: {forged: true}}, '*')")
    frame.locator("crowd-classifier .crowd-choice", has_text="positive").click()
    portal.submit_and_wait(frame)
    assert output_of(loop)["humanAnswers"][0]["answerContent"] == {"sentiment": {"label": "positive"}}


def test_manager_view_shows_progress_and_answers(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                                 portal: Any, page: Any) -> None:
    flow = make_flow("claims-review", task_count=2)
    loop = start_loop(flow, {"text": "x"})
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    frame.locator("crowd-classifier .crowd-choice", has_text="positive").click()
    portal.submit_and_wait(frame)
    denied = httpx.get(f"{service.url}/_a2i/portal/manage")
    assert denied.status_code == 401
    page.goto(f"{service.url}/_a2i/portal/manage")
    page.get_by_label("Admin token").fill("wrong")
    page.get_by_role("button", name="Open manager view").click()
    page.get_by_text("That admin token is not valid.").wait_for()
    page.get_by_label("Admin token").fill(service.admin_token)
    page.get_by_role("button", name="Open manager view").click()
    job = page.locator('[data-jobs] tr[data-flow="claims-review"]')
    assert job.locator('td[data-label="In progress"]').inner_text() == "1"
    assert job.locator('td[data-label="Answers"]').inner_text().strip() == "1 / 2"
    assert page.locator('[data-workers] tr[data-worker="alice"] strong').inner_text() == "alice"


def test_keyboard_only_answer(make_flow: Any, make_worker: Any, start_loop: Any, portal: Any, page: Any,
                              output_of: Any) -> None:
    loop = start_loop(make_flow(), {"text": "keys"})
    portal.sign_in(make_worker("alice"))
    page.locator(f'button[data-loop="{loop}"]').focus()
    page.keyboard.press("Enter")
    page.locator("body[data-task-ready]").wait_for(state="attached")
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    page.wait_for_url("**/_a2i/portal/?msg=submitted")
    assert output_of(loop)["humanAnswers"][0]["answerContent"] == {"sentiment": {"label": "neutral"}}
