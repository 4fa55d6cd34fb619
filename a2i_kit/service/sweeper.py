"""Background housekeeping: expire claims, expire loops nobody finished, finish stopped loops.

Rules (A2I leaves the exact trigger open; these are ours, also stated in the README):

- A claim past its deadline (``claimed_at + TaskTimeLimitInSeconds``) becomes ``expired`` and
  its slot returns to the pool; a ``Stopping`` loop whose last claim expired becomes ``Stopped``.
- A flow definition in ``Deleting`` is drained again (service-core's ``drain``), so it is purged
  once the claims that kept its loops alive have expired.
- An ``InProgress`` loop whose ``TaskAvailabilityLifetimeInSeconds`` has elapsed since creation,
  that still lacks answers and has no live claim, becomes ``Failed`` with ``FailureCode`` =
  ``Expired`` (partial answers are kept internally but no output.json is written). A loop with a
  live claim waits for that claim to be submitted or to expire.

Each sweep only reads the store and applies idempotent transitions, so it is safe to run twice,
from two threads, or right after a restart; one pass runs at a time across every process that
shares the database (``store.singleton``: an advisory lock on PostgreSQL). Workers never depend on the sweeper for correctness:
the worker API treats a claim past its deadline as gone even before a sweep marks it.

Example:
    >>> sweeper = Sweeper(ctx)        # doctest: +SKIP
    >>> sweeper.start()               # doctest: +SKIP
    >>> sweeper.sweep_once()          # doctest: +SKIP
    {'claims_expired': 0, 'loops_expired': 0, 'loops_finished': 0}
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from a2i_kit.service import lifecycle, outbox
from a2i_kit.service.claims import DEFAULT_LIFETIME
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.sagemaker.flow_definitions import drain

log = logging.getLogger(__name__)


def expire_claims(ctx: ServiceContext, now: float) -> set[str]:
    """Mark claims past their deadline ``expired``; returns the names of the loops touched."""
    return ctx.store.claims.expire_due(now)


class ExpiryIndex:
    """The overdue InProgress loops, read from the store's ``(status, expires_at)`` index.

    Each pass reads only the loops already past their availability lifetime (``expires_at`` is
    creation + TaskAvailabilityLifetimeInSeconds, written with the loop), so a pass costs the
    same with 10 or 100,000 open loops and never stalls requests. Kept as a class so callers
    that hold one across passes keep working.
    """

    def overdue(self, ctx: ServiceContext, now: float) -> list[dict[str, Any]]:
        """InProgress loops whose availability lifetime has elapsed (full records, by name)."""
        return ctx.store.loops.expired(now)


def expire_loop(ctx: ServiceContext, loop: dict[str, Any], now: float) -> bool:
    """Fail an overdue loop with ``Expired`` unless a claim is still live; True when it failed."""
    name = loop["name"]
    with ctx.store.transaction():
        done = lifecycle.finish_if_done(ctx, name)
        if done is None or done["status"] != "InProgress":
            return False
        assignments = ctx.store.claims.of_loop(name)
        if lifecycle.live_claims(assignments, now):
            return False
        submitted = sum(1 for a in assignments if a["status"] == "submitted")
        wanted = int(loop["doc"].get("TaskCount") or 1)
        lifetime = loop["doc"].get("TaskAvailabilityLifetimeInSeconds") or DEFAULT_LIFETIME
        reason = (f"The human loop expired: {submitted} of {wanted} workers answered within its "
                  f"TaskAvailabilityLifetimeInSeconds ({int(lifetime)} seconds).")
        lifecycle.set_loop_status(ctx, name, "Failed", failure_code="Expired", failure_reason=reason)
    return True


def sweep(ctx: ServiceContext, index: ExpiryIndex | None = None) -> dict[str, int]:
    """One pass of every rule; returns counts of what changed. ``index`` carries what earlier
    passes learned (a fresh one reads everything again, e.g. after a restart)."""
    counts = {"claims_expired": 0, "loops_expired": 0, "loops_finished": 0}
    with ctx.store.singleton() as mine:
        if mine:  # another process (or thread) is sweeping now: its pass covers ours
            _sweep(ctx, index or ExpiryIndex(), counts)
    return counts


def _sweep(ctx: ServiceContext, index: ExpiryIndex, counts: dict[str, int]) -> None:
    now = ctx.clock.now()
    _safely(outbox.deliver_due, ctx, now)
    touched = expire_claims(ctx, now)
    counts["claims_expired"] = len(touched)
    stopping = ctx.store.loops.names_with_status("Stopping")
    for name in sorted(touched | set(stopping)):
        before = ctx.store.loops.get(name)
        after = _safely(lifecycle.finish_if_done, ctx, name)
        if before and after and after["status"] != before["status"]:
            counts["loops_finished"] += 1
    for loop in index.overdue(ctx, now):
        if _safely(expire_loop, ctx, loop, now):
            counts["loops_expired"] += 1
    _drain_deleting_flows(ctx)


def recover(ctx: ServiceContext) -> dict[str, int]:
    """Repair what a crash (or an older version) left: run once at start, before the first pass."""
    counts = {"temporaries_removed": ctx.outputs.remove_temporaries(), "loops_completed": 0,
              "outbox_delivered": 0}
    counts["outbox_delivered"] = _safely(outbox.deliver_due, ctx, None) or 0
    for name in answered_but_open(ctx):
        after = _safely(lifecycle.finish_if_done, ctx, name)
        if after is not None and after["status"] != "InProgress":
            counts["loops_completed"] += 1
    if any(counts.values()):
        log.info("sweeper: recovered at start: %s", counts)
    return counts


def answered_but_open(ctx: ServiceContext) -> list[str]:
    """InProgress loops that already hold TaskCount submitted answers."""
    return ctx.store.loops.answered_but_open()


def _drain_deleting_flows(ctx: ServiceContext) -> None:
    """Finish DeleteFlowDefinition once the loops that were still being worked on have ended."""
    for row in ctx.store.flow_definitions.deleting():
        _safely(drain, ctx, row["name"])


_reported: set[tuple[str, str, str]] = set()


def _safely(func: Any, *args: Any) -> Any:
    """Run one rule on one item; a failure is logged once per (rule, item, error) and the sweep
    goes on with the next item."""
    try:
        return func(*args)
    except Exception as exc:
        name = getattr(func, "__name__", str(func))
        key = (name, repr(args[1:2])[:200], f"{type(exc).__name__}: {exc}"[:300])
        if key not in _reported:
            if len(_reported) > 10_000:
                _reported.clear()
            _reported.add(key)
            log.exception("sweeper: %s failed for %s (logged once; retried on later passes)", name, args[1:2])
        return None


class Sweeper:
    """Runs :func:`sweep` every ``config.sweep_interval_seconds`` in a daemon thread."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._index = ExpiryIndex()
        self._recovered = False

    def sweep_once(self) -> dict[str, int]:
        return sweep(self.ctx, self._index)

    def start(self) -> Sweeper:
        """Recover from a crash (synchronously), then sweep in the background."""
        if self._thread is not None and self._thread.is_alive():
            return self
        if not self._recovered:
            self._recovered = True
            recover(self.ctx)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="a2i-sweeper", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        interval = max(0.05, float(self.ctx.config.sweep_interval_seconds))
        last_error = ""
        while not self._stop.wait(interval):
            try:
                self.sweep_once()
                last_error = ""
            except Exception as exc:  # keep sweeping; a closed store at shutdown ends the loop below
                if self._stop.is_set():
                    return
                error = f"{type(exc).__name__}: {exc}"
                if error != last_error:  # once per distinct failure, not on every pass
                    log.exception("sweeper pass failed (logged once until it changes)")
                last_error = error
