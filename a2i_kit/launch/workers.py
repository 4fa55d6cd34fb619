"""Run one call per job on a fixed set of threads, with a hook before each batch is released.

The launcher's ordering guarantee lives here: ``before_chunk(batch)`` (the ledger's durable
intents) returns before any job of ``batch`` reaches a worker. Batches double from ``chunk`` up
to ``max_chunk`` jobs, and the next one is prepared as soon as the jobs released but not finished
are no more than its size: each hook (an fsync) then runs while the workers have at least as much
work left, so a slow disk seldom starves them, and 2,000 jobs take 5 hooks instead of 32. At most
``2 * max_chunk`` jobs are ever released ahead of the finished calls. Outcomes reach
``on_outcomes`` in batches of about ``flush_at`` (and all of them before :func:`run_chunked`
returns, also when it raises), so the calling thread wakes once per batch, not once per call.

Example:
    >>> seen = []
    >>> run_chunked([1, 2, 3], lambda x: x * 10, workers=2, chunk=2,
    ...             before_chunk=lambda batch: seen.append(list(batch)), on_outcomes=seen.extend)
    >>> sorted(x for x in seen if isinstance(x, int)), [x for x in seen if isinstance(x, list)]
    ([10, 20, 30], [[1, 2], [3]])
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

J = TypeVar("J")
R = TypeVar("R")
_STOP = object()


class _Shared:
    """What the workers and the calling thread share, guarded by ``cond``."""

    def __init__(self, flush_at: int) -> None:
        self.cond = threading.Condition()
        self.outcomes: list[Any] = []
        self.finished = 0
        self.released = 0
        self.flush_at = flush_at
        self.error: BaseException | None = None

    def ready(self) -> bool:
        """Worth waking the calling thread: a batch to hand over, all released work done, or an error."""
        return (len(self.outcomes) >= self.flush_at or self.finished >= self.released
                or self.error is not None)


def run_chunked(jobs: Sequence[J], call: Callable[[J], R], *, workers: int, chunk: int,
                before_chunk: Callable[[Sequence[J]], Any], on_outcomes: Callable[[list[R]], Any],
                flush_at: int | None = None, max_chunk: int | None = None) -> None:
    """``call(job)`` for every job on ``workers`` threads; see the module docstring for the order."""
    if not jobs:
        return
    max_chunk = max(chunk, max_chunk or chunk)
    shared = _Shared(flush_at or max(1, chunk // 2))
    feed: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threads = [threading.Thread(target=_work, args=(feed, call, shared), daemon=True,
                                name=f"a2i-launch-{i}") for i in range(max(1, min(workers, len(jobs))))]
    for thread in threads:
        thread.start()
    released = 0
    try:
        while True:
            while released < len(jobs) and released - shared.finished <= (
                    size := min(max_chunk, max(chunk, released))):
                batch = jobs[released:released + size]
                before_chunk(batch)
                with shared.cond:
                    shared.released = released = released + len(batch)
                for job in batch:
                    feed.put(job)
            with shared.cond:
                shared.cond.wait_for(shared.ready, timeout=1.0)
                taken, shared.outcomes = shared.outcomes, []
                error, done = shared.error, shared.finished >= len(jobs)
            if taken:
                on_outcomes(taken)
            if error is not None:
                raise error
            if done:
                return
    finally:
        _stop(feed, threads, shared, on_outcomes)


def _work(feed: queue.SimpleQueue[Any], call: Callable[[Any], Any], shared: _Shared) -> None:
    while (job := feed.get()) is not _STOP:
        try:
            outcome = call(job)
        except BaseException as exc:  # handed to the calling thread, which raises it
            with shared.cond:
                shared.error = shared.error or exc
                shared.finished += 1
                shared.cond.notify()
            continue
        with shared.cond:
            shared.outcomes.append(outcome)
            shared.finished += 1
            if shared.ready():
                shared.cond.notify()


def _stop(feed: queue.SimpleQueue[Any], threads: list[threading.Thread], shared: _Shared,
          on_outcomes: Callable[[list[Any]], Any]) -> None:
    """Drop the jobs not yet taken, let running calls finish and hand over their outcomes."""
    try:
        while True:
            feed.get_nowait()
    except queue.Empty:
        pass
    for _ in threads:
        feed.put(_STOP)
    for thread in threads:
        thread.join()
    with shared.cond:
        taken, shared.outcomes = shared.outcomes, []
    if taken:
        on_outcomes(taken)
