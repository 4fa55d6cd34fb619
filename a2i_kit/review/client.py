"""HTTP clients for the embedded service's worker API and its workforce admin routes.

Example:
    >>> worker = add_worker(session, "alice", ["reviewers"])                # doctest: +SKIP
    >>> client = WorkerClient(url, worker["token"])                         # doctest: +SKIP
    >>> task = client.claim(client.tasks()[0]["humanLoopName"])             # doctest: +SKIP
    >>> client.submit(task["humanLoopName"], {"sentiment": {"label": "positive"}})  # doctest: +SKIP
    {'humanLoopStatus': 'Completed'}
"""

from __future__ import annotations

import base64
import html as html_text
import json as _json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import quote, urlencode

import certifi
import orjson
import urllib3

from a2i_kit.client.sessions import as_session, service_endpoint
from a2i_kit.errors import ServiceError

if TYPE_CHECKING:
    from a2i_kit.session import Session

ADMIN_HEADER = "X-A2I-Admin-Token"
# A signed link to the service's mirror, as grant_read_access renders it (any base, any prefix).
_MEDIA_LINK = re.compile(r"""[^\s"'<>()]*/_a2i/objects/[^\s"'<>()]+""")
INLINE_LIMIT = 1024 * 1024
POOL_SIZE = 16  # kept-alive connections per client (simulated reviewers share the admin client)


class WorkerApiError(ServiceError):
    """The service refused a call; ``status`` is the HTTP status, ``code`` the service's code."""

    def __init__(self, message: str, *, status: int, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class _Http:
    """A small urllib3 client of one service: JSON in and out, error answers as :class:`WorkerApiError`.

    urllib3 (already under botocore) costs about 0.25 ms less CPU per request than httpx, which
    counts for simulated reviewers (two requests per answer). Connections are kept alive and
    shared by the client's threads; nothing is retried (a submit is answered, not repeated).
    https is verified with certifi's CA bundle, loaded only for https.
    """

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        parsed = urllib3.util.parse_url(self.base_url)
        self._prefix = (parsed.path or "").rstrip("/")  # a service behind a path (a proxy)
        tls = {"ca_certs": certifi.where()} if parsed.scheme == "https" else {}
        self._pool = urllib3.connection_from_url(
            self.base_url, maxsize=POOL_SIZE, headers=dict(headers), retries=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout), **tls)

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                content: bytes | None = None) -> urllib3.BaseHTTPResponse:
        """The raw answer (any status); ServiceError when the service cannot be reached."""
        url = self._prefix + path + (f"?{urlencode(params)}" if params else "")
        headers = {}
        if json is not None:
            content, headers["Content-Type"] = _json.dumps(json).encode(), "application/json"
        try:
            return self._pool.urlopen(method, url, body=content, headers={**self._pool.headers, **headers},
                                      preload_content=True, redirect=False)
        except urllib3.exceptions.HTTPError as exc:
            raise ServiceError(f"cannot reach the a2i-kit service at {self.base_url}: {exc}; "
                               "is it running (a2i-kit serve, or a2i_kit.connect())?") from exc

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status >= 400:
            raise _error_from(method, path, response)
        return orjson.loads(response.data) if response.data else {}

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> _Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _error_from(method: str, path: str, response: urllib3.BaseHTTPResponse) -> WorkerApiError:
    text = response.data.decode("utf-8", "replace")
    try:
        body = orjson.loads(response.data)
        message, code = body.get("error") or body.get("detail") or text, body.get("code", "")
    except (ValueError, AttributeError):
        message, code = text or response.reason, ""
    return WorkerApiError(f"{method} {path.split('?', 1)[0]} failed ({response.status}): {message}",
                          status=response.status, code=code or response.reason or "")


def _loop_path(loop: str, action: str) -> str:
    return f"/_a2i/worker/tasks/{quote(loop, safe='')}/{action}"


class WorkerClient:
    """One worker's view of the service: ``me``, ``tasks``, ``claim``, ``submit``, ``release``.

    ``admin_token`` is only for simulated reviewers: with it, ``submit`` may set
    ``time_spent``/``acceptance_time`` instead of the service measuring them.
    """

    def __init__(self, base_url: str, token: str, *, admin_token: str | None = None,
                 timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if admin_token:
            headers[ADMIN_HEADER] = admin_token
        self._http = _Http(base_url, headers, timeout)

    def me(self) -> dict[str, Any]:
        return self._http.call("GET", "/_a2i/worker/me")

    def tasks(self) -> list[dict[str, Any]]:
        return self._http.call("GET", "/_a2i/worker/tasks")["tasks"]

    def claim(self, loop: str) -> dict[str, Any]:
        return self._http.call("POST", _loop_path(loop, "claim"))

    def submit(self, loop: str, answer: dict[str, Any], *, time_spent: float | None = None,
               acceptance_time: float | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"answerContent": answer}
        if time_spent is not None:
            body["timeSpentInSeconds"] = time_spent
        if acceptance_time is not None:
            body["acceptanceTime"] = acceptance_time
        return self._http.call("POST", _loop_path(loop, "submit"), json=body)

    def release(self, loop: str) -> dict[str, Any]:
        return self._http.call("POST", _loop_path(loop, "release"))

    def inline_media(self, page: str, limit: int = INLINE_LIMIT) -> str:
        """``page`` with its links to the service's mirror (images, audio, video up to ``limit``
        bytes) replaced by ``data:`` URIs read straight from the service.

        For task pages shown in a sandboxed frame inside Jupyter (ReviewQueue in Studio or
        JupyterHub): the frame's requests carry no Jupyter cookie, so Jupyter's proxy refuses a
        proxied link, and a loopback link does not reach a remote browser.

        >>> WorkerClient("http://127.0.0.1:9", "t").inline_media("<p>no media</p>")
        '<p>no media</p>'
        """

        def inline(match: re.Match[str]) -> str:
            link = html_text.unescape(match.group(0))
            try:
                response = self._http.request("GET", link[link.index("/_a2i/objects/"):])
            except ServiceError:
                return match.group(0)
            media = (response.headers.get("content-type") or "").split(";", 1)[0].strip()
            if response.status != 200 or len(response.data) > limit \
                    or not media.startswith(("image/", "audio/", "video/")) or media.endswith("+xml"):
                return match.group(0)
            return f"data:{media};base64,{base64.b64encode(response.data).decode()}"

        return _MEDIA_LINK.sub(inline, page)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WorkerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AdminClient:
    """Workforce administration: add workers, new tokens, task details, the events log.

    An HTTP client of one service: ``AdminClient.of(session)``, or the URL and admin token of a
    service you reach by address (``a2i-kit serve``).
    """

    def __init__(self, base_url: str, admin_token: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_token = admin_token
        self._http = _Http(base_url, {ADMIN_HEADER: admin_token}, timeout)

    @classmethod
    def of(cls, session: Session, *, timeout: float = 30.0) -> AdminClient:
        """The admin client of the session's service (InputError on AWS, which has no such routes)."""
        return cls(*service_endpoint(as_session(session), "AdminClient"), timeout=timeout)

    def add_worker(self, name: str, groups: list[str], identity_provider: str = "Cognito") -> dict[str, Any]:
        """Create a worker; the answer holds its ``token`` (shown only now) and a one-time ``signInUrl``."""
        return self._http.call("POST", "/_a2i/workforce/workers",
                               json={"name": name, "groups": list(groups), "identityProvider": identity_provider})

    def workers(self) -> list[dict[str, Any]]:
        return self._http.call("GET", "/_a2i/workforce/workers")["workers"]

    def new_token(self, worker_id: str) -> dict[str, Any]:
        """Replace a worker's token (the old one stops working); returns the worker with ``token``."""
        return self._http.call("POST", f"/_a2i/workforce/workers/{quote(worker_id, safe='')}/token")

    def sign_in_link(self, worker_id: str) -> str:
        """A new one-time portal sign-in link for a worker (its token does not change).

        A link works once, within the service's ``signin_link_seconds`` (7 days by default).
        """
        return self._http.call("POST", f"/_a2i/workforce/workers/{quote(worker_id, safe='')}/signin-link")[
            "signInUrl"]

    def delete_worker(self, worker_id: str) -> list[str]:
        """Remove a worker: its token, sessions and links stop working, its open claims go back
        to the pool at once; returns the loops whose claims were released."""
        found = self._http.call("DELETE", f"/_a2i/workforce/workers/{quote(worker_id, safe='')}")
        return list(found.get("releasedClaims", []))

    def task_details(self, loop: str) -> dict[str, Any]:
        """Input, template and inferred answer shape of a loop (what simulated reviewers read)."""
        return self._http.call("GET", f"/_a2i/workforce/tasks/{quote(loop, safe='')}")

    def events(self, after: int = 0, limit: int = 100) -> dict[str, Any]:
        """A page of the events log: ``{"events": [...], "next": cursor}``."""
        return self._http.call("GET", "/_a2i/events", params={"after": after, "limit": limit})

    def put_object(self, bucket: str, key: str, data: bytes) -> str:
        """Upload ``data`` to the service's local S3 mirror; returns its ``s3://`` URI.

        Templates show it to workers through ``grant_read_access``.
        """
        path = f"/_a2i/objects/{quote(bucket, safe='')}/{quote(key, safe='')}"  # '..' reaches the service
        return str(self._http.call("PUT", path, content=data)["uri"])

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the service's clock forward (simulations only: every loop ages with it).

        Returns ``{"offset": total seconds moved, "now": the service's now}``.
        """
        return self._http.call("POST", "/_a2i/admin/clock", json={"seconds": seconds})

    def worker_client(self, token: str, *, simulated: bool = False) -> WorkerClient:
        return WorkerClient(self.base_url, token, admin_token=self.admin_token if simulated else None)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@overload
def add_worker(session: Session, name: str, groups: Sequence[str], identity_provider: str = ...) -> dict[str, Any]:
    ...


@overload
def add_worker(session: str, admin_token: str, name: str, groups: Sequence[str],
               identity_provider: str = ...) -> dict[str, Any]:
    ...


def add_worker(session: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Create a local worker: ``{"workerId", "name", "groups", "token", "signInUrl", ...}``.

    ``add_worker(session, name, groups, identity_provider="Cognito")``; older code passes the
    service URL and admin token instead of the session: ``add_worker(url, admin_token, name, groups)``.
    ``signInUrl`` is a one-time portal link (no token in it); ``AdminClient.sign_in_link`` makes
    another one.
    """
    if isinstance(session, str):
        session, args = as_session(session, args[0] if args else kwargs.pop("admin_token", None)), args[1:]
    return _add_worker(session, *args, **kwargs)


def _add_worker(session: Session, name: str, groups: Sequence[str],
                identity_provider: str = "Cognito") -> dict[str, Any]:
    with AdminClient.of(session) as admin:
        return admin.add_worker(name, list(groups), identity_provider)
