"""TemplateDesigner: edit a task template with a live preview, lint findings and a test submit.

The editor is CodeMirror 6 (bundled in ``static/codemirror.js`` by ``tools/build_editor.sh``):
HTML highlighting with Liquid tags marked, line numbers, and the lint findings as markers on
their lines; Ctrl/Cmd+S saves. Edits reach the kernel debounced, which
re-renders the preview (sandboxed iframe, offline crowd elements) and re-lints. The sample input
comes from a built-in's sample or the skeleton inferred from the template, and stays editable.
Save writes the template to a file; Register creates a human task UI (``<base>``, then
``<base>-v2`` … for changed content) through the session's SageMaker client. The session comes
first and is optional: without one the designer works offline (no Register).

Example:
    >>> d = TemplateDesigner(builtin="text-classification")
    >>> d.findings == [] and d.render_error == ""
    True
    >>> d.template = d.template.replace('header=', 'data-x=', 1)
    >>> TemplateDesigner(session, builtin="text-classification", name="reviews-ui").register()  # doctest: +SKIP
    {'name': 'reviews-ui', 'arn': 'arn:aws:sagemaker:...:human-task-ui/reviews-ui', 'created': True}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import traitlets

from a2i_kit.errors import InputError
from a2i_kit.widgets.base import STATIC, action, static_text
from a2i_kit.widgets.preview import PreviewWidget, parse_task_input
from a2i_kit.widgets.registration import check_name, register_task_ui
from a2i_kit.widgets.task_preview import preview_session

if TYPE_CHECKING:
    from a2i_kit.session import Session

SKELETON = "skeleton"
CUSTOM = "custom"


class TemplateDesigner(PreviewWidget):
    """Template editor + live preview + lint + test submit + save + register.

    ``session`` (first, optional): the Session from :func:`a2i_kit.connect` (signs ``s3://`` images,
    registers task UIs), or ``None`` to design offline.
    """

    _esm = static_text("codemirror.js", "common.js", "preview.js", "template_designer.js")
    _css = STATIC / "widgets.css"

    template = traitlets.Unicode("").tag(sync=True)
    sample_text = traitlets.Unicode("{}").tag(sync=True)
    sample_source = traitlets.Unicode(SKELETON).tag(sync=True)
    sample_choices = traitlets.List(traitlets.Unicode()).tag(sync=True)
    findings = traitlets.List(traitlets.Dict()).tag(sync=True)
    path = traitlets.Unicode("").tag(sync=True)
    task_ui_name = traitlets.Unicode("").tag(sync=True)
    task_ui_arn = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    debounce_ms = traitlets.Int(300).tag(sync=True)

    def __init__(self, session: Session | None = None, *, template: str | None = None,
                 builtin: str | None = None, sample_input: dict[str, Any] | str | None = None,
                 path: str | Path | None = None, name: str | None = None, height: int = 480,
                 signer: Any = None) -> None:
        from a2i_kit.templates import builtin_names

        session = preview_session(session, "TemplateDesigner")
        content, sample, source = _initial(template, builtin, sample_input, path)
        self._session = session
        super().__init__(signer=signer, session=session, template=content, frame_height=height,
                         sample_choices=[SKELETON, *builtin_names()], sample_source=source,
                         path=str(path or ""), task_ui_name=name or (builtin or ""))
        self.sample_text = json.dumps(sample if sample is not None else _skeleton(content), indent=2)
        self._live = True
        self.refresh()

    # -- state --------------------------------------------------------------------------
    @property
    def sample_input(self) -> dict[str, Any]:
        """The sample input as a dict (InputError when the JSON text is not an object)."""
        return parse_task_input(self.sample_text)

    @traitlets.validate("sample_source")
    def _check_source(self, proposal: Any) -> str:
        value = proposal["value"]
        if value not in (CUSTOM, *self.sample_choices) and self.sample_choices:
            raise traitlets.TraitError(f"sample_source {value!r} is not one of: "
                                       f"{', '.join([CUSTOM, *self.sample_choices])}")
        return value

    @traitlets.validate("debounce_ms")
    def _check_debounce(self, proposal: Any) -> int:
        if not 0 <= proposal["value"] <= 5000:
            raise traitlets.TraitError("debounce_ms must be between 0 and 5000")
        return proposal["value"]

    @traitlets.observe("sample_source")
    def _load_sample(self, change: Any) -> None:
        if not self._live or change["new"] == CUSTOM:
            return
        self.sample_text = json.dumps(self._sample_for(change["new"]), indent=2)

    @traitlets.observe("template", "sample_text")
    def _changed(self, _change: Any) -> None:
        if self._live:
            self.refresh()

    def _sample_for(self, source: str) -> dict[str, Any]:
        from a2i_kit.templates import builtin

        return _skeleton(self.template) if source == SKELETON else builtin(source).sample_input

    def refresh(self) -> None:
        """Re-render the preview and re-lint (called on every template / sample change)."""
        from a2i_kit.templates import lint

        try:
            sample = self.sample_input
        except InputError as exc:
            self.render_error = f"sample input: {exc}"
            self.findings = [f.to_dict() for f in lint(self.template)]
            return
        self.findings = [f.to_dict() for f in lint(self.template, sample)]
        self.refresh_preview()

    def preview_template(self) -> str:
        return self.template

    def preview_input(self) -> dict[str, Any]:
        return self.sample_input

    # -- actions ------------------------------------------------------------------------
    def save(self, path: str | Path | None = None) -> Path:
        """Write the template to ``path`` (or the last path used)."""
        target = Path(path or self.path).expanduser() if (path or self.path) else None
        if target is None:
            raise InputError("no file to save to: type a path (e.g. templates/review.html) and Save again")
        if target.is_dir():
            raise InputError(f"{target} is a folder; give a file name such as {target / 'template.html'}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.template, encoding="utf-8")
        self.path = str(target)
        self.status = f"saved {len(self.template)} characters to {target}"
        return target

    def register(self, name: str | None = None) -> dict[str, Any]:
        """Create the human task UI for this template (a new ``-vN`` name when it changed)."""
        from a2i_kit.templates import has_errors, lint

        if self._session is None or getattr(self._session, "sagemaker", None) is None:
            raise InputError("registering needs a session with a SageMaker client: "
                             "TemplateDesigner(a2i_kit.connect(), template=...)")
        base = check_name((name or self.task_ui_name).strip())
        problems = [f for f in lint(self.template, self._safe_sample()) if f.severity == "error"]
        if has_errors(problems):
            first = problems[0]
            raise InputError(f"fix the template first: line {first.line}: {first.message} "
                             f"({len(problems)} error(s) in the findings list)")
        result = register_task_ui(self._session.sagemaker, base, self.template)
        self.task_ui_name, self.task_ui_arn = base, result.arn
        verb = "registered" if result.created else "unchanged, reusing"
        self.status = f"{verb} task UI {result.name}"
        return {"name": result.name, "arn": result.arn, "created": result.created}

    def _safe_sample(self) -> dict[str, Any] | None:
        try:
            return self.sample_input
        except InputError:
            return None

    @action("save")
    def _on_save(self, payload: dict[str, Any]) -> str:
        return str(self.save(payload.get("path") or None))

    @action("register")
    def _on_register(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.register(payload.get("name") or None)


def _skeleton(template: str) -> dict[str, Any]:
    from a2i_kit.templates import sample_skeleton

    try:
        return sample_skeleton(template)
    except Exception:  # a half-typed template may not scan; an empty sample still previews
        return {}


def _initial(template: str | None, builtin: str | None, sample_input: Any,
             path: str | Path | None) -> tuple[str, dict[str, Any] | None, str]:
    """(content, sample or None for the skeleton, sample source) from the constructor arguments."""
    from a2i_kit.templates import builtin as load_builtin

    if template is not None and builtin is not None:
        raise InputError("pass template=... or builtin=..., not both")
    sample = parse_task_input(sample_input) if sample_input is not None else None
    if builtin is not None:
        found = load_builtin(builtin)
        return found.content, sample if sample is not None else found.sample_input, \
            CUSTOM if sample is not None else builtin
    if template is None and path is not None and Path(path).expanduser().is_file():
        template = Path(path).expanduser().read_text(encoding="utf-8")
    if template is None:
        raise InputError("nothing to edit: pass template='<html>', builtin='text-classification' "
                         "or path= an existing template file")
    return template, sample, CUSTOM if sample is not None else SKELETON
