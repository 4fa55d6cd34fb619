"""The A2I Liquid filters and the value-to-text rules of the A2I renderer.

Example:
    >>> html_escape("Tom & 'Jerry' <b>")
    'Tom &amp; &#39;Jerry&#39; &lt;b&gt;'
    >>> to_text({"x": 3, "y": [1, 2]})
    '{"x":3,"y":[1,2]}'
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from liquid import Markup
from liquid.exceptions import FilterError
from liquid.undefined import is_undefined

from a2i_kit.templates.signing import NotS3Error, Signer, is_presigned, parse_s3_location

_SPECIAL = re.compile("[&<>\"']")
_BARE_AMP = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")

current_signer: ContextVar[Signer | None] = ContextVar("a2i_signer", default=None)


class GrantReadAccessError(FilterError):
    """``grant_read_access`` got a value that is not an S3 URI (A2I wording)."""


def html_escape(text: str) -> str:
    """Escape like A2I: ``&<>"'`` become ``&amp; &lt; &gt; &quot; &#39;``."""
    if not _SPECIAL.search(text):
        return text
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def to_json_text(value: Any) -> str:
    """Compact JSON, as Ruby's ``to_json`` prints it."""
    if is_undefined(value) or value is None:
        return "null"
    return _ENCODER.encode(value)


def _json_default(value: Any) -> Any:
    if is_undefined(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, range):
        return list(value)
    return str(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def to_text(value: Any) -> str:
    """Text of a value before escaping: JSON for objects/arrays, ``true``/``false``."""
    if isinstance(value, str):
        return str(value) if not isinstance(value, Markup) else value
    if value is None or is_undefined(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return to_json_text(value)
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}"
    return str(value)


def output_text(value: Any, autoescape: bool = True) -> str:
    """What ``{{ value }}`` writes: safe markup as is, everything else escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    text = to_text(value)
    return html_escape(text) if autoescape else text


def escape(value: Any) -> Markup:
    """``escape``: HTML-escape once (already safe text is not escaped again)."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(html_escape(to_text(value)))


def escape_once(value: Any) -> Markup:
    """``escape_once``: escape, leaving existing entities such as ``&amp;`` alone."""
    text = str(value.__html__()) if hasattr(value, "__html__") else to_text(value)
    text = _BARE_AMP.sub("&amp;", text)
    return Markup(text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
                  .replace("'", "&#39;"))


def skip_autoescape(value: Any) -> Markup:
    """``skip_autoescape``: emit the value raw (trusted markup only)."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(to_text(value))


def to_json(value: Any) -> str:
    """``to_json``: serialise to compact JSON (auto-escaped afterwards)."""
    if isinstance(value, Markup):
        value = value.unescape()
    return to_json_text(value)


def grant_read_access(value: Any) -> str:
    """``grant_read_access``: S3 URI → signed https URL via the active signer."""
    raw = value.unescape() if isinstance(value, Markup) else to_text(value)
    if not isinstance(value, str) and not is_undefined(value) and value is not None:
        raise _invalid(raw)
    try:
        bucket, key = parse_s3_location(raw)
    except NotS3Error:
        return raw.strip()
    except ValueError:
        raise _invalid(raw) from None
    if raw.lower().startswith("http") and is_presigned(raw):
        return raw.strip()
    signer = current_signer.get()
    if signer is None:
        raise GrantReadAccessError(
            f'"grant_read_access" cannot sign "{raw}": no signer is configured '
            "(pass signer=local_signer(service_url) or aws_signer(s3_client))",
            token=None,
        )
    return signer(bucket, key)


def _invalid(raw: str) -> GrantReadAccessError:
    return GrantReadAccessError(
        f'"grant_read_access" input is not a valid S3 URI: "{raw}".', token=None
    )


A2I_FILTERS = {
    "grant_read_access": grant_read_access,
    "to_json": to_json,
    "skip_autoescape": skip_autoescape,
    "escape": escape,
    "escape_once": escape_once,
}
