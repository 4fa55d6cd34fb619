"""A hostile page on another loopback port, in the browser of a signed-in manager, tries every
console action (no-cors fetches, form posts into hidden frames, frame visits of the confirmation
pages). Chromium sends the manager cookie along (same-site); the CSRF token and the origin checks
must stop it. Judged by the service's state read back afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from test_hostile_page import HostileSite, attack, carried_session, hostile  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
M = "/_a2i/portal/manage"


def test_hostile_page_cannot_use_the_console(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                             runtime_client: Any, page: Any, hostile: HostileSite) -> None:  # noqa: F811
    flow = make_flow()
    running = start_loop(flow, {"text": "keep running"})
    finished = start_loop(flow, {"text": "keep me"})
    runtime_client.stop_human_loop(HumanLoopName=finished)
    alice = make_worker("alice")
    page.goto(f"{service.url}{M}")
    page.get_by_label("Admin token").fill(service.admin_token)
    page.get_by_role("button", name="Open manager view").click()
    page.get_by_role("heading", name="Review progress").wait_for()
    wid = alice["workerId"]
    form = "application/x-www-form-urlencoded"
    steps = [
        ["fetch", "fetch-stop", f"{M}/loops/{running}/stop", {"type": form, "body": "csrf=guess"}],
        ["fetch", "fetch-delete", f"{M}/loops/{finished}/delete", {"type": form, "body": ""}],
        ["fetch", "fetch-add", f"{M}/workers", {"type": form, "body": "name=mallory&team=team-flow-1"}],
        ["fetch", "fetch-remove", f"{M}/workers/{wid}/remove", {"type": "text/plain", "body": "csrf=x"}],
        ["form", "form-stop", f"{M}/loops/{running}/stop", {"csrf": "guess"}],
        ["form", "form-delete", f"{M}/loops/{finished}/delete", {}],
        ["form", "form-add", f"{M}/workers", {"name": "mallory", "email": "m@evil.example", "team": "team-flow-1"}],
        ["form", "form-link", f"{M}/workers/{wid}/signin-link", {"csrf": "guess"}],
        ["form", "form-remove", f"{M}/workers/{wid}/remove", {}],
        ["visit", "visit-stop", f"{M}/loops/{running}/stop", None],
        ["visit", "visit-delete", f"{M}/loops/{finished}/delete", None],
        ["visit", "visit-remove", f"{M}/workers/{wid}/remove", None],
    ]
    result, requests = attack(page, hostile, service, steps)
    assert set(result.values()) == {"sent"}
    assert carried_session(requests, f"{M}/workers/{wid}/remove")            # same-site: the cookie went along
    assert runtime_client.describe_human_loop(HumanLoopName=running)["HumanLoopStatus"] == "InProgress"
    assert runtime_client.describe_human_loop(HumanLoopName=finished)["HumanLoopStatus"] == "Stopped"
    assert [w["doc"]["name"] for w in service.context.store.workers.all()] == ["alice"]
    page.goto(f"{service.url}{M}")
    assert page.get_by_role("heading", name="Review progress").is_visible()   # still the manager
    assert page.locator('tr[data-worker="alice"]').count() == 1
