"""Worker actions inside the sandboxed task frame, done with the real mouse and keyboard."""

from __future__ import annotations

from typing import Any

from screen_checks import hover_at

# Text offsets (UTF-16) -> frame viewport rectangle of the characters [start, end).
_RANGE_RECT = """(box, [s, e]) => {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    const r = document.createRange(); let seen = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const len = n.data.length;
        if (s >= seen && s < seen + len) r.setStart(n, s - seen);
        if (e > seen && e <= seen + len) { r.setEnd(n, e - seen); break; }
        seen += len;
    }
    const rects = r.getClientRects();
    const a = rects[0], b = rects[rects.length - 1];
    return {x1: a.left, y1: a.top + a.height / 2, x2: b.right, y2: b.top + b.height / 2};
}"""


def press_at(page: Any, target: Any, x: float, y: float) -> None:
    """Press the mouse button at page point (x, y) on ``target`` once Chromium routes the mouse there."""
    hover_at(page, target, lambda: (x, y))
    page.mouse.down()


def frame_origin(page: Any) -> tuple[float, float]:
    """Main-viewport position of the task frame's content box."""
    frame = page.locator("iframe[data-task-frame]")
    box = frame.bounding_box()
    border = frame.evaluate("f => [f.clientLeft, f.clientTop]")
    return box["x"] + border[0], box["y"] + border[1]


def select_text(page: Any, frame: Any, host: str, start: int, end: int) -> None:
    """Drag the mouse over characters [start, end) of the entity text (UTF-16 offsets)."""
    text = frame.locator(f"{host} .crowd-entity-text")
    text.scroll_into_view_if_needed()
    rect = text.evaluate(_RANGE_RECT, [start, end])
    ox, oy = frame_origin(page)
    press_at(page, text, ox + rect["x1"] + 1, oy + rect["y1"])
    page.mouse.move(ox + rect["x2"] - 1, oy + rect["y2"], steps=5)
    page.mouse.up()


def _canvas(frame: Any, host: str) -> tuple[Any, dict[str, float], float]:
    frame.locator(f"{host}[data-image-ready]").wait_for()
    canvas = frame.locator(f"{host} svg.crowd-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    natural = float(canvas.evaluate("s => s.viewBox.baseVal.width"))
    return canvas, box, box["width"] / natural


def draw_box(page: Any, frame: Any, host: str, x1: float, y1: float, x2: float, y2: float) -> None:
    """Drag from (x1, y1) to (x2, y2), given in natural image pixels."""
    canvas, box, scale = _canvas(frame, host)
    press_at(page, canvas, box["x"] + x1 * scale, box["y"] + y1 * scale)
    page.mouse.move(box["x"] + (x1 + x2) / 2 * scale, box["y"] + (y1 + y2) / 2 * scale, steps=4)
    page.mouse.move(box["x"] + x2 * scale, box["y"] + y2 * scale, steps=4)
    page.mouse.up()


def click_image(page: Any, frame: Any, host: str, points: list[tuple[float, float]]) -> None:
    _, box, scale = _canvas(frame, host)
    for x, y in points:
        page.mouse.click(box["x"] + x * scale, box["y"] + y * scale)
