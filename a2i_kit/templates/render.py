"""Render worker task templates like A2I does (and like RenderUiTemplate reports it).

Example:
    >>> render('<p>{{ task.input.text }}</p>', {"text": "Tom & Jerry"})
    '<p>Tom &amp; Jerry</p>'
    >>> render_ui_template('{{ task.input.x | grant_read_access }}', '{"x": " "}')
    ('', [{'Code': 'InvalidParameters', 'Message': '"grant_read_access" input is not a valid S3 URI: " ".'}])
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any

from liquid import BoundTemplate
from liquid.exceptions import LiquidError, LiquidSyntaxError, ResourceLimitError

from a2i_kit.errors import TemplateError
from a2i_kit.templates.environment import (
    MAX_TEMPLATE_CHARS,
    get_environment,
    render_deadline,
    render_output_limit,
)
from a2i_kit.templates.errors import TemplateRenderError
from a2i_kit.templates.filters import GrantReadAccessError, current_signer
from a2i_kit.templates.signing import Signer

BLOCK_TAGS = ("if", "unless", "case", "for", "tablerow", "capture", "comment", "raw", "ifchanged")


def check_source(template: Any, name: str = "template") -> str:
    """Refuse what is not a usable template: non-text, NUL bytes, over 128,000 chars."""
    if isinstance(template, bytes):
        try:
            template = template.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateRenderError(
                f"template is not UTF-8 text (undecodable byte at offset {exc.start})",
                name=name, code="ValidationException",
            ) from None
    if not isinstance(template, str):
        raise TemplateError(f"{name}: template must be a string, got {type(template).__name__}")
    if not template or template.isspace():
        raise TemplateRenderError("template is empty", name=name, code="ValidationException")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise TemplateRenderError(
            f"template has {len(template):,} characters; the limit is {MAX_TEMPLATE_CHARS:,} "
            "(UiTemplate.Content): move large data into the task input",
            name=name, code="ValidationException",
        )
    nul = template.find("\x00")
    if nul >= 0:
        raise TemplateRenderError(
            "template contains binary data (a NUL character): is this really an HTML file?",
            source=template, index=nul, name=name, code="ValidationException",
        )
    return template


def parse_input(task_input: dict[str, Any] | str, name: str = "template") -> dict[str, Any]:
    """The task input as a dict (a JSON object string is parsed)."""
    if isinstance(task_input, (str, bytes)):
        try:
            task_input = json.loads(task_input)
        except ValueError as exc:
            raise TemplateRenderError(
                f"task input is not valid JSON: {exc}", name=name, code="InvalidParameters"
            ) from None
    if not isinstance(task_input, dict):
        raise TemplateRenderError(
            f"task input must be a JSON object, got {type(task_input).__name__}",
            name=name, code="InvalidParameters",
        )
    return task_input


def unclosed_block(source: str) -> tuple[str, int] | None:
    """The innermost block tag left open at the end of ``source``, with its offset."""
    stack: list[tuple[str, int]] = []
    try:
        for token in get_environment("lax").tokenizer()(source):
            if token.kind != "tag":
                continue
            if token.value in BLOCK_TAGS:
                stack.append((token.value, source.rfind("{%", 0, token.start_index)))
            elif token.value.startswith("end") and stack and stack[-1][0] == token.value[3:]:
                stack.pop()
    except LiquidError:
        return None
    return stack[-1] if stack else None


def convert_error(exc: LiquidError, source: str, name: str) -> TemplateRenderError:
    """Turn a python-liquid error into a TemplateRenderError with a location."""
    message = str(exc.message)
    token = exc.token
    hint = ""
    index: int | None = None
    if token is not None and token.start_index >= 0 and token.source == source:
        index = token.start_index
    elif isinstance(exc, LiquidSyntaxError):
        index = len(source)
        message = message.replace("end of expression", "end of template")
        opened = unclosed_block(source)
        if opened:
            line = source.count("\n", 0, opened[1]) + 1
            hint = f"the '{opened[0]}' block opened at line {line} is never closed"
    if isinstance(exc, GrantReadAccessError):
        code = "InvalidParameters"
    elif isinstance(exc, ResourceLimitError):
        code = "ResourceLimitExceeded"
    elif isinstance(exc, LiquidSyntaxError):
        code = "TemplateSyntaxError"
    else:
        code = "RenderingError"
    return TemplateRenderError(
        message, source=source, index=index, name=name, code=code, hint=hint
    )


@functools.lru_cache(maxsize=128)
def _parse_cached(source: str, mode: str) -> BoundTemplate:
    return get_environment(mode).from_string(source)


def parse_template(template: str, *, name: str = "template", mode: str = "strict") -> BoundTemplate:
    """Check and parse a template (cached), raising TemplateRenderError on failure."""
    source = check_source(template, name)
    try:
        return _parse_cached(source, mode)
    except LiquidError as exc:
        raise convert_error(exc, source, name) from None


def render(
    template: str,
    task_input: dict[str, Any] | str,
    *,
    signer: Signer | None = None,
    name: str = "template",
    mode: str = "strict",
    time_limit: float | None = None,
    max_output_chars: int | None = None,
) -> str:
    """Render ``template`` with ``task.input`` bound to ``task_input``.

    ``signer(bucket, key) -> url`` implements ``grant_read_access`` (see
    :func:`local_signer`, :func:`aws_signer`); ``mode`` is "strict" (raise),
    "warn" (warn and go on) or "lax" (ignore errors). ``time_limit`` (seconds of work) and
    ``max_output_chars`` bound one render (ResourceLimitExceeded beyond them).

    Example:
        >>> render("{{ task.input.tags }}", {"tags": ["a", "b"]})
        '[&quot;a&quot;,&quot;b&quot;]'
    """
    bound = parse_template(template, name=name, mode=mode)
    data = parse_input(task_input, name)
    token = current_signer.set(signer)
    deadline = render_deadline.set(None if time_limit is None else time.monotonic() + time_limit)
    output_cap = render_output_limit.set(max_output_chars)
    try:
        return bound.render(task={"input": data})
    except LiquidError as exc:
        raise convert_error(exc, bound_source(template), name) from None
    except RecursionError:
        raise TemplateRenderError(
            "template is nested too deeply to render", name=name, code="ResourceLimitExceeded"
        ) from None
    finally:
        current_signer.reset(token)
        render_deadline.reset(deadline)
        render_output_limit.reset(output_cap)


def bound_source(template: str | bytes) -> str:
    return template.decode("utf-8") if isinstance(template, bytes) else template


def render_ui_template(
    content: str, task_input_json: str, *, signer: Signer | None = None,
    time_limit: float | None = None, max_output_chars: int | None = None,
) -> tuple[str, list[dict[str, str]]]:
    """What RenderUiTemplate returns: ``(RenderedContent, Errors[{Code, Message}])``.

    Example:
        >>> render_ui_template("<b>{{ task.input.a }}</b>", '{"a": 1}')
        ('<b>1</b>', [])
    """
    try:
        return render(content, task_input_json, signer=signer, time_limit=time_limit,
                      max_output_chars=max_output_chars), []
    except TemplateRenderError as exc:
        message = exc.message if exc.code == "InvalidParameters" else str(exc)
        return "", [{"Code": exc.code, "Message": message}]
    except TemplateError as exc:
        return "", [{"Code": "TemplateError", "Message": str(exc)}]


def failure_reason(exc: TemplateRenderError) -> str:
    """The FailureReason text A2I stores on a loop whose task failed to render.

    Example:
        >>> failure_reason(TemplateRenderError('bad', code="InvalidParameters"))
        "Task failed to render: [ InvalidParameters: 'bad' ]"
    """
    return f"Task failed to render: [ {exc.code}: '{exc.message}' ]"
