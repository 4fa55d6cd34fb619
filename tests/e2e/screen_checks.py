"""What a person checks on a screen, for the screenshot tests: pages at a desktop and a phone width,
the PNGs in ``screenshots/``, elements that overflow the viewport, and the order of the controls.

Example (in a test module)::

    from screen_checks import OVERFLOW_JS, page, save_shot  # noqa: F401  (page is a fixture)

    def test_queue(page):
        page.goto(url)
        save_shot(page, "portal-queue")
        assert page.evaluate(OVERFLOW_JS)["bad"] == []
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WIDTHS = (1400, 400)

# Visible controls of a document (through shadow roots), with their page-relative top and bottom.
CONTROLS_JS = """() => {
  const out = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (!el.matches("button, input:not([type=hidden]), select, textarea, a[href], svg[tabindex='0']")) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") continue;
      const host = el.getRootNode().host;   // a crowd-button's text is its host's (slotted) text
      const text = el.textContent.trim() || (host && host.localName === "crowd-button" ? host.textContent : "");
      out.push({name: (el.getAttribute("aria-label") || text || el.localName).trim().slice(0, 40),
                top: r.top + scrollY, bottom: r.bottom + scrollY});
    }
  };
  walk(document);
  return out;
}"""
# Elements whose right edge passes the viewport, unless a scrolling/clipping ancestor holds them
# (walked in the flat tree: slotted content sits in its slot, shadow roots included).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, bad = [];
  const clipped = (el) => {
    const up = (n) => n.assignedSlot || n.parentNode || n.host;   // the flat tree: slotted content sits in its slot
    for (let a = up(el); a; a = up(a)) {
      if (a.nodeType !== 1) continue;
      const o = getComputedStyle(a).overflowX;
      if (o !== "visible" && a.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) walk(el.shadowRoot);
      const r = el.getBoundingClientRect();
      if (r.width && r.right > width + 1 && !clipped(el)) bad.push(el.localName + "." + el.getAttribute("class") + " " + Math.round(r.right));
    }
  };
  walk(document);
  return {bad, scrollWidth: document.documentElement.scrollWidth, width};
}"""


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(browser: Any, request: Any) -> Iterator[Any]:
    """A page at a desktop and at a phone width (overrides the 1280 px default)."""
    context = browser.new_context(viewport={"width": request.param, "height": 900}, ignore_https_errors=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def save_shot(page: Any, name: str) -> Path:
    """Save the full page as ``screenshots/<name>-<width>px.png``; returns the path."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}-{page.viewport_size['width']}px.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def hover_into(page: Any, target: Any) -> None:
    """Move the mouse onto ``target`` (a locator, possibly inside a task frame) until it is hovered.

    A full-page screenshot resizes the view for a moment. Under load, Chromium then routed the
    next click at a task frame (its own renderer) to the portal's ``<iframe>`` element instead of
    into the task: the iframe got focus, nothing was submitted, and the test timed out waiting.
    Waiting until the target itself matches ``:hover`` waits for a condition, not for time.
    """
    target.scroll_into_view_if_needed()
    hover_at(page, target, lambda: _centre(target.bounding_box()))


def hover_at(page: Any, target: Any, point: Any) -> None:
    """Move the mouse to ``point()`` (page coordinates, on ``target``) until ``target`` is hovered,
    and leave it exactly there.

    The same routing holds for a drag that starts right after the task changed its layout (a
    zoom, a new image): its mouse-down went to the portal's ``<iframe>`` element and the task
    drew nothing. Drags start with :func:`e2e_actions.press_at`, which waits here first.
    """
    for attempt in range(100):
        x, y = point()
        page.mouse.move(x, y + attempt % 2)
        if target.evaluate("el => el.matches(':hover')"):
            page.mouse.move(x, y)
            return
        page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")
    raise AssertionError(f"the mouse never reached {target}")


def _centre(box: dict[str, float]) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
