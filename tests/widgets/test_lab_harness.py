"""The JupyterLab harness itself: cells run, outputs come back, widget clicks reach the kernel."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]


def test_cells_run_and_widget_clicks_reach_the_kernel(lab) -> None:
    assert lab.value("1 + 1") == 2
    cell = lab.run(
        "import ipywidgets as w\n"
        "clicks = []\n"
        "b = w.Button(description='press me')\n"
        "b.on_click(lambda _: clicks.append(1))\n"
        "b"
    )
    button = lab.output(cell).locator("button", has_text="press me")
    expect(button).to_be_visible()
    button.click()
    button.click()
    assert lab.wait_value("len(clicks)", until=lambda n: n == 2) == 2


def test_a_failing_cell_is_reported_with_its_error(lab) -> None:
    result = lab.run("raise ValueError('boom')", allow_error=True)
    assert result.error is not None
    assert result.error["ename"] == "ValueError"
    assert result.error["evalue"] == "boom"
