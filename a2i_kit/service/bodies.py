"""Request bodies read and parsed safely: a size cap before reading, strict JSON after.

Every route family of the service (AWS, worker, portal, admin, built-in entry points) reads its
body through :func:`read_capped` and parses JSON through :func:`strict_loads`, so the same
refusals apply everywhere; each family turns :class:`BodyError` into its own error shape
(AWS-shaped on the AWS routes, ``{"error", "code"}`` JSON elsewhere).

Strict means what a strict JSON parser on the reading side accepts, because whatever the
service stores ends up in ``output.json``: no ``NaN``/``Infinity``, no number that overflows a
double (``1e999``), no lone UTF-16 surrogate (it cannot be encoded as UTF-8), nesting at most
:data:`MAX_DEPTH` deep.

Example:
    >>> strict_loads(b'{"a": [1, 2.5, "x"]}')
    {'a': [1, 2.5, 'x']}
    >>> strict_loads(b'{"a": NaN}')
    Traceback (most recent call last):
    ...
    a2i_kit.service.bodies.BodyError: the JSON holds NaN, which strict JSON parsers refuse; send null or a number
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


class BodyError(ValueError):
    """A request body that cannot be accepted; ``status`` is 400 (bad content) or 413 (too large)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _refuse_constant(name: str) -> Any:
    raise BodyError(f"the JSON holds {name}, which strict JSON parsers refuse; send null or a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError(f"the JSON number {text[:40]} is too large for a double; send a smaller number")
    return value


# Built once: json.loads(..., parse_float=...) makes a new decoder on every call (~5 % of the
# service's CPU per StartHumanLoop). Decoding bytes as json.loads does (detect_encoding).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def strict_loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON as a strict parser would accept it back; raises :class:`BodyError` otherwise.

    >>> strict_loads("[[[]]]", max_depth=2)
    Traceback (most recent call last):
    ...
    a2i_kit.service.bodies.BodyError: the JSON is nested more than 2 levels deep
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    try:
        value = _DECODER.decode(data.decode(json.detect_encoding(data), "surrogatepass"))
    except BodyError:
        raise
    except RecursionError:
        raise BodyError(f"the JSON is nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise BodyError(f"not valid JSON: {str(exc)[:200]}") from None
    # Cheap pre-checks in C before any walk in Python: few brackets cannot nest deeply,
    # and a lone surrogate can only arrive as a \uD800-\uDFFF escape.
    if data.count(b"[") + data.count(b"{") > max_depth and _depth_exceeds(value, max_depth):
        raise BodyError(f"the JSON is nested more than {max_depth} levels deep")
    if _SURROGATE_ESCAPE.search(data) and _has_lone_surrogate(value):
        raise BodyError("the JSON holds a lone UTF-16 surrogate (\\uD800-\\uDFFF), which is not text; "
                        "send valid Unicode")
    return value


def strict_object(raw: bytes | str, *, empty_ok: bool = True) -> dict[str, Any]:
    """:func:`strict_loads` for a body that must be a JSON object (an empty body is ``{}``).

    >>> strict_object(b"")
    {}
    """
    if isinstance(raw, bytes | str) and not raw.strip():
        if empty_ok:
            return {}
        raise BodyError("the body is empty; send a JSON object")
    value = strict_loads(raw)
    if not isinstance(value, dict):
        raise BodyError(f"the body must be a JSON object, not a JSON {type(value).__name__}")
    return value


def check_text(value: str, what: str) -> str:
    """Refuse a string that cannot be written as UTF-8 (a lone surrogate from a URL or header).

    >>> check_text("ok", "name")
    'ok'
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError(f"{what} holds a lone UTF-16 surrogate, which is not text; send valid Unicode") from None
    return value


async def read_capped(request: Any, limit: int) -> bytes:
    """The body of a starlette ``request``, refused (413) as soon as it exceeds ``limit`` bytes.

    A declared ``Content-Length`` above the limit is refused before anything is read.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise BodyError(f"Content-Length {declared[:40]!r} is not a number")
        if int(declared) > limit:
            raise BodyError(f"the body ({int(declared)} bytes) is larger than this route accepts "
                            f"({limit} bytes)", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(f"the body ({size} bytes or more) is larger than this route accepts "
                            f"({limit} bytes)", 413)
        chunks.append(chunk)
    return b"".join(chunks)
