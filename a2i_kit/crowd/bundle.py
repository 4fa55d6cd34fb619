"""The offline crowd elements' files, and all of them as one ES module for ``srcdoc`` frames.

The elements live in ``a2i_kit/crowd/static/`` as plain ES modules (entry
``crowd-html-elements.js``); the portal serves that folder at ``/_a2i/static/crowd/``. A
sandboxed ``srcdoc`` iframe cannot import relative files, so :func:`crowd_elements_js` also
offers them as one module: the files concatenated in dependency order with their ``import``
lines dropped, plus the stylesheet as a string.

Example:
    >>> element_tags("/_a2i/static")
    '<script type="module" src="/_a2i/static/crowd/crowd-html-elements.js"></script>'
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

CROWD_DIR = Path(__file__).with_name("static")
ENTRY = "crowd-html-elements.js"
CSS_GLOBAL = "__A2I_KIT_CROWD_CSS__"

_IMPORT = re.compile(r"""^\s*import\s+(?:[^'"]*?\s+from\s+)?["']\./([\w.-]+)["'];\s*$""", re.M)
_EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?(?:class|function|const|let)\b)", re.M)


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


def inline_script(js: str) -> str:
    """``js`` as an inline module script that cannot end early.

    >>> inline_script('"</script>"')
    '<script type="module">\\n"<\\\\/script>"\\n</script>'
    """
    # "</script" inside the text would end the element early; "<\/" means the same in JS strings.
    return "<script type=\"module\">\n" + js.replace("</script", "<\\/script") + "\n</script>"


def element_tags(static_base: str | None) -> str:
    """The markup that loads the elements: a module script tag, or the inlined bundle.

    ``static_base`` is the URL prefix under which ``crowd/`` is served; ``None`` inlines.
    """
    if static_base is None:
        return inline_script(crowd_elements_js())
    base = static_base.rstrip("/")
    return f'<script type="module" src="{base}/crowd/{ENTRY}"></script>'
