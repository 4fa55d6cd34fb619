"""Amending an answer in the portal (Chromium, 1400 and 400 px): the earlier answer is back in the
task's controls (classifier, crowd-input, crowd-checkbox, crowd-slider, native checkbox and
select), the worker changes one thing, and the replaced answer is exactly the earlier one with it."""

from __future__ import annotations

from typing import Any

import pytest
import screen_checks
from screen_checks import OVERFLOW_JS, save_shot

page = screen_checks.page   # the page fixture at 1400 and 400 px
pytestmark = pytest.mark.browser

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['positive', 'negative', 'neutral']" header="Sentiment?">
    <classification-target>{{ task.input.text }}</classification-target>
  </crowd-classifier>
  <crowd-input name="note" label="Note"></crowd-input>
  <crowd-checkbox name="sarcasm" value="yes">Sarcastic</crowd-checkbox>
  <crowd-slider name="confidence" min="0" max="10" step="1"></crowd-slider>
  <label><input type="checkbox" name="urgent" value="now"> Urgent</label>
  <select name="topic"><option value="">-</option><option value="billing">Billing</option>
    <option value="bug">Bug</option></select>
</crowd-form>"""
FIRST = {"sentiment": {"label": "negative"}, "note": "late delivery", "sarcasm": {"yes": True},
         "confidence": 7, "urgent": {"now": True}, "topic": "billing"}


def wait_task(page: Any, loop: str) -> Any:
    page.locator(f'body[data-task-ready="{loop}"]').wait_for(state="attached")
    frame = page.frame_locator("iframe[data-task-frame]")
    frame.locator("html[data-focused-first]").wait_for(state="attached")
    return frame


def answer_first(frame: Any) -> None:
    frame.locator("crowd-classifier .crowd-choice", has_text="negative").click()
    frame.get_by_label("Note").fill("late delivery")
    frame.locator("crowd-checkbox").get_by_role("checkbox").check()
    frame.locator("crowd-slider input[type=range]").fill("7")
    frame.locator("input[name=urgent]").check()
    frame.locator("select[name=topic]").select_option("billing")


def test_the_earlier_answer_is_back_in_the_controls(service: Any, make_flow: Any, make_worker: Any,
                                                    start_loop: Any, portal: Any, page: Any) -> None:
    flow = make_flow("fill", template=TEMPLATE, task_count=2)   # the loop stays open for amending
    loops = [start_loop(flow, {"text": f"parcel {index} was late"}, name=f"fill-{index}") for index in range(2)]
    alice = make_worker("alice")
    portal.sign_in(alice)
    page.locator('button[data-start="fill"]').click()
    frame = wait_task(page, loops[0])
    answer_first(frame)
    frame.get_by_role("button", name="Submit").click()
    wait_task(page, loops[1])
    stored = [a for a in service.context.store.claims.of_loop(loops[0]) if a["status"] == "submitted"]
    assert stored[0]["doc"]["answerContent"] == FIRST

    page.get_by_role("link", name="Previous").click()
    page.get_by_role("heading", name="Change your answer: Review fill").wait_for()
    frame = wait_task(page, loops[0])
    frame.locator("html[data-filled]").wait_for(state="attached")
    filled = frame.locator("html").get_attribute("data-filled").split()
    assert sorted(filled) == sorted(FIRST)
    chosen = frame.locator("crowd-classifier").evaluate("el => el.value")
    assert chosen == "negative"
    assert frame.get_by_label("Note").input_value() == "late delivery"
    assert frame.locator("crowd-checkbox").get_by_role("checkbox").is_checked()
    assert frame.locator("crowd-slider input[type=range]").input_value() == "7"
    assert frame.locator("input[name=urgent]").is_checked()
    assert frame.locator("select[name=topic]").input_value() == "billing"
    assert page.evaluate(OVERFLOW_JS)["bad"] == []
    save_shot(page, "portal-amend")

    frame.get_by_label("Note").fill("late delivery, box damaged")   # the one change
    frame.get_by_role("button", name="Submit").click()
    wait_task(page, loops[1])
    assert page.get_by_text("Your earlier answer was changed.").is_visible()
    stored = [a for a in service.context.store.claims.of_loop(loops[0]) if a["status"] == "submitted"]
    assert stored[0]["doc"]["answerContent"] == {**FIRST, "note": "late delivery, box damaged"}
