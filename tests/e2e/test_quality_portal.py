"""Reviewer quality control as a reviewer and a manager see it, in Chromium at 1400 and 400 px: the
queue says a qualification comes first, qualification tasks come before real ones, gold tasks are
mixed into the job looking like any task, and the console shows the reviewer's accuracy on them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import screen_checks
from screen_checks import OVERFLOW_JS, save_shot

page = screen_checks.page   # the page fixture at 1400 and 400 px
pytestmark = pytest.mark.browser
KEYS = {"positive": "1", "negative": "2"}
# The next task is on screen (another loop's frame is ready), or the job's all-done page.
NEXT_JS = """prev => (document.body.dataset.taskReady && document.body.dataset.taskReady !== prev)
  || [...document.querySelectorAll("h1")].some(h => h.textContent.startsWith("All done"))"""


def _items(prefix: str, n: int, label: str) -> list[dict[str, Any]]:
    return [{"itemId": f"{prefix}-{k}", "input": {"text": f"{prefix} sample {k}"},
             "answer": {"sentiment": {"label": label}}, "paths": ["sentiment.label"]} for k in range(n)]


def test_qualification_first_then_real_and_gold_tasks_and_accuracy_in_the_console(
        service: Any, make_flow: Any, make_worker: Any, start_loop: Any, portal: Any, page: Any,
        output_of: Any) -> None:
    flow = make_flow("qc")
    loops = [start_loop(flow, {"text": f"real review {k}"}, name=f"qc-{k}") for k in range(4)]
    with httpx.Client(base_url=service.url, headers={"X-A2I-Admin-Token": service.admin_token}) as admin:
        put = admin.put("/_a2i/quality/flows/qc/qualification",
                        json={"items": _items("qualifying", 2, "positive"), "threshold": 1.0})
        assert put.status_code == 200, put.text
        gold = admin.post("/_a2i/quality/flows/qc/gold", json={"items": _items("gold", 3, "negative"), "rate": 0.5})
        assert gold.status_code == 200, gold.text
    portal.sign_in(make_worker("alice"))
    notice = page.locator("[data-notice]")
    assert "needs its qualification first" in notice.inner_text()
    assert page.evaluate(OVERFLOW_JS)["bad"] == []
    save_shot(page, "portal-qualification-queue")
    page.locator('button[data-start="qc"]').click()
    shown: list[str] = []
    while True:
        page.locator("body[data-task-ready], h1:has-text('All done')").first.wait_for()
        if page.get_by_role("heading", name="All done for Review qc").is_visible():
            break
        frame = page.frame_locator("iframe[data-task-frame]")
        frame.locator("html[data-focused-first]").wait_for(state="attached")
        text = frame.locator("body").inner_text()
        shown.append("qualifying" if "qualifying sample" in text else "gold" if "gold sample" in text else "real")
        assert "gold" not in page.url   # nothing in the address gives a gold or qualification task away
        assert "qualif" not in page.url
        current = page.evaluate("() => document.body.dataset.taskReady")
        page.keyboard.press(KEYS["negative" if shown[-1] == "gold" else "positive"])
        page.keyboard.press("Enter")
        page.wait_for_function(NEXT_JS, arg=current)
        assert len(shown) < 20, shown
    assert shown[:2] == ["qualifying", "qualifying"], shown   # qualification before any real task
    assert shown.count("real") == 4, shown
    assert shown.count("gold") >= 1, shown
    assert {output_of(loop)["humanAnswers"][0]["answerContent"]["sentiment"]["label"] for loop in loops} == {"positive"}
    page.goto(f"{service.url}/_a2i/portal/manage")
    page.get_by_label("Admin token").fill(service.admin_token)
    page.get_by_role("button", name="Open manager view").click()
    section = page.locator("section.quality")
    section.wait_for()
    row = section.locator("tr", has_text="alice")
    assert "100 %" in row.inner_text()
    assert f"{shown.count('gold')} of {shown.count('gold')}" in row.inner_text()
    assert page.evaluate(OVERFLOW_JS)["bad"] == []
    save_shot(page, "console-quality")
