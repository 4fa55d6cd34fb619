"""The ASGI middleware that puts the service's AWS routes behind SigV4 (see ``sigv4`` for the rules).

Example:
    >>> from starlette.applications import Starlette
    >>> class Ctx: config = type("C", (), {"require_auth": False})()
    >>> app = Starlette()
    >>> guard(app, Ctx()) is app
    True
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

from a2i_kit.errors import ConfigError
from a2i_kit.service.protocol import (
    AwsError,
    InternalServerException,
    json11_error,
    read_body,
    rest_error,
)
from a2i_kit.service.sigv4 import (
    Credential,
    UnrecognizedClientException,
    check_scope,
    parse,
    payload_hash,
    string_to_sign,
    verify_signature,
)

log = logging.getLogger(__name__)


class SigV4Guard:
    """ASGI middleware: verify SigV4 on every route outside ``/_a2i/``; answer AWS's 403 otherwise."""

    def __init__(self, app: Any, ctx: Any, secret_for: Callable[[str], str | None]) -> None:
        self.app, self.ctx, self.secret_for = app, ctx, secret_for

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_a2i/"):
            await self.app(scope, receive, send)
            return
        raw_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers") or []]
        headers = dict(raw_headers)
        try:
            cred = self._claimed(scope, headers)
            body = await read_body(Request(scope, receive), self.ctx.config.max_body_bytes)
            raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
            text = string_to_sign(cred, scope["method"], raw_path, scope.get("query_string", b"").decode("latin-1"),
                                  raw_headers, payload_hash(headers, body))
            verify_signature(self._secret(cred.key_id), cred, text)
        except AwsError as exc:
            response = json11_error(exc) if "x-amz-target" in headers else rest_error(exc)
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _claimed(self, scope: dict[str, Any], headers: dict[str, str]) -> Credential:
        query: dict[str, str] = {}
        if b"X-Amz-Algorithm=" in scope.get("query_string", b""):
            for piece in scope["query_string"].decode("latin-1").split("&"):
                name, _, value = piece.partition("=")
                query.setdefault(name, unquote_to_bytes(value).decode("utf-8", "replace"))
        cred = parse(headers, query)
        check_scope(cred, self.ctx.config.region, self.ctx.clock.now())
        self._secret(cred.key_id)  # an unknown key is refused before the body is read
        return cred

    def _secret(self, key_id: str) -> str:
        try:
            secret = self.secret_for(key_id)
        except ConfigError as exc:  # the key file changed under a running service
            log.error("cannot check access key %s: %s", key_id[:32], exc)
            raise InternalServerException("The service cannot read its access-key secrets; its operator should "
                                          "read the service log.") from None
        if secret is None:
            raise UnrecognizedClientException("The security token included in the request is invalid.")
        return secret


def _replay(body: bytes, receive: Any) -> Any:
    """A ``receive`` that hands the route the body already read, then whatever comes next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> dict[str, Any]:
        return pending.pop() if pending else await receive()

    return replay


def guard(app: Any, ctx: Any) -> Any:
    """``app`` behind SigV4 when ``ctx.config.require_auth`` is on; ``app`` itself otherwise."""
    if not ctx.config.require_auth:
        return app
    from a2i_kit.service.access_keys import AccessKeys

    return SigV4Guard(app, ctx, AccessKeys.for_service(ctx).secret_for)
