"""Worker task templates: render like A2I, lint, infer input and answer shapes, built-ins.

Example:
    >>> from a2i_kit.templates import render, builtin
    >>> t = builtin("text-classification")
    >>> html = render(t.content, t.sample_input)
    >>> "crowd-classifier" in html
    True
"""

from __future__ import annotations

from a2i_kit.templates.environment import MAX_TEMPLATE_CHARS, A2IEnvironment, get_environment
from a2i_kit.templates.errors import TemplateRenderError
from a2i_kit.templates.render import failure_reason, render, render_ui_template
from a2i_kit.templates.signing import Signer, aws_signer, local_signer, parse_s3_location

__all__ = [
    "MAX_TEMPLATE_CHARS",
    "A2IEnvironment",
    "Signer",
    "TemplateRenderError",
    "aws_signer",
    "failure_reason",
    "get_environment",
    "local_signer",
    "parse_s3_location",
    "render",
    "render_ui_template",
]
