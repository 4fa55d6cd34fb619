"""Run a crew of simulated reviewers against a service until the work runs out.

Example:
    >>> from a2i_kit.review import simulate_reviewers, LatencyModel
    >>> summary = simulate_reviewers(session, workers=3,
    ...     groups=["reviewers"], ground_truth_key="label", accuracy=0.85,
    ...     latency=LatencyModel(median_seconds=20), seed=7)             # doctest: +SKIP
    >>> summary.answered                                                 # doctest: +SKIP
    {'sim-reviewer-1': 14, 'sim-reviewer-2': 13, 'sim-reviewer-3': 13}
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from a2i_kit.client.sessions import as_session, service_endpoint
from a2i_kit.errors import InputError
from a2i_kit.review.client import AdminClient
from a2i_kit.review.crew import CrewBoard
from a2i_kit.review.simulated import (
    AnswerFn,
    LatencyModel,
    ServiceClock,
    SimulatedReviewer,
    SimulationSummary,
)

if TYPE_CHECKING:
    from a2i_kit.session import Session


def provision_workers(admin: AdminClient, names: Sequence[str], groups: Sequence[str],
                      identity_provider: str = "Cognito") -> list[dict[str, Any]]:
    """Create the named workers, or give existing ones a new token (same workerId across runs).

    A worker whose groups differ from ``groups`` is re-created so it sees the intended teams.
    """
    existing = {w["name"]: w for w in admin.workers()}
    crew = []
    for name in names:
        worker = existing.get(name)
        if worker is not None and sorted(worker["groups"]) == sorted(groups):
            crew.append(admin.new_token(worker["workerId"]))
            continue
        if worker is not None:
            admin.delete_worker(worker["workerId"])
        crew.append(admin.add_worker(name, list(groups), identity_provider))
    return crew


def _per_worker(value: float | Sequence[float] | Mapping[str, float], index: int, name: str) -> float:
    if isinstance(value, Mapping):
        return float(value.get(name, value.get("default", 0.9)))
    if isinstance(value, Sequence):
        return float(value[index % len(value)])
    return float(value)


def simulate_reviewers(session: Session | str, admin_token: str | None = None, *,
                       workers: int | Sequence[str] = 3,
                       groups: Sequence[str] = ("reviewers",), answer: AnswerFn | dict[str, Any] | None = None,
                       ground_truth_key: str | None = None,
                       accuracy: float | Sequence[float] | Mapping[str, float] = 0.9,
                       confusion: Mapping[str, Mapping[str, float]] | None = None,
                       labels: Sequence[Any] | None = None, abstain_rate: float = 0.0,
                       latency: LatencyModel | None = None, seed: int = 0, max_tasks: int | None = None,
                       until_empty: bool = True, threads: int = 1, target: str | None = None,
                       identity_provider: str = "Cognito", name_prefix: str = "sim-reviewer",
                       advance_clock: bool = False) -> SimulationSummary:
    """Let simulated reviewers answer open tasks through the worker API; returns a summary.

    ``session`` is the Session of the service, or the service's URL with its ``admin_token``
    (as the CLI and the demo pass it; see :func:`~a2i_kit.client.sessions.as_session`).

    ``workers`` is a count (names ``<name_prefix>-1`` …) or a list of names. ``accuracy`` may differ
    per worker (list by position, or dict by name). ``until_empty=False`` works only through the
    tasks listed when each reviewer starts. ``max_tasks`` caps the answers of the whole crew.

    Simulated times never run ahead of the service's clock. By default each sampled duration
    ends at its submit and is cut where it would start before the loop's creation (or before the
    reviewer's previous answer). ``advance_clock=True`` moves the service clock forward as far
    as the simulated work needs, so every duration is kept in full (all loops age with it).
    """
    names = [f"{name_prefix}-{i + 1}" for i in range(workers)] if isinstance(workers, int) else list(workers)
    if not names:
        raise InputError("simulate_reviewers needs at least one worker (workers=3, or a list of names)")
    if threads < 1:
        raise InputError(f"threads={threads} must be at least 1")
    base_url, token = service_endpoint(as_session(session, admin_token), "simulate_reviewers")
    admin = AdminClient(base_url, token)
    clock = ServiceClock(base_url, token) if advance_clock else None
    reviewers: list[SimulatedReviewer] = []
    try:
        crew = provision_workers(admin, names, groups, identity_provider)
        cache: dict[str, dict[str, Any]] = {}
        board = CrewBoard()
        reviewers += [
            SimulatedReviewer(admin.worker_client(w["token"], simulated=True), admin, w["name"],
                              accuracy=_per_worker(accuracy, i, w["name"]), confusion=confusion, labels=labels,
                              abstain_rate=abstain_rate, latency=latency, seed=seed,
                              ground_truth_key=ground_truth_key, answer=answer, target=target,
                              refetch=until_empty, details_cache=cache, board=board, clock=clock)
            for i, w in enumerate(crew)]
        budget = _Budget(max_tasks)
        if threads == 1:
            _take_turns(reviewers, budget)
        else:
            groups_of = [reviewers[i::threads] for i in range(min(threads, len(reviewers)))]
            pool = [threading.Thread(target=_take_turns, args=(g, budget), daemon=True) for g in groups_of]
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
        return _summary(reviewers, crew)
    finally:
        for reviewer in reviewers:
            reviewer.client.close()
        admin.close()
        if clock is not None:
            clock.close()


class _Budget:
    """Shared cap on the number of tasks handled (thread-safe)."""

    def __init__(self, limit: int | None) -> None:
        self.limit, self.used, self._lock = limit, 0, threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.limit is not None and self.used >= self.limit:
                return False
            self.used += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.used -= 1


def _take_turns(reviewers: list[SimulatedReviewer], budget: _Budget) -> None:
    """Reviewers take one task each in turn until none finds work (or the budget is spent)."""
    active = list(reviewers)
    while active:
        for reviewer in list(active):
            if not budget.take():
                return
            outcome = reviewer.step()
            if outcome != "answered":
                budget.give_back()
            if outcome == "idle":
                active.remove(reviewer)


def _summary(reviewers: list[SimulatedReviewer], crew: list[dict[str, Any]]) -> SimulationSummary:
    summary = SimulationSummary(workers=[{"workerId": w["workerId"], "name": w["name"]} for w in crew])
    for reviewer in reviewers:
        summary.answered[reviewer.name] = reviewer.stats["answered"]
        summary.abstained[reviewer.name] = reviewer.stats["abstained"]
        summary.correct[reviewer.name] = reviewer.stats["correct"]
        summary.judged[reviewer.name] = reviewer.stats["judged"]
    return summary
