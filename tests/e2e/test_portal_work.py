"""Continuous work in the portal, in Chromium at 1400 px and 400 px: "Start working" on a job, submit →
the next task with focus inside its frame (keyboard only, no Tab), "N left", Skip, Previous + amend,
"All done"; screenshots of the queue and a continuous-mode task page with what a person checks."""

from __future__ import annotations

from typing import Any

import pytest
import screen_checks
from screen_checks import CONTROLS_JS, OVERFLOW_JS, save_shot

page = screen_checks.page   # the page fixture at 1400 and 400 px
pytestmark = pytest.mark.browser
ANSWER = {"positive": "1", "negative": "2", "neutral": "3"}

# The deepest focused element of a document (through shadow roots): tag, class, text.
DEEP_FOCUS_JS = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el ? {tag: el.localName, cls: el.getAttribute("class") || "", text: el.textContent.trim().slice(0, 40)} : null;
}"""




def frame_of(page: Any) -> Any:
    return page.frame_locator("iframe[data-task-frame]")


def wait_task(page: Any, loop: str) -> Any:
    """Wait until the task of ``loop`` is on screen and its frame reported ready; the frame locator."""
    page.locator(f'body[data-task-ready="{loop}"]').wait_for(state="attached")
    frame = frame_of(page)
    frame.locator("html[data-focused-first]").wait_for(state="attached")
    return frame


def focus_in_frame(page: Any) -> dict[str, Any]:
    """Where the keyboard is: the page's focused element must be the frame; inside, its first control."""
    assert page.evaluate("() => document.activeElement && document.activeElement.matches('iframe[data-task-frame]')")
    return frame_of(page).locator("html").evaluate(DEEP_FOCUS_JS)


def left(page: Any) -> str:
    return page.locator("[data-left]").inner_text()


def answers_of(service: Any, loop: str) -> dict[str, Any]:
    return {a["worker_id"]: a["doc"].get("answerContent") for a in service.context.store.claims.of_loop(loop)
            if a["status"] == "submitted"}


def test_keyboard_only_continuous_run(make_flow: Any, make_worker: Any, start_loop: Any,
                                      portal: Any, page: Any, output_of: Any) -> None:
    flow = make_flow("keys")
    loops = [start_loop(flow, {"text": f"review {index}"}, name=f"keys-{index}") for index in range(3)]
    portal.sign_in(make_worker("alice"))
    start = page.locator('button[data-start="keys"]')
    assert start.inner_text() == "Start working"
    start.focus()
    page.keyboard.press("Enter")
    for index, (loop, label) in enumerate(zip(loops, ["positive", "negative", "neutral"], strict=True)):
        wait_task(page, loop)
        assert page.url.endswith(f"/_a2i/portal/jobs/keys/tasks/{loop}")
        assert left(page) == str(3 - index)
        focused = focus_in_frame(page)
        assert (focused["tag"], focused["cls"], focused["text"]) == ("button", "crowd-choice", "1positive")
        page.keyboard.press(ANSWER[label])
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="All done for Review keys").wait_for()
    assert page.url.endswith("/_a2i/portal/jobs/keys")
    assert page.evaluate("() => document.activeElement.textContent") == "Back to your tasks"
    got = [output_of(loop)["humanAnswers"][0]["answerContent"]["sentiment"]["label"] for loop in loops]
    assert got == ["positive", "negative", "neutral"]
    page.keyboard.press("Enter")   # the focused "Back to your tasks"
    page.get_by_text("No tasks are waiting for you right now.").wait_for()


def test_skip_previous_amend_and_all_done(service: Any, make_flow: Any, make_worker: Any, start_loop: Any,
                                          portal: Any, page: Any, runtime_client: Any) -> None:
    flow = make_flow("amend", task_count=2)
    loops = [start_loop(flow, {"text": f"item {index}"}, name=f"amend-{index}") for index in range(3)]
    alice = make_worker("alice")
    portal.sign_in(alice)
    page.locator('button[data-start="amend"]').click()
    frame = wait_task(page, loops[0])
    assert page.locator("[data-previous]").is_hidden()
    frame.locator("crowd-classifier .crowd-choice", has_text="positive").click()
    frame.get_by_role("button", name="Submit").click()
    frame = wait_task(page, loops[1])
    assert left(page) == "2"
    page.get_by_role("link", name="Previous").click()
    page.get_by_role("heading", name="Change your answer: Review amend").wait_for()
    assert '"label": "positive"' in page.locator("pre.answer").text_content()
    frame = wait_task(page, loops[0])
    frame.locator("crowd-classifier .crowd-choice", has_text="neutral").click()
    frame.get_by_role("button", name="Submit").click()
    wait_task(page, loops[1])   # back to the task in hand
    assert page.get_by_text("Your earlier answer was changed.").is_visible()
    assert answers_of(service, loops[0]) == {alice["workerId"]: {"sentiment": {"label": "neutral"}}}
    page.get_by_role("button", name="Skip").click()
    frame = wait_task(page, loops[2])   # the skipped one does not come back in this run
    assert left(page) == "1"
    frame.locator("crowd-classifier .crowd-choice", has_text="negative").click()
    frame.get_by_role("button", name="Submit").click()
    page.get_by_role("heading", name="All done for Review amend").wait_for()
    assert "You skipped 1 task; they went back to the queue" in page.locator("main").inner_text()
    save_shot(page, "portal-all-done")
    # bob gives amend-0 its second answer: the loop closes, and alice's Previous says so
    bob = make_worker("bob")
    with page.context.browser.new_context() as other:
        bob_page = other.new_page()
        bob_page.goto(bob["signInUrl"])
        bob_page.locator(f'button[data-loop="{loops[0]}"]').click()
        bob_frame = frame_of(bob_page)
        bob_frame.locator("html[data-crowd-ready]").wait_for(state="attached")
        bob_frame.locator("crowd-classifier .crowd-choice", has_text="positive").click()
        bob_frame.get_by_role("button", name="Submit").click()
        bob_page.wait_for_url("**/_a2i/portal/?msg=submitted")
    assert runtime_client.describe_human_loop(HumanLoopName=loops[0])["HumanLoopStatus"] == "Completed"
    page.goto(f"{service.url}/_a2i/portal/jobs/amend/answers/{loops[0]}")
    page.get_by_role("heading", name="Your answer can no longer be changed").wait_for()
    assert "all its answers are in (TaskCount 2), so it closed" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Back to the task you were on").is_visible()


def test_screens_queue_and_continuous_task(make_flow: Any, make_worker: Any, start_loop: Any, portal: Any,
                                           page: Any) -> None:
    invoices = make_flow("invoice-fields")
    for index in range(3):
        start_loop(invoices, {"text": f"invoice {index}"}, name=f"invoice-{index}")
    start_loop(make_flow("sentiment-of-very-long-customer-reviews", task_count=3),
               {"text": "a review"}, name="review-with-a-rather-long-human-loop-name-0123456789")
    portal.sign_in(make_worker("a reviewer with a long name"))
    cards = page.locator("section.job")
    assert cards.count() == 2
    assert cards.first.locator("h2").inner_text() == "Review invoice-fields"
    assert "3 available to you · 3 open" in cards.first.inner_text()
    found = page.evaluate(OVERFLOW_JS)
    assert found["bad"] == [], found
    assert found["scrollWidth"] <= found["width"], found
    if page.viewport_size["width"] < 600:   # cards, not a table
        assert page.locator("table.tasks thead").first.is_hidden()
    save_shot(page, "portal-queue")
    page.locator('button[data-start="invoice-fields"]').click()
    frame = wait_task(page, "invoice-0")
    found = page.evaluate(OVERFLOW_JS)
    assert found["bad"] == [], found
    assert found["scrollWidth"] <= found["width"], found
    inner = frame.locator("html").evaluate(OVERFLOW_JS)
    assert inner["bad"] == [], inner
    controls = frame.locator("html").evaluate(CONTROLS_JS)
    submits = [c for c in controls if c["name"] == "Submit"]
    assert len(submits) == 1, controls
    assert [c for c in controls if c is not submits[0] and c["bottom"] > submits[0]["top"] + 1] == []
    for name in ("Skip", "Release"):
        assert page.get_by_role("button", name=name).is_visible()
    assert page.locator("[data-left]").is_visible()
    save_shot(page, "portal-work")
