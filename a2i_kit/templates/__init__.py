"""Worker task templates: render like A2I, lint, infer input and answer shapes, built-ins.

Example:
    >>> from a2i_kit.templates import render, builtin
    >>> t = builtin("text-classification")
    >>> html = render(t.content, t.sample_input)
    >>> "crowd-classifier" in html
    True
"""

from __future__ import annotations

from a2i_kit.templates.answer_shape import answer_shape, name_pattern
from a2i_kit.templates.environment import MAX_TEMPLATE_CHARS, A2IEnvironment, get_environment
from a2i_kit.templates.errors import TemplateRenderError
from a2i_kit.templates.findings import Finding
from a2i_kit.templates.infer_input import (
    SAMPLE_BUCKET,
    InputPath,
    expected_input,
    input_paths,
    sample_skeleton,
)
from a2i_kit.templates.jslit import parse_js_literal
from a2i_kit.templates.library import (
    BuiltinTemplate,
    builtin,
    builtin_assets,
    builtin_names,
    install_assets,
)
from a2i_kit.templates.lint import has_errors, lint
from a2i_kit.templates.preview import preview, preview_html, task_page
from a2i_kit.templates.render import failure_reason, render, render_ui_template
from a2i_kit.templates.signing import Signer, aws_signer, local_signer, parse_s3_location
from a2i_kit.templates.validate import validate_answer

__all__ = [
    "MAX_TEMPLATE_CHARS",
    "SAMPLE_BUCKET",
    "A2IEnvironment",
    "BuiltinTemplate",
    "Finding",
    "InputPath",
    "Signer",
    "TemplateRenderError",
    "answer_shape",
    "aws_signer",
    "builtin",
    "builtin_assets",
    "builtin_names",
    "expected_input",
    "failure_reason",
    "get_environment",
    "has_errors",
    "input_paths",
    "install_assets",
    "lint",
    "local_signer",
    "name_pattern",
    "parse_js_literal",
    "parse_s3_location",
    "preview",
    "preview_html",
    "render",
    "render_ui_template",
    "sample_skeleton",
    "task_page",
    "validate_answer",
]
