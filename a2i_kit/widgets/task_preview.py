"""TaskPreview: one task rendered for a given input, with a test submit.

The session comes first (``None``: offline, only the packaged sample images sign); it signs the
``s3://`` images of the input.

Example:
    >>> from a2i_kit.widgets import TaskPreview
    >>> w = TaskPreview(template="<crowd-form><crowd-input name='note'></crowd-input></crowd-form>",
    ...                 task_input={})
    >>> w.run_action("submit", {"answerContent": {"note": "ok"}})
    {'ok': True, 'problems': []}
    >>> w.answer
    {'note': 'ok'}
    >>> TaskPreview(session, template=html, task_input={"image": "s3://bucket/cat.png"})  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import traitlets

from a2i_kit.client.sessions import as_session
from a2i_kit.errors import InputError
from a2i_kit.widgets.base import STATIC, static_text
from a2i_kit.widgets.preview import PreviewWidget, parse_task_input

if TYPE_CHECKING:
    from a2i_kit.session import Session


def preview_session(session: Any, widget: str) -> Session | None:
    """``session`` as a Session, or None (offline); InputError naming the call for anything else.

    >>> preview_session(None, "TaskPreview") is None
    True
    >>> preview_session("<crowd-form></crowd-form>", "TaskPreview")
    Traceback (most recent call last):
    ...
    a2i_kit.errors.InputError: TaskPreview takes the session first (or None to preview offline), then the template by keyword: TaskPreview(session, template='<crowd-form>...', ...)
    """
    if session is None:
        return None
    if isinstance(session, str) and "<" in session:
        raise InputError(f"{widget} takes the session first (or None to preview offline), then the "
                         f"template by keyword: {widget}(session, template='<crowd-form>...', ...)")
    return as_session(session)


class TaskPreview(PreviewWidget):
    """Render ``template`` with ``task_input`` in a sandboxed iframe; submit to test the answer.

    ``session`` (first, optional): the Session from :func:`a2i_kit.connect`, or ``None`` offline.
    After a submit, ``answer`` holds the answerContent, ``answer_ok`` says whether it matches the
    template's inferred answer shape and ``answer_problems`` lists what does not. ``s3://``
    images in the input are signed from ``session`` (data: URIs from the local mirror, presigned
    URLs on AWS); the frame grows with the page (``height`` is the first height).
    """

    _esm = static_text("common.js", "preview.js", "task_preview.js")
    _css = STATIC / "widgets.css"

    template = traitlets.Unicode("")
    task_input = traitlets.Dict()
    title = traitlets.Unicode("Task preview").tag(sync=True)

    def __init__(self, session: Session | None = None, *, template: str,
                 task_input: dict[str, Any] | str | None = None, height: int = 480, signer: Any = None,
                 title: str = "Task preview") -> None:
        session = preview_session(session, "TaskPreview")
        if not isinstance(template, str) or not template.strip():
            raise InputError("template is empty: pass the template HTML, e.g. "
                             "TaskPreview(session, template=builtin('text-classification').content, ...)")
        super().__init__(signer=signer, session=session, template=template, task_input=parse_task_input(task_input),
                         frame_height=height, title=title)
        self._live = True
        self.refresh_preview()

    @classmethod
    def from_builtin(cls, name: str, *, session: Session | None = None,
                     task_input: dict[str, Any] | str | None = None, **kwargs: Any) -> TaskPreview:
        """A preview of a built-in template, with its sample input unless one is given.

        >>> TaskPreview.from_builtin("text-classification").render_error
        ''
        """
        from a2i_kit.templates import builtin

        found = builtin(name)
        return cls(session, template=found.content,
                   task_input=found.sample_input if task_input is None else task_input, **kwargs)

    @traitlets.validate("task_input")
    def _check_input(self, proposal: Any) -> dict[str, Any]:
        return parse_task_input(proposal["value"])

    @traitlets.observe("template", "task_input")
    def _rerender(self, _change: Any) -> None:
        if self._live:
            self.refresh_preview()

    def preview_template(self) -> str:
        return self.template

    def preview_input(self) -> dict[str, Any]:
        return self.task_input
