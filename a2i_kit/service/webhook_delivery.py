"""Webhook deliveries: fan each event out to every webhook, send what is due, retry with backoff.

One ``webhook_deliveries`` row per (webhook, event). A pass of :class:`WebhookDeliverer`:

1. **fan out**: for each webhook, the events after its ``last_seq`` become ``pending`` rows and
   ``last_seq`` moves on, in one transaction and only if ``last_seq`` is still what was read (a
   second process doing the same pass changes nothing: the unique (webhook, event) pair and the
   conditional update see to it);
2. **claim**: a due row (``pending``, or ``sending`` whose lease ran out because its process died)
   is taken with a conditional UPDATE, so across processes one sender holds a row at a time;
3. **send** (``a2i_kit.service.webhooks``) and record the outcome: ``delivered``, or ``pending``
   again after :func:`~a2i_kit.service.webhooks.backoff_seconds`, or ``failed`` after
   :data:`~a2i_kit.service.webhooks.MAX_ATTEMPTS`.

Times are the service clock's (``/_a2i/admin/clock`` moves retries forward in tests).

Example:
    >>> deliverer = start_delivery(ctx)       # doctest: +SKIP
    >>> deliverer.run_once()                  # doctest: +SKIP
    {'queued': 2, 'delivered': 2, 'retrying': 0, 'failed': 0}
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from a2i_kit.service import webhooks
from a2i_kit.service.access_keys import Sealer, default_key_file
from a2i_kit.service.events import head_seq, read_after
from a2i_kit.service.store import StoreError

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0  # longer than one pass's sends (4 rounds of webhooks.SEND_TIMEOUT_SECONDS)
BATCH = 100
SENDERS = 8  # deliveries sent at once by one process
INTERVAL_SECONDS = 1.0


def _repo(ctx: Any) -> Any:
    from a2i_kit.service.store.webhooks import WebhookRepository

    return WebhookRepository.of(ctx.store)


def _sealer(ctx: Any) -> Sealer:
    """Webhook secrets are sealed like access-key secrets: Fernet, key file outside the database."""
    return Sealer.open(default_key_file(ctx.config), create=True)


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "url": row["url"], "created": row["created"], "lastSeq": row["last_seq"]}


def add_webhook(ctx: Any, url: Any, secret: Any) -> dict[str, Any]:
    """Register ``url``; it receives every event recorded from now on. Raises InputError."""
    url, secret = webhooks.check_url(url), webhooks.check_secret(secret)
    row = _repo(ctx).add(url, _sealer(ctx).seal(secret), ctx.clock.now(), head_seq(ctx))
    running = getattr(ctx, "webhook_deliverer", None)
    if running is not None:
        running.wake()
    return _view(row)


def list_webhooks(ctx: Any) -> list[dict[str, Any]]:
    """Every webhook (never its secret), with counts of its deliveries by status."""
    repo = _repo(ctx)
    return [{**_view(row), "deliveries": repo.counts(row["id"])} for row in repo.all()]


def remove_webhook(ctx: Any, webhook_id: int) -> bool:
    """Delete a webhook and its delivery log; False when there is no such webhook."""
    return _repo(ctx).remove(webhook_id)


def delivery_log(ctx: Any, webhook_id: int, limit: int = 100) -> list[dict[str, Any]] | None:
    """The newest ``limit`` deliveries of a webhook, newest first (None: no such webhook)."""
    repo = _repo(ctx)
    if repo.get(webhook_id) is None:
        return None
    return [{"delivery": webhooks.delivery_id(row["webhook_id"], row["event_seq"]),
             "eventSeq": row["event_seq"], "status": row["status"], "attempts": row["attempts"],
             "nextAttempt": row["next_attempt"] if row["status"] in ("pending", "sending") else None,
             "lastStatus": row["last_status"], "lastError": row["last_error"],
             "deliveredAt": row["delivered_at"]} for row in repo.log(webhook_id, limit)]


def fan_out(ctx: Any, hooks: list[dict[str, Any]] | None = None) -> int:
    """Queue a delivery for each event each webhook has not seen; returns how many were queued."""
    repo, queued = _repo(ctx), 0
    for hook in repo.all() if hooks is None else hooks:
        items = read_after(ctx, hook["last_seq"], BATCH)
        if items:
            seqs = [seq for seq, _event in items]
            queued += repo.queue(hook["id"], hook["last_seq"], seqs, ctx.clock.now())
    return queued


def send(ctx: Any, row: dict[str, Any]) -> str:
    """Send one claimed delivery and record the outcome; returns the new status."""
    repo = _repo(ctx)
    hook = repo.get(row["webhook_id"])
    found = read_after(ctx, row["event_seq"] - 1, 1)
    if hook is None or not found or found[0][0] != row["event_seq"]:
        repo.finish(row, "failed", last_status=None, last_error="the webhook or its event is gone")
        return "failed"
    attempt = row["attempts"]  # already counted by the claim
    secret = _sealer(ctx).unseal(hook["secret_sealed"], f"webhook {hook['id']}")
    body, headers = webhooks.request_parts(secret, found[0][1],
                                           webhook_id=hook["id"], event_seq=row["event_seq"], attempt=attempt)
    status, error = webhooks.post(hook["url"], body, headers)
    now = ctx.clock.now()
    if error is None:
        repo.finish(row, "delivered", last_status=status, last_error=None, delivered_at=now)
        return "delivered"
    if attempt >= webhooks.MAX_ATTEMPTS:
        log.warning("webhook %s: event %s failed after %d attempts (%s)", hook["id"], row["event_seq"], attempt, error)
        repo.finish(row, "failed", last_status=status, last_error=error)
        return "failed"
    repo.finish(row, "pending", last_status=status, last_error=error,
                next_attempt=now + webhooks.backoff_seconds(attempt))
    return "retrying"


def run_pass(ctx: Any, hooks: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """One fan-out and one round of sends (up to :data:`SENDERS` at once); returns what happened."""
    repo = _repo(ctx)
    hooks = repo.all() if hooks is None else hooks
    counts = {"queued": fan_out(ctx, hooks), "delivered": 0, "retrying": 0, "failed": 0}
    if not hooks:  # nothing registered: no delivery can be due (removing drops its deliveries)
        return counts
    claimed = [row for due in repo.due(ctx.clock.now(), SENDERS * 4)  # all sent well within the lease
               if (row := repo.claim(due, ctx.clock.now(), LEASE_SECONDS)) is not None]
    if claimed:  # a slow receiver must not hold up every other delivery
        with ThreadPoolExecutor(max_workers=min(SENDERS, len(claimed)), thread_name_prefix="a2i-webhook") as pool:
            for outcome in pool.map(lambda row: send(ctx, row), claimed):
                counts[outcome] += 1
    return counts


class WebhookDeliverer:
    """Background thread running :func:`run_pass` every ``interval`` seconds, and on each event
    while any webhook exists."""

    def __init__(self, ctx: Any, interval: float = INTERVAL_SECONDS) -> None:
        self.ctx, self.interval = ctx, interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._idle = threading.Event()  # set by stop() and wake() only, never by events
        self._thread: threading.Thread | None = None
        self._unsubscribe: Any = None

    def run_once(self) -> dict[str, int]:
        return run_pass(self.ctx)

    def start(self) -> WebhookDeliverer:
        self._unsubscribe = self.ctx.bus.subscribe(lambda _event: self._wake.set())
        self._thread = threading.Thread(target=self._loop, name="a2i-webhooks", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._idle.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def wake(self) -> None:
        """Run a pass now (a webhook was added in this process)."""
        self._idle.set()
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            hooks: list[dict[str, Any]] = []
            try:
                hooks = _repo(self.ctx).all()
                run_pass(self.ctx, hooks)
            except StoreError:  # the store was closed: the service stopped
                return
            except Exception:  # a broken pass must not end deliveries; the next pass retries
                log.exception("webhook delivery pass failed")
            if not hooks:
                # Nothing to deliver to: events do not wake an idle deliverer (a pass per event
                # would read the webhooks table for nothing). A webhook added here wakes it; one
                # added by another process is seen within ``interval``; either way it receives
                # every event after its registration, since it is fanned out from its cursor.
                self._idle.wait(self.interval)
            else:
                self._wake.wait(self.interval)
            self._idle.clear()
            self._wake.clear()


def start_delivery(ctx: Any, interval: float = INTERVAL_SECONDS) -> WebhookDeliverer:
    """Start the service's deliverer once per context (later calls return the running one)."""
    running = getattr(ctx, "webhook_deliverer", None)
    if running is None:
        running = ctx.webhook_deliverer = WebhookDeliverer(ctx, interval).start()
    return running


def stop_delivery(ctx: Any) -> None:
    """Stop the context's deliverer, if it runs (before the store closes); safe to call twice."""
    running = getattr(ctx, "webhook_deliverer", None)
    if running is not None:
        ctx.webhook_deliverer = None
        running.stop()

