"""What every part of the embedded service shares: its settings, store, clock and event bus.

Example:
    >>> from pathlib import Path
    >>> import tempfile
    >>> ctx = ServiceContext.create(ServiceConfig(data_dir=Path(tempfile.mkdtemp())))
    >>> ctx.arn("human-loop", "loop-1")
    'arn:aws:sagemaker:us-east-1:111122223333:human-loop/loop-1'
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from a2i_kit.config import DEFAULT_ACCOUNT, DEFAULT_REGION
from a2i_kit.service.store import Store

OUTPUT_MODES = ("local", "s3")


def default_allowed_hosts() -> tuple[str, ...]:
    """Loopback names plus any listed in ``A2I_KIT_ALLOWED_HOSTS`` (comma-separated)."""
    extra = [h.strip().lower() for h in os.environ.get("A2I_KIT_ALLOWED_HOSTS", "").split(",") if h.strip()]
    return ("127.0.0.1", "localhost", "::1", *extra)


@dataclass(frozen=True)
class ServiceConfig:
    """Settings of one embedded service. Choices the AWS docs leave open are fields here."""

    data_dir: Path
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    # "local": output.json goes to <data_dir>/s3/<bucket>/<key>; "s3": boto3 PutObject.
    output_mode: str = "local"
    s3_endpoint_url: str | None = None
    # AWS's own A2I sample notebooks start loops named like "Fraud-detector-1613668909838" and
    # real A2I completed them, although the documented pattern is lowercase: accept uppercase
    # letters by default; False keeps the documented pattern (a2i-kit serve --strict-names).
    lenient_names: bool = True
    # StopHumanLoop on a Completed/Failed/Stopped loop: a no-op success by default (AWS's sample
    # cleanup code stops every loop before deleting it); True answers ValidationException.
    strict_stop: bool = False
    # StartHumanLoop refuses a loop while this many are InProgress (ServiceQuotaExceededException).
    # Exact on SQLite and in one PostgreSQL process; with several processes each counts the others'
    # loops at most once a second (store.loops.RECOUNT_SECONDS) until near it, so they may pass it by a few.
    max_in_progress_loops: int = 1000
    default_page_size: int = 50
    default_sort_order: str = "Descending"
    # Flow definitions report Initializing for this long after creation, then Active.
    flow_definition_init_seconds: float = 0.0
    # How often the sweeper looks for expired claims and loops.
    sweep_interval_seconds: float = 1.0
    max_body_bytes: int = 8 * 1024 * 1024
    # Connection hygiene (a2i_kit.service.door_http): a request's line, headers and body must
    # arrive within request_read_seconds; idle keep-alive connections close after
    # keep_alive_seconds; at most max_connections at once (beyond them: 503).
    request_read_seconds: float = 30.0
    keep_alive_seconds: float = 5.0
    max_connections: int = 256
    # RenderUiTemplate needs no authentication: bound each render and how many run at once.
    render_time_limit_seconds: float = 2.0
    render_max_output_chars: int = 4_000_000
    max_concurrent_renders: int = 2
    # Host headers served (DNS-rebinding guard, a2i_kit.service.hosts); "*" serves any.
    allowed_hosts: tuple[str, ...] = field(default_factory=default_allowed_hosts)
    # Signed links (task UI Url, mirror objects) stop working this long after they were made,
    # as S3 presigned URLs do.
    signed_link_seconds: int = 3600
    # A worker's sign-in link works once, within this many seconds of being issued.
    signin_link_seconds: int = 7 * 24 * 3600
    # Portal sessions (worker and manager cookies) last this long.
    session_seconds: int = 8 * 3600
    # Team scale. database_url None = SQLite at store_path (the embedded default); otherwise a
    # SQLAlchemy URL such as postgresql+psycopg://user:pw@host/db (A2I_KIT_DATABASE_URL).
    database_url: str | None = None
    # Verify AWS Signature Version 4 on the AWS routes with the service's own access keys
    # (a2i_kit.service.sigv4). Always on when listening beyond loopback (--allow-remote).
    require_auth: bool = False
    # File holding the key that seals access-key secrets at rest (outside the database);
    # None = <data_dir>/secret.key.
    secret_key_file: Path | None = None
    # Where browsers reach the service when it is behind a proxy (e.g. Jupyter's
    # https://<host>/jupyterlab/default/proxy/<port>): links it hands out start here.
    public_base_url: str | None = field(default_factory=lambda: os.environ.get("A2I_KIT_PUBLIC_BASE_URL") or None)

    @property
    def mirror_dir(self) -> Path:
        """Local folder that stands for S3: ``s3://bucket/key`` lives at ``mirror_dir/bucket/key``."""
        return Path(self.data_dir) / "s3"

    @property
    def events_log(self) -> Path:
        return Path(self.data_dir) / "events.jsonl"

    @property
    def store_path(self) -> Path:
        return Path(self.data_dir) / "a2i.sqlite3"


class Clock:
    """Wall-clock time plus an offset that tests and demos can move forward.

    >>> clock = Clock()
    >>> before = clock.now(); clock.advance(60); round(clock.now() - before)
    60
    """

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class EventBus:
    """Synchronous publish/subscribe for in-process listeners (loop status changes)."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[dict[str, Any]], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Register ``callback(event)``; returns a function that unsubscribes it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: dict[str, Any]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:  # a broken listener must not break the service
                import logging

                logging.getLogger(__name__).exception("event subscriber failed")


@dataclass
class ServiceContext:
    """Everything a request handler needs; one per running service."""

    config: ServiceConfig
    store: Store
    clock: Clock = field(default_factory=Clock)
    bus: EventBus = field(default_factory=EventBus)
    base_url: str = ""
    events: Any = None  # EventLog, set by create()
    outputs: Any = None  # OutputWriter, set by create()
    render_slots: Any = None  # BoundedSemaphore of RenderUiTemplate (sagemaker/render.py)

    @classmethod
    def create(cls, config: ServiceConfig) -> ServiceContext:
        """Open the data directory (0700) and the store (0600, before SQLite creates it)."""
        from a2i_kit.service.private import private_dir, private_file

        private_dir(config.data_dir)
        if config.database_url is None:
            private_file(config.store_path)
        store = Store.open(config)
        offset = float(store.settings.get("clock_offset", 0.0))
        from a2i_kit.service.events import EventLog
        from a2i_kit.service.outputs import OutputWriter

        return cls(config=config, store=store, clock=Clock(offset),
                   events=EventLog(config.events_log), outputs=OutputWriter(config))

    def arn(self, kind: str, name: str) -> str:
        """ARN of a resource of this account and region, e.g. kind ``flow-definition``."""
        return f"arn:aws:sagemaker:{self.config.region}:{self.config.account_id}:{kind}/{name}"

    def advance_clock(self, seconds: float) -> None:
        """Move service time forward (and remember it across restarts)."""
        self.clock.advance(seconds)
        self.store.settings.set("clock_offset", self.clock.offset)
