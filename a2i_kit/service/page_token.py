"""Opaque keyset page tokens (``NextToken``) of the service's list operations.

A token names a position (creation time, name) and the list it belongs to (``scope``), so it
survives restarts. Decoding refuses anything we did not make with ``ValueError`` and nothing
else; the AWS routes turn that into a ValidationException.

Example:
    >>> PageToken.decode(PageToken.encode(1.5, "loop-1", "scope"), "scope")
    (1.5, 'loop-1')
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any


class PageToken:
    """Opaque keyset NextToken: survives restarts because it names a position, not an offset.

    >>> token = PageToken.encode(1.5, "loop-1", "scope")
    >>> PageToken.decode(token, "scope")
    (1.5, 'loop-1')
    """

    MAX_CHARS = 1024

    @staticmethod
    def encode(creation_time: float, name: str, scope: str) -> str:
        raw = json.dumps([creation_time, name, scope], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(token: Any, scope: str) -> tuple[float, str]:
        """Return (creation_time, name). Any token we did not make for ``scope`` raises ValueError
        (and nothing else): wrong alphabet, length, JSON, arity, types or a non-finite time."""
        if not isinstance(token, str) or len(token) > PageToken.MAX_CHARS or not _TOKEN_CHARS.fullmatch(token):
            raise ValueError("invalid pagination token")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except Exception as exc:  # binascii.Error, UnicodeDecodeError, JSONDecodeError, RecursionError
            raise ValueError("invalid pagination token") from exc
        if not isinstance(value, list) or len(value) != 3:
            raise ValueError("invalid pagination token")
        creation_time, name, token_scope = value
        if token_scope != scope or not isinstance(name, str):
            raise ValueError("pagination token does not belong to this request")
        if isinstance(creation_time, bool) or not isinstance(creation_time, int | float):
            raise ValueError("invalid pagination token")
        try:
            when = float(creation_time)
            name.encode("utf-8")  # a lone surrogate would fail later, inside the store
        except (OverflowError, UnicodeEncodeError) as exc:
            raise ValueError("invalid pagination token") from exc
        if not math.isfinite(when):
            raise ValueError("invalid pagination token")
        return when, name


_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]*")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a pagination token")
