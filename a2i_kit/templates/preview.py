"""The one preview pipeline: render the template, prepare the page, show it in a sandboxed iframe.

:func:`task_page` renders (:func:`a2i_kit.templates.render`) and prepares the page with the offline
crowd elements and their bridge (:func:`a2i_kit.crowd.prepare_task_html`); :func:`preview_html`
wraps it in ``<iframe sandbox="allow-scripts allow-forms" srcdoc=…>``
(:func:`a2i_kit.crowd.sandboxed_iframe`). The widgets (:mod:`a2i_kit.widgets.preview`) use
:func:`task_page` and add their key bridge; the portal wraps pages the service rendered.

Example:
    >>> html = preview_html("<p>{{ task.input.t }}</p>", {"t": "hi"})
    >>> 'sandbox="allow-scripts allow-forms"' in html and "allow-same-origin" not in html
    True
"""

from __future__ import annotations

import base64
import mimetypes
import warnings
from pathlib import Path
from typing import Any

from a2i_kit.crowd import prepare_task_html, sandboxed_iframe
from a2i_kit.errors import TemplateError
from a2i_kit.templates.library import builtin_assets
from a2i_kit.templates.render import render
from a2i_kit.templates.signing import Signer

__all__ = ["data_uri_signer", "preview", "preview_html", "task_page"]


def data_uri_signer(mirror_dir: str | Path | None = None) -> Signer:
    """A signer that inlines images as ``data:`` URIs (for offline previews).

    It knows the packaged sample images and, with ``mirror_dir``, any file of a local
    S3 mirror (``mirror_dir/bucket/key``).

    Example:
        >>> data_uri_signer()("a2i-kit-samples", "images/shapes-1.png")[:22]
        'data:image/png;base64,'
    """
    known = {(bucket, key): path for bucket, key, path in builtin_assets()}

    def sign(bucket: str, key: str) -> str:
        path = known.get((bucket, key))
        if path is None and mirror_dir is not None:
            candidate = Path(mirror_dir) / bucket / key
            path = candidate if candidate.is_file() else None
        if path is None:
            raise TemplateError(
                f"s3://{bucket}/{key} is not available offline: pass signer=local_signer(url) "
                "for the embedded service or aws_signer(s3) for AWS"
            )
        mime = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
        return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")

    return sign


def task_page(
    template: str,
    task_input: dict[str, Any] | str,
    *,
    signer: Signer | None = None,
    static_base: str | None = None,
) -> str:
    """The task page: ``template`` rendered with ``task_input``, crowd elements and bridge added.

    ``signer`` signs ``grant_read_access`` (default :func:`data_uri_signer`); ``static_base`` is
    where ``crowd/`` is served, ``None`` inlines the elements (for a ``srcdoc`` frame).

    >>> "customElements.define" in task_page("<crowd-form></crowd-form>", {})
    True
    """
    rendered = render(template, task_input, signer=signer or data_uri_signer())
    return prepare_task_html(rendered, static_base=static_base)


def preview_html(
    template: str,
    task_input: dict[str, Any] | str,
    *,
    signer: Signer | None = None,
    height: int = 600,
    static_base: str | None = None,
) -> str:
    """The ``<iframe sandbox srcdoc=…>`` markup showing the rendered task."""
    page = task_page(template, task_input, signer=signer, static_base=static_base)
    return sandboxed_iframe(page, {"style": f"width: 100%; height: {int(height)}px; "
                                            "border: 1px solid #d5dbdb;"})


def preview(
    template: str,
    task_input: dict[str, Any] | str,
    *,
    signer: Signer | None = None,
    height: int = 600,
    static_base: str | None = None,
) -> Any:
    """Display the rendered task in the notebook (returns the IPython HTML object).

    The iframe is sandboxed (scripts and forms only, never same-origin), so template
    CSS/JS cannot touch the notebook.
    """
    from IPython.display import HTML, display

    markup = preview_html(template, task_input, signer=signer, height=height,
                          static_base=static_base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "consider IFrame": srcdoc is the point
        shown = HTML(markup)
    display(shown)
    return shown
