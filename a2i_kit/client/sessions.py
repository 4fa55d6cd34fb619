"""``as_session``: the one place that turns what older code passes into a :class:`Session`.

Every public function of a2i-kit takes a :class:`~a2i_kit.session.Session` first. Notebooks and
scripts written before that passed ``session.runtime``, ``session.sagemaker``, a running
``ServiceThread`` or the service URL and admin token instead; those forms still work and land
here, so no other module keeps its own "is it a client, a URL or a session?" branch.

Example:
    >>> s = as_session("http://127.0.0.1:8765", "secret")
    >>> s.endpoint_url, s.admin_token, s.runtime is None
    ('http://127.0.0.1:8765', 'secret', True)
    >>> as_session(s) is s
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from a2i_kit.errors import InputError
from a2i_kit.session import Session

WANTED = "a Session from a2i_kit.connect()"


def as_session(source: Any, admin_token: str | None = None) -> Session:
    """``source`` as a Session: itself, or a Session around the client, service or URL it names.

    Accepted besides a Session: a boto3 ``sagemaker-a2i-runtime`` or ``sagemaker`` client, a
    running ``ServiceThread``, a service URL (with ``admin_token``) or a ``(url, admin_token)``
    pair. Anything else raises InputError naming what to pass.
    """
    if isinstance(source, Session):
        return source
    if isinstance(source, tuple) and len(source) == 2 and isinstance(source[0], str):
        source, admin_token = source
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return Session(backend="local", region="", sagemaker=None, runtime=None,
                       endpoint_url=source.rstrip("/"), admin_token=admin_token or None)
    if isinstance(source, str | Path):
        raise InputError(f"{str(source)[:80]!r} is not a session: pass {WANTED} (or the service's "
                         "http:// URL and its admin token)")
    meta = getattr(source, "meta", None)
    if meta is not None and hasattr(meta, "service_model"):
        return _of_client(source)
    url = getattr(source, "url", None)
    if isinstance(url, str) and hasattr(source, "admin_token"):  # a ServiceThread of this process
        return Session(backend="local", region=getattr(getattr(source, "config", None), "region", ""),
                       sagemaker=None, runtime=None, service=source, endpoint_url=url.rstrip("/"),
                       admin_token=admin_token or None)
    raise InputError(f"{type(source).__name__} is not a session: pass {WANTED}")


def _of_client(client: Any) -> Session:
    """A Session holding one boto3 client (the other one is None)."""
    name = client.meta.service_model.service_name
    endpoint = str(client.meta.endpoint_url or "")
    backend = "aws" if endpoint.endswith((".amazonaws.com", ".amazonaws.com.cn")) else "local"
    if name == "sagemaker-a2i-runtime":
        return Session(backend=backend, region=client.meta.region_name, sagemaker=None, runtime=client,
                       endpoint_url=endpoint)
    if name == "sagemaker":
        return Session(backend=backend, region=client.meta.region_name, sagemaker=client, runtime=None,
                       endpoint_url=endpoint)
    raise InputError(f"a boto3 {name!r} client is not a session: pass {WANTED}")


def require(session: Session, what: str, needs: str) -> Any:
    """``session.<needs>`` (``runtime``/``sagemaker``), or InputError saying ``what`` needs it.

    >>> require(as_session("http://127.0.0.1:1", "t"), "status_summary", "runtime")
    Traceback (most recent call last):
    ...
    a2i_kit.errors.InputError: status_summary needs the session's runtime client: pass a Session from a2i_kit.connect()
    """
    client = getattr(session, needs)
    if client is None:
        raise InputError(f"{what} needs the session's {needs} client: pass {WANTED}")
    return client


def service_endpoint(session: Session, what: str = "this") -> tuple[str, str]:
    """``(url, admin_token)`` of the session's embedded (or ``a2i-kit serve``) service, for its
    non-AWS HTTP routes under ``/_a2i``; InputError naming the fix on AWS or without a token.

    >>> service_endpoint(as_session("http://127.0.0.1:8765/", "secret"))
    ('http://127.0.0.1:8765', 'secret')
    """
    if not session.endpoint_url or not session.admin_token:
        raise InputError(f"{what} needs the a2i-kit service and its admin token: use a2i_kit.connect() "
                         "(local), or pass the service URL and admin token of a2i-kit serve")
    return session.endpoint_url.rstrip("/"), session.admin_token
