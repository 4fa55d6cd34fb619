"""Notebook widgets (ipywidgets 8 + anywidget, no labextension build): review, design, launch, watch.

Example:
    >>> from a2i_kit.widgets import TaskPreview
    >>> TaskPreview(template="<crowd-form></crowd-form>", task_input={}).render_error
    ''
"""

from __future__ import annotations

from a2i_kit.widgets.loop_launcher import LoopLauncher
from a2i_kit.widgets.review_dashboard import ReviewDashboard
from a2i_kit.widgets.review_queue import ReviewQueue
from a2i_kit.widgets.task_preview import TaskPreview
from a2i_kit.widgets.template_designer import TemplateDesigner

__all__ = ["LoopLauncher", "ReviewDashboard", "ReviewQueue", "TaskPreview", "TemplateDesigner"]
