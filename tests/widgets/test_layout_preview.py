"""What a person checks on the designer and the preview, in Chromium at 1400 and 400 px.

Gutter line n level with editor line n (bounding boxes), lint markers on the finding's line, the
preview frame following its content, nothing past the right edge of a phone; PNGs in
``screenshots/widgets/`` for a person to look at.
"""

from __future__ import annotations

import re
import time

import pytest
from page_harness import WidgetHost

from a2i_kit.widgets import TaskPreview, TemplateDesigner

pytestmark = pytest.mark.browser

# 60 lines, so a drift of a fraction of a pixel per line would add up to many pixels by the end.
LONG = "\n".join([
    '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>',
    "<crowd-form>",
    '  <crowd-classifier name="topic" categories="[\'a\', \'b\']">',
    "    <classification-target>{{ task.input.headline }}</classification-target>",
    "  </crowd-classifier>",
    *[f"  <p>line {n} {{% if task.input.headline %}}x{{% endif %}}</p>" for n in range(6, 60)],
    "</crowd-form>",
])
SHORT = "<crowd-form><p>{{ task.input.text }}</p><crowd-input name='note' label='Note'></crowd-input></crowd-form>"
TALL = "<crowd-form>" + "".join(f"<p>paragraph {n}</p>" for n in range(60)) + \
    "<crowd-input name='note' label='Note'></crowd-input></crowd-form>"


def _rows(host: WidgetHost) -> tuple[list[dict], list[dict]]:
    """Gutter numbers and editor lines (the ones CodeMirror has in the DOM) with their boxes."""
    return host.page.evaluate("""() => {
      const box = (n) => { const r = n.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, h: r.height}; };
      const gutter = [...document.querySelectorAll('.cm-lineNumbers .cm-gutterElement')]
        .filter((n) => /^\\d+$/.test(n.textContent) && n.getBoundingClientRect().height > 0)
        .map((n) => ({line: Number(n.textContent), ...box(n)}));
      const lines = [...document.querySelectorAll('.cm-content .cm-line')].map((n) => ({text: n.textContent, ...box(n)}));
      return [gutter, lines];
    }""")


def _level(host: WidgetHost) -> int:
    gutter, lines = _rows(host)
    number = {text: n for n, text in enumerate(LONG.split("\n"), start=1)}  # every line is unique
    by_line = {number[row["text"]]: row for row in lines}
    checked = 0
    for row in gutter:
        text = by_line.get(row["line"])
        if text is None:
            continue
        assert abs(row["top"] - text["top"]) <= 1, f"gutter {row['line']} at {row['top']}, line at {text['top']}"
        assert abs(row["bottom"] - text["bottom"]) <= 1
        checked += 1
    return checked


@pytest.mark.parametrize("width", [1400, 400])
def test_gutter_lines_stay_level_with_editor_lines(page, width) -> None:
    from playwright.sync_api import expect

    designer = TemplateDesigner(template=LONG, sample_input={"headline": "Rain"})
    host = WidgetHost(page, designer, width=width)
    expect(host.root.locator(".cm-editor")).to_be_visible()
    assert _level(host) >= 15  # the lines on screen at the top
    host.page.locator(".cm-scroller").evaluate("(s) => { s.scrollTop = s.scrollHeight; }")
    host.page.wait_for_timeout(100)
    gutter, _ = _rows(host)
    assert max(row["line"] for row in gutter) == 60
    assert _level(host) >= 15  # and at the end, after scrolling: no drift
    host.shot(f"template-designer-{width}")
    assert host.overflow() == []


def test_liquid_is_highlighted_and_lint_markers_sit_on_the_findings_line(page) -> None:
    from playwright.sync_api import expect

    designer = TemplateDesigner(template=LONG, sample_input={"headline": "Rain"})
    assert [(f["line"], f["code"]) for f in designer.findings if f["severity"] == "error"] == [
        (3, "missing-required-attribute")]
    host = WidgetHost(page, designer, width=1400)
    marker = host.root.locator(".cm-lint-marker-error")
    expect(marker).to_have_count(1)
    line3 = host.root.locator(".cm-content .cm-line").nth(2)
    marker_box, line_box = marker.bounding_box(), line3.bounding_box()
    assert abs((marker_box["y"] + marker_box["height"] / 2) - (line_box["y"] + line_box["height"] / 2)) <= 2
    expect(line3.locator(".cm-lintRange-error")).to_have_count(1)
    expect(host.root.locator(".cm-liquid").first).to_have_text("{{ task.input.headline }}")
    expect(host.root.locator(".cm-liquid-tag").first).to_have_text("{% if task.input.headline %}")
    # A finding in the list jumps to its line in the editor.
    host.root.locator(".a2i-findings button", has_text="missing-required-attribute").click()
    expect(host.root).to_have_attribute("data-jumped-line", "3")
    expect(host.root.locator(".cm-activeLine")).to_contain_text("crowd-classifier")
    host.shot("template-designer-lint")


def test_typing_in_the_editor_reaches_the_kernel_and_clears_the_test_submit(page) -> None:
    from playwright.sync_api import expect

    designer = TemplateDesigner(template=SHORT, sample_input={"text": "first"}, )
    designer.debounce_ms = 50
    designer.run_action("submit", {"answerContent": {"note": "ok"}})
    host = WidgetHost(page, designer, width=1400)
    expect(host.root.locator(".a2i-answer")).to_be_visible()
    host.root.locator(".cm-content .cm-line").first.click()
    host.page.keyboard.press("End")
    host.page.keyboard.type("<b>added")  # the editor closes the tag itself
    expect(host.root.locator(".a2i-answer")).to_be_hidden()
    # The first keystroke hides the answer; the debounced saves of the rest may still be in flight.
    deadline = time.monotonic() + 10
    while not designer.template.endswith("</crowd-form><b>added</b>") and time.monotonic() < deadline:
        host.page.wait_for_timeout(50)
    assert designer.template.endswith("</crowd-form><b>added</b>")
    assert designer.answer is None
    assert designer.answer_ok is None
    frame = host.root.frame_locator("iframe.a2i-task-frame")
    expect(frame.locator("b", has_text="added")).to_be_visible()


@pytest.mark.parametrize("width", [1400, 400])
def test_the_preview_frame_follows_its_content(page, width) -> None:
    from playwright.sync_api import expect

    preview = TaskPreview(template=SHORT, task_input={"text": "short page"}, height=480)
    host = WidgetHost(page, preview, width=width)
    frame = host.root.locator("iframe.a2i-task-frame")
    expect(frame).to_have_attribute("data-content-height", re.compile(r"^\d+$"))
    short = frame.bounding_box()["height"]
    assert short < 400  # smaller than the 480 px it started with: no empty space below the form
    inner = host.root.frame_locator("iframe.a2i-task-frame")
    expect(inner.locator("p", has_text="short page")).to_be_visible()
    host.shot(f"task-preview-short-{width}")
    assert host.overflow() == []

    preview.template = TALL
    host.push()
    expect(inner.locator("p", has_text="paragraph 59")).to_be_attached()
    page.wait_for_function("(h) => document.querySelector('iframe.a2i-task-frame').getBoundingClientRect().height > h",
                           arg=short + 600)
    tall = frame.bounding_box()["height"]
    scroll = inner.locator("html").evaluate("(d) => d.scrollHeight - d.clientHeight")
    assert scroll <= 2, f"the page still scrolls inside the frame by {scroll}px"
    assert tall > 1000
    host.shot(f"task-preview-tall-{width}")
    assert host.overflow() == []
