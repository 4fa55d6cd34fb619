"""Errors of psycopg, SQLAlchemy, sqlite3 and botocore as one :class:`ConfigError` line that names the fix.

The configuration check, ``a2i-kit serve`` and ``a2i-kit db`` all word them here, so a check and a
start say the same thing.

Example:
    >>> try:
    ...     with database_errors("sqlite:////nowhere/a2i.db"):
    ...         sqlite3.connect("/nowhere/a2i.db")
    ... except ConfigError as exc:
    ...     print(exc)
    cannot open the SQLite file sqlite:////nowhere/a2i.db: check that its folder exists and is writable
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from a2i_kit.errors import ConfigError


def public_url(url: str) -> str:
    """A database URL with its password hidden.

    >>> public_url("postgresql+psycopg://a2i:secret@db:5432/a2i")
    'postgresql+psycopg://a2i:***@db:5432/a2i'
    """
    from a2i_kit.service.store.errors import redact

    return redact(url)


def _first_line(exc: BaseException) -> str:
    """The library's own words on one line, without a ``(module.Class)`` prefix."""
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return re.sub(r"^\([\w.]+\) ", "", text)


def is_database_error(exc: BaseException) -> bool:
    """True for errors of SQLAlchemy, psycopg or sqlite3 (and a missing database driver)."""
    if isinstance(exc, ModuleNotFoundError):
        return not (exc.name or "").startswith("a2i_kit")
    module = type(exc).__module__
    return module.startswith(("sqlalchemy", "psycopg", "sqlite3")) or isinstance(exc, sqlite3.Error)


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Re-raise a database library's error inside the block as :func:`database_error`; others as they are."""
    try:
        yield
    except Exception as exc:
        if not is_database_error(exc):
            raise
        raise database_error(exc, url) from exc


def database_error(exc: BaseException, url: str) -> ConfigError:
    """A psycopg, SQLAlchemy or sqlite3 error as one line that says what to fix (the store's
    wording, :func:`a2i_kit.service.store.errors.explain`, so a check and a start say the same)."""
    from a2i_kit.service.store.errors import explain

    return explain(exc, url)


def s3_error(exc: BaseException, endpoint: str, *, bucket: str = "", flows: list[str] | None = None) -> ConfigError:
    """A botocore error of the S3 check as one line that says what to fix."""
    from botocore.exceptions import ClientError, NoCredentialsError, PartialCredentialsError

    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return ConfigError(f"no AWS credentials for S3 at {endpoint} ({exc}); set AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, for the service's user")
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if bucket and code in ("404", "NoSuchBucket"):
            used_by = ", ".join(flows or [])
            return ConfigError(f"bucket {bucket} (S3OutputPath of flow definition {used_by}) does not exist at "
                               f"{endpoint}; create it (aws s3 mb s3://{bucket}) or point --s3-endpoint-url at "
                               "the store that has it")
        if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            where = f"bucket {bucket}" if bucket else "the request"
            return ConfigError(f"S3 at {endpoint} refused {where} ({code}); give the service's credentials "
                               "s3:PutObject, s3:GetObject and s3:ListBucket on the output buckets")
        return ConfigError(f"S3 at {endpoint} answered {code} for {bucket or 'ListBuckets'}; check "
                           "--s3-endpoint-url and the bucket")
    return ConfigError(f"cannot reach S3 at {endpoint} ({_first_line(exc)}); check --s3-endpoint-url "
                       "(or AWS_ENDPOINT_URL_S3)")
