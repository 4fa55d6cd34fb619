"""Render a task template into a sandboxed preview and check test answers against its shape.

Shared by :class:`~a2i_kit.widgets.TaskPreview` and :class:`~a2i_kit.widgets.TemplateDesigner`:
the kernel builds the page with the one preview pipeline
(:func:`a2i_kit.templates.preview.task_page`: render, then the offline crowd elements of
:mod:`a2i_kit.crowd`) and adds the widget's key bridge;
the browser shows it in an iframe with ``sandbox="allow-scripts allow-forms"`` (an opaque origin:
the task page cannot reach the notebook) and forwards the crowd-form's ``a2i-kit:submit`` message
to the kernel as a ``submit`` action.

Example:
    >>> html = task_srcdoc("<crowd-form><crowd-input name='n'></crowd-input></crowd-form>", {})
    >>> "a2i-kit:submit" in html or "crowd-form" in html
    True
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import traitlets

from a2i_kit.crowd import prepare_task_html
from a2i_kit.errors import InputError, TemplateError
from a2i_kit.templates.answer_shape import answer_shape
from a2i_kit.templates.preview import data_uri_signer, task_page
from a2i_kit.templates.signing import aws_signer
from a2i_kit.templates.validate import validate_answer
from a2i_kit.widgets.base import MessageWidget, action

if TYPE_CHECKING:
    from a2i_kit.session import Session

# Keys the widget (not the task page) handles; the page forwards them as {type: "a2i-kit:key"}.
KEY_BRIDGE = """<script>
// Runs after the crowd elements' own key handling (window, bubble phase).
window.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || window.parent === window) return;
  if (e.key === "Escape" || (e.altKey && (e.key === "s" || e.key === "S"))) {
    window.parent.postMessage({type: "a2i-kit:key", key: e.altKey ? "Alt+s" : e.key}, "*");
  }
});
</script>"""

def session_signer(session: Session | None = None) -> Any:
    """How a preview signs ``s3://`` images (``grant_read_access``) for ``session``.

    AWS backend: presigned S3 GET URLs from the session's S3 client (what A2I shows workers).
    Local backend: ``data:`` URIs read from the session's S3 mirror, so the image travels inside
    the page and shows even when the browser cannot reach the service's loopback port (JupyterHub,
    SageMaker Studio, any proxied Jupyter). Without a session only the packaged sample images work.

    >>> session_signer(None)("a2i-kit-samples", "images/shapes-1.png")[:15]
    'data:image/png;'
    """
    s3 = getattr(session, "s3", None)
    if getattr(session, "backend", None) == "aws" and s3 is not None:
        return aws_signer(s3)
    return _explained(data_uri_signer(getattr(session, "mirror_dir", None)), session)


def _explained(sign: Any, session: Session | None) -> Any:
    """``sign``, with the fix for a missing image named for a widget user."""

    def signed(bucket: str, key: str) -> str:
        try:
            return sign(bucket, key)
        except TemplateError as exc:
            if session is None:
                raise TemplateError(f"s3://{bucket}/{key}: pass the session as the widget's first argument "
                                    "(session = a2i_kit.connect()) so the preview can read the image") from exc
            raise TemplateError(f"s3://{bucket}/{key} is not in the session's S3 mirror "
                                f"({getattr(session, 'mirror_dir', None)}): upload it there "
                                "first, or fix the URI in the input") from exc

    return signed


def parse_task_input(value: Any) -> dict[str, Any]:
    """``task.input`` as a dict from a dict or a JSON object string.

    >>> parse_task_input('{"text": "hi"}')
    {'text': 'hi'}
    """
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as exc:
            raise InputError(f"task input is not valid JSON (line {exc.lineno}, column {exc.colno}): "
                             f"{exc.msg}; fix the JSON or pass a dict") from exc
        except ValueError as exc:  # not a syntax error, e.g. an integer over Python's digit limit
            raise InputError(f"task input cannot be read as JSON: {exc}; fix it or pass a dict") from exc
    if not isinstance(value, dict):
        raise InputError(f"task input must be a JSON object (a dict), got {type(value).__name__}; "
                         'wrap it, e.g. {"text": ...}')
    return value


def task_srcdoc(template: str, task_input: dict[str, Any] | str, *, signer: Any = None,
                keys: bool = False) -> str:
    """The page for a sandboxed iframe: :func:`~a2i_kit.templates.task_page` (+ key bridge)."""
    html = task_page(template, parse_task_input(task_input), signer=signer)
    return html + KEY_BRIDGE if keys else html


def wrap_rendered(html: str, *, keys: bool = False) -> str:
    """Wrap HTML the service already rendered (a worker claim) for the sandboxed iframe."""
    page = prepare_task_html(html, static_base=None)
    return page + KEY_BRIDGE if keys else page


def describe_template_error(exc: TemplateError) -> str:
    """``line 3, column 5: message`` when the error knows where it is."""
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    where = f"line {line}" + (f", column {column}" if column else "") + ": " if line else ""
    return f"{where}{exc}" if where and str(line) not in str(exc) else str(exc)


class PreviewWidget(MessageWidget):
    """A widget with a task preview: ``srcdoc`` to show, ``answer`` from a test submit.

    The frame follows its content's height (``auto_height``, between 120 and 4000 px);
    ``frame_height`` is its height until the page has reported one, or always when
    ``auto_height`` is False. ``s3://`` images are signed from ``session`` (see
    :func:`session_signer`) unless a ``signer`` is given.
    """

    srcdoc = traitlets.Unicode("").tag(sync=True)
    render_error = traitlets.Unicode("").tag(sync=True)
    # traitlets types Dict as never None; allow_none=True makes None (no test submit yet) valid.
    answer = cast("traitlets.TraitType[dict[str, Any] | None, dict[str, Any] | None]",
                  traitlets.Dict(allow_none=True, default_value=None).tag(sync=True))
    answer_ok = traitlets.Bool(allow_none=True, default_value=None).tag(sync=True)
    answer_problems = traitlets.List(traitlets.Unicode()).tag(sync=True)
    frame_height = traitlets.Int(480).tag(sync=True)
    auto_height = traitlets.Bool(True).tag(sync=True)
    page_errors = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, *, signer: Any = None, session: Session | None = None, **kwargs: Any) -> None:
        self._signer = signer if signer is not None else session_signer(session)
        self._submit_callbacks: list[Callable[[dict[str, Any]], Any]] = []
        self.answers: list[dict[str, Any]] = []
        self._live = False  # observers re-render only once construction is done
        super().__init__(**kwargs)

    @traitlets.validate("frame_height")
    def _check_height(self, proposal: Any) -> int:
        value = proposal["value"]
        if not 120 <= value <= 4000:
            raise traitlets.TraitError(f"frame_height must be between 120 and 4000 pixels, got {value}")
        return value

    def on_submit(self, callback: Callable[[dict[str, Any]], Any]) -> None:
        """Call ``callback(answerContent)`` after each test submit in the preview."""
        self._submit_callbacks.append(callback)

    def preview_template(self) -> str:
        """The template the preview shows (subclasses say where it comes from)."""
        raise NotImplementedError

    def preview_input(self) -> Any:
        raise NotImplementedError

    def refresh_preview(self) -> bool:
        """Render the current template and input; on error keep the last page and say why.

        A new page clears the last test-submit result: it belonged to the old template/input.
        """
        try:
            page = task_srcdoc(self.preview_template(), self.preview_input(), signer=self._signer,
                               keys=True)
        except TemplateError as exc:
            self.render_error = describe_template_error(exc)
            return False
        except InputError as exc:
            self.render_error = str(exc)
            return False
        if page != self.srcdoc:
            self.answer, self.answer_ok, self.answer_problems = None, None, []
        self.srcdoc = page
        self.render_error = ""
        self.page_errors = []
        return True

    def check_answer(self, answer: dict[str, Any]) -> list[str]:
        """Problems of ``answer`` against the template's inferred answer shape."""
        return validate_answer(answer_shape(self.preview_template()), answer)

    @action("submit")
    def _on_submit(self, payload: dict[str, Any]) -> dict[str, Any]:
        answer = payload.get("answerContent")
        if not isinstance(answer, dict):
            raise InputError(f"answerContent must be a JSON object, got {type(answer).__name__}")
        problems = self.check_answer(answer)
        self.answers.append(answer)
        self.answer, self.answer_problems, self.answer_ok = answer, problems, not problems
        for callback in self._submit_callbacks:
            callback(answer)
        return {"ok": not problems, "problems": problems}

    @action("page_error")
    def _on_page_error(self, payload: dict[str, Any]) -> None:
        message = str(payload.get("message") or "unknown error in the task page")
        self.page_errors = [*self.page_errors, message][-20:]
