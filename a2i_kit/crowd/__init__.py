"""Offline crowd HTML elements and the pipeline that turns a rendered task into a runnable page.

The lowest of the task-page layers: :mod:`a2i_kit.templates` (preview), :mod:`a2i_kit.portal`
(task pages, ``/_a2i/static/crowd/``) and :mod:`a2i_kit.widgets` build on it; it imports none of
them. ``bundle`` holds the elements' files (``static/``) and the single-module bundle for
``srcdoc`` frames; ``page`` swaps the ``assets.crowd.aws`` loader for them, adds the bridge to the
parent window and wraps the page in a sandboxed iframe.

Example:
    >>> from a2i_kit.crowd import prepare_task_html, sandboxed_iframe
    >>> frame = sandboxed_iframe(prepare_task_html("<crowd-form></crowd-form>", static_base=None))
    >>> frame.startswith('<iframe sandbox="allow-scripts allow-forms" srcdoc=')
    True
"""

from __future__ import annotations

from a2i_kit.crowd.bundle import CROWD_DIR, ENTRY, crowd_elements_js, element_tags, inline_script
from a2i_kit.crowd.page import BRIDGE_JS, SANDBOX, prepare_task_html, sandboxed_iframe

__all__ = [
    "BRIDGE_JS",
    "CROWD_DIR",
    "ENTRY",
    "SANDBOX",
    "crowd_elements_js",
    "element_tags",
    "inline_script",
    "prepare_task_html",
    "sandboxed_iframe",
]
