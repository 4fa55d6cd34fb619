"""Admin token of the embedded service, and the signed links it hands out.

The token is created at first start and kept in the ``admin-token`` file of the data directory
(0600, in a 0700 folder). Every ``/_a2i/admin``, ``/_a2i/workforce`` and ``/_a2i/events`` call
needs the header ``X-A2I-Admin-Token: <token>``.

Signed links (the task UI ``Url``, mirror objects behind ``grant_read_access``) work like S3
presigned URLs: an HMAC keyed by the admin token over what the link opens *and* its expiry,
``expires=<epoch seconds>`` in the URL. Expiry follows the service clock (``ctx.clock``, which
``/_a2i/admin/clock`` moves), so tests can expire a link without sleeping. Editing ``expires``
breaks the signature.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> load_or_create_token(d) == load_or_create_token(d)
    True
"""

from __future__ import annotations

import hmac
import math
import os
import secrets
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from a2i_kit.errors import ServiceError
from a2i_kit.service import private
from a2i_kit.service.timefmt import iso_seconds

TOKEN_FILE = "admin-token"
HEADER = "X-A2I-Admin-Token"
WHERE_IS_THE_TOKEN = ("the token is in the admin-token file of the service's data directory "
                      "(ServiceThread.admin_token in Python; `a2i-kit serve` prints where)")
# What the task UI Url signs (task_uis.template_url makes it, server.misc_routes checks it).
TEMPLATE_LINK = "ui-templates:{name}\n{sha256}"
_MAX_EXPIRES_DIGITS = 12  # epoch seconds until the year 33658: anything longer is forged


def load_or_create_token(data_dir: str | Path) -> str:
    """Read the admin token, creating it (0600, whole or not at all) on first use."""
    folder = private.private_dir(data_dir)
    path = folder / TOKEN_FILE
    if not path.exists():
        token = secrets.token_urlsafe(32)
        tmp = private.write_atomic(folder / f"{private.TEMP_PREFIX}{TOKEN_FILE}.{os.getpid()}.{secrets.token_hex(4)}",
                                   (token + "\n").encode())
        try:
            os.link(tmp, path)  # atomic create-if-absent: a concurrent first start keeps one token
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: last writer wins, still whole
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    token = path.read_text().strip()
    if not token:
        raise ServiceError(f"{path} is empty; delete it so a new admin token is generated")
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
    """Raise a 401 HTTPException unless the request carries the admin token.

    The message says where the token is without printing the data directory's path.
    """
    if not is_admin(request, ctx):
        raise HTTPException(401, f"missing or wrong {HEADER} header; {WHERE_IS_THE_TOKEN}")


def sign(ctx: Any, text: str, expires: int | None = None) -> str:
    """Short HMAC over ``text`` (and ``expires`` when given) keyed by the admin token."""
    message = text if expires is None else f"{text}\nexpires={int(expires)}"
    return hmac.new(token_of(ctx).encode(), message.encode(), "sha256").hexdigest()[:32]


class LinkRefused(Exception):
    """A signed link that does not open: forged/edited (``expired`` False) or too old (True)."""

    def __init__(self, expired: bool, expires: int | None = None) -> None:
        super().__init__("signed link expired" if expired else "signed link not valid")
        self.expired, self.expires = expired, expires

    def when(self) -> str:
        """The expiry as ISO-8601 UTC text (for messages)."""
        return iso_seconds(self.expires or 0)


def link_expiry(ctx: Any, seconds: float | None = None) -> int:
    """Epoch second (service clock) at which a link made now stops working.

    ``seconds`` defaults to ``ServiceConfig.signed_link_seconds``. The result is rounded up by at
    most a 60th of the lifetime (a minute for the default hour), so links to one object made within
    that step are identical: browsers cache the image, and two renders of a template agree.

    >>> from types import SimpleNamespace
    >>> ctx = SimpleNamespace(clock=SimpleNamespace(now=lambda: 1000.5),
    ...                       config=SimpleNamespace(signed_link_seconds=3600))
    >>> link_expiry(ctx), link_expiry(ctx, 30)
    (4620, 1031)
    """
    lifetime = float(ctx.config.signed_link_seconds if seconds is None else seconds)
    step = max(1, min(60, int(lifetime // 60)))
    return int(math.ceil((ctx.clock.now() + lifetime) / step) * step)


def sign_link(ctx: Any, text: str, seconds: float | None = None) -> tuple[int, str]:
    """``(expires, signature)`` for a link opening ``text``; put both in the link's query."""
    expires = link_expiry(ctx, seconds)
    return expires, sign(ctx, text, expires)


def verify_link(ctx: Any, text: str, expires: str, signature: str) -> None:
    """Raise :class:`LinkRefused` unless ``signature`` signs ``text`` + ``expires`` and it is not past.

    The signature is checked first, so an edited ``expires`` reads as a forged link.
    """
    if not (expires.isascii() and expires.isdigit() and len(expires) <= _MAX_EXPIRES_DIGITS):
        raise LinkRefused(expired=False)
    when = int(expires)
    if not hmac.compare_digest(signature.encode("utf-8", "replace"), sign(ctx, text, when).encode()):
        raise LinkRefused(expired=False)
    if ctx.clock.now() >= when:
        raise LinkRefused(expired=True, expires=when)
