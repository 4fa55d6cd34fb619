"""Database failures as one line a person can act on (never a traceback, never a password).

Example:
    >>> from sqlalchemy.exc import OperationalError
    >>> exc = OperationalError("connect", {}, Exception('connection refused'))
    >>> str(explain(exc, "postgresql+psycopg://alice:secret@db:5432/a2i"))[:60]
    'cannot reach the database postgresql+psycopg://alice:***@db:'
"""

from __future__ import annotations

import sqlalchemy as sa

from a2i_kit.service.store.core import StoreError

__all__ = ["explain", "redact"]


def redact(url: str) -> str:
    """The URL with its password replaced by ``***``."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


def explain(exc: BaseException, url: str) -> StoreError:
    """A :class:`StoreError` saying what went wrong with the database at ``url`` and what to do."""
    where = redact(url)
    original = getattr(exc, "orig", None) or exc
    text = " ".join(str(original).split())
    lower = text.lower()
    if "password authentication failed" in lower or "no password supplied" in lower:
        return StoreError(f"the database at {where} refused the login: check the user and password in "
                          "--database-url (A2I_KIT_DATABASE_URL)")
    if "does not exist" in lower and "database" in lower:
        return StoreError(f"the database named in {where} does not exist: create it (createdb) or fix the URL")
    if "read-only" in lower or "readonly" in lower or "read only" in lower:
        return StoreError(f"the database at {where} is read-only: the service needs to write; use a "
                          f"writable database or file ({text[:120]})")
    if "unable to open database file" in lower:
        return StoreError(f"cannot open the SQLite file {where}: check that its folder exists and is writable")
    if isinstance(exc, sa.exc.OperationalError) or "connection" in lower:
        return StoreError(f"cannot reach the database {where} ({text[:160]}): check --database-url "
                          "(A2I_KIT_DATABASE_URL) and that the server is running")
    if isinstance(exc, sa.exc.ArgumentError | sa.exc.NoSuchModuleError):
        return StoreError(f"{where} is not a database URL a2i-kit can use ({text[:120]}): use "
                          "postgresql+psycopg://user:password@host:5432/dbname or leave it unset for SQLite")
    return StoreError(f"the database at {where} failed: {text[:200]}")
