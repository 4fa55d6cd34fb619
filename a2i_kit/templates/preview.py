"""Show a rendered task in a notebook, inside a sandboxed iframe.

Example:
    >>> html = preview_html("<p>{{ task.input.t }}</p>", {"t": "hi"})
    >>> 'sandbox="allow-scripts allow-forms"' in html and "allow-same-origin" not in html
    True
"""

from __future__ import annotations

import base64
import html as html_lib
import mimetypes
import warnings
from pathlib import Path
from typing import Any

from a2i_kit.errors import TemplateError
from a2i_kit.templates.library import builtin_assets
from a2i_kit.templates.render import render
from a2i_kit.templates.signing import Signer

SANDBOX = "allow-scripts allow-forms"


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


def _prepare(rendered: str, static_base: str | None) -> str:
    try:
        from a2i_kit.portal.assets import prepare_task_html
    except ImportError:
        return rendered
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
    page = _prepare(render(template, task_input, signer=signer or data_uri_signer()),
                    static_base)
    return (
        f'<iframe sandbox="{SANDBOX}" srcdoc="{html_lib.escape(page, quote=True)}" '
        f'style="width: 100%; height: {int(height)}px; border: 1px solid #d5dbdb;"></iframe>'
    )


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
