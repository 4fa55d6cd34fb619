"""The widgets need no labextension build: they also render and talk to the kernel in Notebook 7."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

TEMPLATE = """<crowd-form>
  <crowd-classifier name="kind" categories="['cat', 'dog']" header="Which animal?">
    <classification-target>{{ task.input.caption }}</classification-target>
  </crowd-classifier>
</crowd-form>"""


def test_task_preview_submits_in_notebook7(notebook7) -> None:
    from playwright.sync_api import expect

    nb = notebook7
    cell = nb.run("from a2i_kit.widgets import TaskPreview\n"
                  f"w = TaskPreview(template={TEMPLATE!r}, task_input={{'caption': 'a sleepy tabby'}})\nw")
    out = nb.output(cell)
    frame = out.frame_locator("iframe.a2i-task-frame")
    expect(frame.locator("classification-target")).to_have_text("a sleepy tabby")
    frame.locator("button.crowd-choice", has_text="cat").click()
    frame.locator("crowd-button", has_text="Submit").click()
    expect(out.locator(".a2i-answer-status")).to_contain_text("matches")
    assert nb.wait_value("w.answer") == {"kind": {"label": "cat"}}
