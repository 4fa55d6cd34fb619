"""The offline crowd elements as files, as one bundle, and wired into a rendered task page.

The elements live in ``a2i_kit/portal/static/crowd/`` as plain ES modules (entry
``crowd-html-elements.js``). A sandboxed ``srcdoc`` iframe cannot import relative files, so
``crowd_elements_js()`` also offers them as one module: the files concatenated in dependency
order with their ``import`` lines dropped, plus the stylesheet as a string.

Example:
    >>> html = prepare_task_html(
    ...     '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script><crowd-form></crowd-form>',
    ...     static_base="/_a2i/static")
    >>> '/_a2i/static/crowd/crowd-html-elements.js' in html and "assets.crowd.aws" not in html
    True
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

STATIC_DIR = Path(__file__).with_name("static")
CROWD_DIR = STATIC_DIR / "crowd"
ENTRY = "crowd-html-elements.js"
CSS_GLOBAL = "__A2I_KIT_CROWD_CSS__"

_IMPORT = re.compile(r"""^\s*import\s+(?:[^'"]*?\s+from\s+)?["']\./([\w.-]+)["'];\s*$""", re.M)
_EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?(?:class|function|const|let)\b)", re.M)

# <script ... src="https://assets.crowd.aws/crowd-html-elements(-v2).js" ...></script> and the v2 css link.
_LOADER = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//assets\.crowd\.aws/crowd-html-elements(?:-v2)?\.js["']?[^>]*>\s*</script\s*>""",
    re.I,
)
_CSS_LINK = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//assets\.crowd\.aws/[^"'\s>]*\.css["']?[^>]*>""", re.I
)

BRIDGE_JS = """
// a2i-kit bridge: report load errors to the parent; crowd-form itself posts the answer
// as window.parent.postMessage({type: "a2i-kit:submit", answerContent}, "*").
window.addEventListener("error", (e) => {
  if (window.parent !== window) window.parent.postMessage({type: "a2i-kit:error", message: String(e.message)}, "*");
});
document.addEventListener("all-crowd-elements-ready", () => {
  if (window.parent === window) return;
  window.parent.postMessage({type: "a2i-kit:ready"}, "*");
  // Content height (not the viewport's), so growing the frame does not feed back into it.
  const report = () => window.parent.postMessage(
    {type: "a2i-kit:size", height: Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY
      + (parseFloat(getComputedStyle(document.body).marginBottom) || 0))}, "*");
  new ResizeObserver(report).observe(document.body);
});
"""


def _module_order(name: str, seen: list[str]) -> list[str]:
    """Depth-first dependency order of the modules reachable from ``name``."""
    if name in seen:
        return seen
    text = (CROWD_DIR / name).read_text(encoding="utf-8")
    for dep in _IMPORT.findall(text):
        _module_order(dep, seen)
    seen.append(name)
    return seen


@functools.lru_cache(maxsize=1)
def crowd_elements_js() -> str:
    """All crowd elements and their CSS as one ES module text (no imports, no network).

    >>> "customElements.define(\\"crowd-form\\"" in crowd_elements_js()
    True
    """
    css = (CROWD_DIR / "crowd.css").read_text(encoding="utf-8")
    parts = [f"globalThis.{CSS_GLOBAL} = {json.dumps(css)};"]
    for name in _module_order(ENTRY, []):
        text = (CROWD_DIR / name).read_text(encoding="utf-8")
        text = _EXPORT.sub("", _IMPORT.sub("", text))
        parts.append(f"// ---- {name} ----\n{text}")
    return "\n".join(parts)


def _inline_script(js: str) -> str:
    # "</script" inside the text would end the element early; "<\/" means the same in JS strings.
    return "<script type=\"module\">\n" + js.replace("</script", "<\\/script") + "\n</script>"


def element_tags(static_base: str | None) -> str:
    """The markup that loads the elements: a module script tag, or the inlined bundle."""
    if static_base is None:
        return _inline_script(crowd_elements_js())
    base = static_base.rstrip("/")
    return f'<script type="module" src="{base}/crowd/{ENTRY}"></script>'


def prepare_task_html(rendered_html: str, *, static_base: str | None) -> str:
    """Swap the assets.crowd.aws loader (v1 or v2, and the v2 css link) for our elements, add the bridge.

    ``static_base`` is the URL prefix where ``crowd/`` is served (e.g. ``"/_a2i/static"``); ``None``
    inlines everything, for a sandboxed ``srcdoc`` iframe with no server. A page without a loader
    tag (e.g. a bare ``crowd-entity-annotation``) gets the elements prepended.

    >>> "<script type=\\"module\\">" in prepare_task_html("<crowd-form></crowd-form>", static_base=None)
    True
    """
    html = _CSS_LINK.sub("", rendered_html)
    tags = element_tags(static_base) + "\n" + _inline_script(BRIDGE_JS)
    html, count = _LOADER.subn(lambda _m: tags, html, count=1)
    html = _LOADER.sub("", html)
    if count:
        return html
    head = re.search(r"<head\b[^>]*>", html, re.I)
    return html[: head.end()] + tags + html[head.end():] if head else tags + "\n" + html
