"""A light host for one anywidget in a plain Chromium page, with the kernel side in this process.

JupyterLab's harness (``conftest.lab``) is the real thing but slow to start; layout checks (gutter
lines level with editor lines, a frame that follows its content, nothing wider than a phone) need
many renders at several widths. Here the widget's own ``_esm``/``_css`` run in the page against a
small model: ``model.send`` and ``save_changes`` call the Python widget (``handle_message``, trait
sets) through Playwright's ``expose_function``, and trait changes come back as ``change:`` events,
as the Jupyter widget manager does.

Example:
    host = WidgetHost(page, TaskPreview(template=..., task_input=...), width=400)
    host.shot("task-preview-400")            # screenshots/widgets/task-preview-400.png
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "widgets"

_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; padding: 12px; font-family: sans-serif; }</style></head>
<body><div id="out" class="jp-OutputArea-output"></div></body></html>"""

_BOOT = """async ({state}) => {
  const values = state, handlers = {};
  let dirty = {};
  const emit = (event, ...args) => (handlers[event] || []).slice().forEach((fn) => fn(...args));
  const apply = (changes) => {
    for (const [k, v] of Object.entries(changes || {})) { values[k] = v; emit(`change:${k}`); }
  };
  const model = {
    get: (k) => values[k],
    set: (k, v) => { values[k] = v; dirty[k] = v; emit(`change:${k}`); },
    save_changes: () => { const d = dirty; dirty = {}; window.a2iSave(JSON.stringify(d)).then((c) => apply(JSON.parse(c))); },
    on: (events, fn) => events.split(/\\s+/).forEach((e) => (handlers[e] = handlers[e] || []).push(fn)),
    off: (events, fn) => events.split(/\\s+/).forEach((e) => { handlers[e] = (handlers[e] || []).filter((f) => f !== fn); }),
    send: (msg) => {
      window.a2iSend(JSON.stringify(msg)).then((raw) => {
        const [reply, changes] = JSON.parse(raw);
        apply(changes);
        emit("msg:custom", reply, []);
      });
    },
  };
  window.__a2iModel = model;
  window.__a2iApply = apply;
  const style = document.createElement("style");
  style.textContent = values._css || "";
  document.head.append(style);
  const url = URL.createObjectURL(new Blob([values._esm], { type: "text/javascript" }));
  const mod = await import(url);
  const el = document.getElementById("out");
  await mod.default.render({ model, el });
  return true;
}"""


def _synced(widget: Any) -> dict[str, Any]:
    return json.loads(json.dumps(widget.get_state(), default=str))


class WidgetHost:
    """One widget rendered in ``page`` at ``width`` px (viewport height ``height``)."""

    def __init__(self, page: Any, widget: Any, *, width: int = 1400, height: int = 900) -> None:
        self.page, self.widget = page, widget
        page.set_viewport_size({"width": width, "height": height})
        self._last = _synced(widget)
        page.expose_function("a2iSend", self._send)
        page.expose_function("a2iSave", self._save)
        page.set_content(_PAGE)
        page.evaluate(_BOOT, {"state": self._last})

    def _changes(self) -> str:
        now = _synced(self.widget)
        changed = {k: v for k, v in now.items() if self._last.get(k) != v}
        self._last = now
        return json.dumps(changed)

    def _send(self, raw: str) -> str:
        reply = self.widget.handle_message(json.loads(raw))
        return json.dumps([json.loads(json.dumps(reply, default=str)), json.loads(self._changes())])

    def _save(self, raw: str) -> str:
        for name, value in json.loads(raw).items():
            setattr(self.widget, name, value)
        return self._changes()

    def push(self) -> None:
        """Send trait changes made in Python to the page (what the widget manager does)."""
        self.page.evaluate("(c) => window.__a2iApply(JSON.parse(c))", self._changes())

    @property
    def root(self) -> Any:
        return self.page.locator("#out")

    def overflow(self) -> list[str]:
        """Elements whose right edge passes the viewport (what a phone would cut off)."""
        return self.page.evaluate("""() => {
          const width = document.documentElement.clientWidth, found = [];
          for (const node of document.querySelectorAll('#out *')) {
            const box = node.getBoundingClientRect();
            if (box.width && box.right > width + 0.5 && !node.closest('.cm-scroller, .a2i-table-wrap'))
              found.push(`${node.tagName.toLowerCase()}.${node.className} right=${Math.round(box.right)}`);
          }
          if (document.documentElement.scrollWidth > width) found.push(`page scrollWidth=${document.documentElement.scrollWidth}`);
          return found;
        }""")

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
