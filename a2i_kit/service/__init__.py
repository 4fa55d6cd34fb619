"""The embedded A2I-compatible service: SageMaker JSON 1.1 ops and the A2I runtime on one port.

``ServiceThread`` runs it in a background thread (uvicorn); port 0 picks a free port.

Choices where AWS documents nothing (all visible through the API):

- DescribeHumanTaskUi: ``ContentSha256`` is the hex SHA-256 of the template; ``Url`` is a signed
  link under ``/_a2i/ui-templates/`` that returns the template content.
- StartHumanLoop: an unknown or non-Active flow definition is ``ValidationException``; the same
  name with the same flow definition and input while the loop is InProgress/Stopping returns the
  existing ARN; other input → ``ConflictException``; a finished *or deleted* loop's name →
  ``ValidationException`` (names stay reserved after DeleteHumanLoop).
- StopHumanLoop: a no-op success on a loop that is Stopping or already finished (Completed,
  Failed, Stopped), because AWS's sample cleanup code stops every loop before deleting it;
  ``ServiceConfig(strict_stop=True)`` answers ``ValidationException`` for Completed/Failed.
- Loop names: uppercase letters are accepted (AWS's own samples used them and real A2I
  completed those loops); ``ServiceConfig(lenient_names=False)`` keeps the documented pattern.
- DeleteHumanLoop on InProgress/Stopping → ``ValidationException``; DeleteFlowDefinition when
  not Active → ``ResourceInUse``; DescribeWorkteam of an unknown team → ``ValidationException``.
- Lists: ``CreationTimeAfter`` is inclusive, ``CreationTimeBefore`` exclusive; default order
  and page size come from ``ServiceConfig`` (newest first, 50).
- Errors: JSON 1.1 errors are HTTP 400 except InternalServerException (500), oversized bodies
  (413) and unknown routes (404); rest-json errors use the modeled status codes.
- At the door: bodies are capped before they are read and parsed strictly (no NaN/Infinity/
  1e999, lone surrogates or nesting over 64: SerializationException); ``InputContent`` must be
  strict JSON; ``S3OutputPath`` must name a valid bucket and leave room for the longest output key;
  CreateHumanTaskUi refuses a template that does not parse; list filters take ASCII numbers and
  times from 1970 to 9999 only. A request with an ``Origin`` header or a non-JSON content type is
  refused (403 AccessDeniedException / 400 SerializationException): web pages cannot drive the API.
- Connections: a request must arrive whole within ``request_read_seconds`` (30 s), idle
  keep-alive connections close after 5 s, at most ``max_connections`` (256) at once (503 beyond);
  RenderUiTemplate runs at most ``max_concurrent_renders`` at once (ThrottlingException beyond),
  each bounded in time and output (ResourceLimitExceeded in ``Errors``).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from a2i_kit.service.context import ServiceConfig
    >>> with ServiceThread(ServiceConfig(data_dir=Path(tempfile.mkdtemp()))) as service:
    ...     service.url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from a2i_kit.errors import ServiceError
from a2i_kit.service.context import ServiceConfig, ServiceContext
from a2i_kit.service.http_protocol import server_options

__all__ = ["ServiceConfig", "ServiceParts", "ServiceThread", "assemble", "bind_socket", "server_options"]
log = logging.getLogger(__name__)


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind (not yet listen) a TCP socket on ``host:port``; port 0 picks a free one.

    Example:
        >>> sock = bind_socket("127.0.0.1", 0); sock.getsockname()[1] > 0
        True
        >>> sock.close()
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto lets asyncio set TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServiceError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                           "pick another --port or use 0 for a free one") from exc
    return sock


def base_url(host: str, port: int) -> str:
    """``http://host:port`` with IPv6 hosts in brackets.

    >>> base_url("::1", 8443)
    'http://[::1]:8443'
    """
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass
class ServiceParts:
    """One process's service: context, fault switch, sweeper and an unstarted uvicorn server."""

    context: ServiceContext
    faults: Any
    sweeper: Any
    server: Any
    admin_token: str
    unsubscribe: Any

    def close(self) -> None:
        """Stop the sweeper, drop the listener and close the store (the server must have stopped)."""
        with contextlib.suppress(Exception):
            self.sweeper.stop()
        from a2i_kit.service.webhook_delivery import stop_delivery

        with contextlib.suppress(Exception):
            stop_delivery(self.context)
        self.unsubscribe()
        with contextlib.suppress(Exception):
            self.context.store.close()


def assemble(config: ServiceConfig, host: str, port: int) -> ServiceParts:
    """Open the store, repair what a crash left, start the sweeper and build the server.

    Shared by :class:`ServiceThread` (one process) and ``a2i_kit.service.processes`` (several
    processes serving one socket); ``server.run(sockets=[sock])`` then serves.
    """
    import uvicorn

    from a2i_kit.service.auth import load_or_create_token
    from a2i_kit.service.door_http import uvicorn_options
    from a2i_kit.service.faults import Faults
    from a2i_kit.service.sagemaker.flow_definitions import on_loop_event
    from a2i_kit.service.server import build_app
    from a2i_kit.service.sweeper import Sweeper
    from a2i_kit.service.webhook_delivery import start_delivery

    ctx = ServiceContext.create(config)
    token = load_or_create_token(config.data_dir)
    ctx.admin_token = token  # type: ignore[attr-defined]
    ctx.base_url = base_url(host, port)
    faults = Faults()
    unsubscribe = ctx.bus.subscribe(lambda event: on_loop_event(ctx, event))
    try:
        app = build_app(ctx, faults, bound_host=host)  # a bad setting fails before any thread starts
        # Repair what a crash left (pending outputs and events, answered loops still open)
        # before the first request can see the store.
        sweeper = Sweeper(ctx).start()
        start_delivery(ctx)  # webhooks: pending deliveries resume after a crash too
    except BaseException:
        unsubscribe()
        ctx.store.close()
        raise
    options = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                             timeout_graceful_shutdown=3, **server_options(config, uvicorn_options))
    return ServiceParts(ctx, faults, sweeper, uvicorn.Server(options), token, unsubscribe)


class ServiceThread:
    """Run the service in this process: ``start()`` returns once it answers, ``stop()`` shuts it down."""

    def __init__(self, config: ServiceConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.url = ""
        self.context: ServiceContext | None = None
        self.admin_token = ""
        self.faults: Any = None
        self._server: Any = None
        self._parts: ServiceParts | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def __enter__(self) -> ServiceThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 15.0) -> ServiceThread:
        """Open the store, bind the port and serve; returns when the service is ready."""
        if self._thread is not None:
            raise ServiceError("this ServiceThread is already running; create a new one to run another")
        self._socket = bind_socket(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        try:
            self._parts = assemble(self.config, self.host, self.port)
        except BaseException:
            self._socket.close()
            self._socket = None
            raise
        self.url = self._parts.context.base_url
        self.context, self.faults = self._parts.context, self._parts.faults
        self.admin_token, self._server = self._parts.admin_token, self._parts.server
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"a2i-service-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServiceError(f"the service did not start on {self.url}; see the log above")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and close the store (safe to call twice)."""
        if self._parts is not None:
            with contextlib.suppress(Exception):
                self._parts.sweeper.stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                log.warning("service thread on port %s did not stop within 10 s", self.port)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._parts is not None:
            self._parts.close()
            self._parts = None
        self._server = None
