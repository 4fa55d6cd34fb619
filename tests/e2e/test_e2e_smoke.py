from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_classifier_through_portal(make_flow: Any, make_worker: Any, start_loop: Any, portal: Any, output_of: Any) -> None:
    flow = make_flow()
    loop = start_loop(flow, {"text": "Great phone"})
    portal.sign_in(make_worker("alice"))
    frame = portal.open_task(loop)
    frame.locator("crowd-classifier .crowd-choice", has_text="negative").click()
    portal.submit_and_wait(frame)
    out = output_of(loop)
    assert out["humanAnswers"][0]["answerContent"] == {"sentiment": {"label": "negative"}}
