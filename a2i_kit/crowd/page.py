"""A rendered task page made ready to run: the offline elements, the bridge, a sandboxed frame.

:func:`prepare_task_html` swaps the ``assets.crowd.aws`` loader for our elements and adds the
bridge that reports errors, readiness and content height to the parent window;
:func:`sandboxed_iframe` wraps the page in ``<iframe sandbox="allow-scripts allow-forms"
srcdoc=…>`` (never allow-same-origin: the page gets an opaque origin and cannot reach its host).
The portal's task page, :func:`a2i_kit.templates.preview` and the widgets all go through here.

Example:
    >>> html = prepare_task_html(
    ...     '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script><crowd-form></crowd-form>',
    ...     static_base="/_a2i/static")
    >>> '/_a2i/static/crowd/crowd-html-elements.js' in html and "assets.crowd.aws" not in html
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from a2i_kit.crowd.bundle import element_tags, inline_script

SANDBOX = "allow-scripts allow-forms"

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


def prepare_task_html(rendered_html: str, *, static_base: str | None) -> str:
    """Swap the assets.crowd.aws loader (v1 or v2, and the v2 css link) for our elements, add the bridge.

    ``static_base`` is the URL prefix where ``crowd/`` is served (e.g. ``"/_a2i/static"``); ``None``
    inlines everything, for a sandboxed ``srcdoc`` iframe with no server. A page without a loader
    tag (e.g. a bare ``crowd-entity-annotation``) gets the elements prepended.

    >>> "<script type=\\"module\\">" in prepare_task_html("<crowd-form></crowd-form>", static_base=None)
    True
    """
    html = _CSS_LINK.sub("", rendered_html)
    tags = element_tags(static_base) + "\n" + inline_script(BRIDGE_JS)
    html, count = _LOADER.subn(lambda _m: tags, html, count=1)
    html = _LOADER.sub("", html)
    if count:
        return html
    head = re.search(r"<head\b[^>]*>", html, re.I)
    return html[: head.end()] + tags + html[head.end():] if head else tags + "\n" + html


def sandboxed_iframe(page: str, attrs: Mapping[str, str | None] | None = None) -> str:
    """``<iframe sandbox="allow-scripts allow-forms" srcdoc=…>`` showing ``page``.

    ``attrs`` adds attributes after ``srcdoc`` (values escaped; ``None`` = a bare attribute).
    ``sandbox`` cannot be overridden: the frame never gets allow-same-origin.

    >>> sandboxed_iframe("<p>a & b</p>", {"title": "T", "data-task-frame": None})
    '<iframe sandbox="allow-scripts allow-forms" srcdoc="&lt;p&gt;a &amp; b&lt;/p&gt;" title="T" data-task-frame></iframe>'
    """
    extra = ""
    for name, value in (attrs or {}).items():
        if not re.fullmatch(r"[a-z][a-z0-9-]*", name) or name in ("sandbox", "srcdoc"):
            raise ValueError(f"attribute {name!r} cannot be set on a sandboxed task frame")
        extra += f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"'
    return f'<iframe sandbox="{SANDBOX}" srcdoc="{escape(page, quote=True)}"{extra}></iframe>'
