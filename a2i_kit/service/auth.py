"""Admin token of the embedded service: created at first start, kept in ``data_dir/admin-token``.

Every ``/_a2i/admin``, ``/_a2i/workforce`` and ``/_a2i/events`` call needs the header
``X-A2I-Admin-Token: <token>``.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> load_or_create_token(d) == load_or_create_token(d)
    True
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from a2i_kit.errors import ServiceError

TOKEN_FILE = "admin-token"
HEADER = "X-A2I-Admin-Token"


def load_or_create_token(data_dir: str | Path) -> str:
    """Read the admin token, creating it (mode 0600) on first use."""
    path = Path(data_dir) / TOKEN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = path.read_text().strip()
        if not token:
            raise ServiceError(f"{path} is empty; delete it so a new admin token is generated") from None
        return token
    token = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def token_of(ctx: Any) -> str:
    """The admin token of a running service's context."""
    token = getattr(ctx, "admin_token", None)
    if not token:
        token = load_or_create_token(ctx.config.data_dir)
        ctx.admin_token = token
    return token


def is_admin(request: Request, ctx: Any) -> bool:
    given = request.headers.get(HEADER, "")
    return bool(given) and hmac.compare_digest(given.encode(), token_of(ctx).encode())


def require_admin(request: Request, ctx: Any) -> None:
    """Raise a 401 HTTPException unless the request carries the admin token."""
    if not is_admin(request, ctx):
        raise HTTPException(401, f"missing or wrong {HEADER} header; the token is in "
                                 f"{Path(ctx.config.data_dir) / TOKEN_FILE}")


def sign(ctx: Any, text: str) -> str:
    """Short HMAC over ``text`` with the admin token (used for presigned-style URLs)."""
    return hmac.new(token_of(ctx).encode(), text.encode(), "sha256").hexdigest()[:32]
