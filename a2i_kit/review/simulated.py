"""Simulated reviewers: seeded stand-ins for people, working through the real worker API.

Each reviewer is a local worker that lists, claims and answers tasks over HTTP exactly like the
portal does. Answers come from the template's answer shape (any template), with ground truth read
from an input key and an accuracy or a confusion matrix; reviewers may abstain (release the task)
and take a lognormal time per task. Time is simulated, never slept, and never runs ahead of the
service's clock: a reviewer reports ``timeSpentInSeconds`` (accepted only with the admin token)
and the service places that duration in the past, ending at the submit and never before the
loop's creation or this reviewer's previous submission (so young loops get shorter times). With
a :class:`ServiceClock` (``simulate_reviewers(..., advance_clock=True)``) the service clock is
moved forward as far as the simulated work needs instead, so every duration is kept in full.

Randomness is drawn per (seed, worker, loop), so with ``threads=1`` (the default, workers take
turns) a run is exactly reproducible.

Example:
    >>> summary = simulate_reviewers(url, admin_token, workers=3, ground_truth_key="label",
    ...                              accuracy=0.9, seed=0)                # doctest: +SKIP
    >>> summary.total_answered                                           # doctest: +SKIP
    120
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from a2i_kit.client.statuses import LoopStatus
from a2i_kit.errors import InputError
from a2i_kit.review.answers import (
    MISSING,
    builtin_answer,
    elements,
    generate_answer,
    kind,
    pick_target,
)
from a2i_kit.review.client import AdminClient, WorkerApiError, WorkerClient
from a2i_kit.review.crew import CrewBoard
from a2i_kit.review.rendered import blank_masks, rendered_shape

AnswerFn = Callable[[dict[str, Any], Any, random.Random], dict[str, Any]]


@dataclass(frozen=True)
class LatencyModel:
    """Seconds per task ~ lognormal with the given median and log-sd, clipped to [min, max]."""

    median_seconds: float = 30.0
    sigma: float = 0.6
    min_seconds: float = 1.0
    max_seconds: float | None = None

    def sample(self, rng: random.Random) -> float:
        value = rng.lognormvariate(math.log(self.median_seconds), self.sigma)
        if self.max_seconds is not None:
            value = min(value, self.max_seconds)
        return round(max(self.min_seconds, value), 3)


@dataclass
class SimulationSummary:
    """What a simulation did, per worker name."""

    answered: dict[str, int] = field(default_factory=dict)
    abstained: dict[str, int] = field(default_factory=dict)
    correct: dict[str, int] = field(default_factory=dict)
    judged: dict[str, int] = field(default_factory=dict)  # answers with a known ground truth
    workers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_answered(self) -> int:
        return sum(self.answered.values())

    @property
    def total_abstained(self) -> int:
        return sum(self.abstained.values())

    @property
    def accuracy(self) -> float | None:
        judged = sum(self.judged.values())
        return sum(self.correct.values()) / judged if judged else None


def _lookup(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return MISSING
        data = data[part]
    return data


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class ServiceClock:
    """Moves the service's clock forward (admin route ``/_a2i/admin/clock``) so that simulated
    work takes its time in service time. Every loop ages with it (claims and availability
    lifetimes run out accordingly), so use it for simulations, not next to real reviewers.
    """

    def __init__(self, base_url: str, admin_token: str, *, timeout: float = 30.0) -> None:
        self._admin = AdminClient(base_url, admin_token, timeout=timeout)
        self._lock = threading.Lock()

    def advance_to(self, target: float, now_estimate: float) -> None:
        """Make the service's now at least ``target`` (``now_estimate`` never exceeds its now)."""
        with self._lock:
            seconds = target - now_estimate
            if seconds > 0:
                self._admin.advance_clock(round(seconds + 0.001, 3))

    def close(self) -> None:
        self._admin.close()


class SimulatedReviewer:
    """One simulated worker; :meth:`step` handles at most one task."""

    def __init__(self, client: WorkerClient, admin: AdminClient, name: str, *, accuracy: float = 0.9,
                 confusion: Mapping[str, Mapping[str, float]] | None = None, labels: Sequence[Any] | None = None,
                 abstain_rate: float = 0.0, latency: LatencyModel | None = None, seed: int = 0,
                 ground_truth_key: str | None = None, answer: AnswerFn | dict[str, Any] | None = None,
                 target: str | None = None, refetch: bool = True,
                 details_cache: dict[str, dict[str, Any]] | None = None,
                 board: CrewBoard | None = None, clock: ServiceClock | None = None) -> None:
        if not 0.0 <= accuracy <= 1.0 or not 0.0 <= abstain_rate <= 1.0:
            raise InputError(f"reviewer {name!r}: accuracy and abstain_rate must be between 0 and 1")
        self.client, self.admin, self.name = client, admin, name
        self.accuracy, self.confusion, self.labels = accuracy, confusion, labels
        self.abstain_rate, self.latency, self.seed = abstain_rate, latency or LatencyModel(), seed
        self.ground_truth_key, self.answer, self.target, self.refetch = ground_truth_key, answer, target, refetch
        self.details = details_cache if details_cache is not None else {}
        # Shared by a crew: who holds which loop, and loops that take no more answers (only saves
        # requests: the service decides every claim).
        self.board = board if board is not None else CrewBoard()
        self.skipped: set[str] = set()
        self.clock = clock
        self.created: dict[str, float] = {}  # loop → creation time (from the task list)
        self.slots: dict[str, int] = {}  # loop → its TaskCount (from the task list)
        self.cursor: float | None = None  # this reviewer's last submissionTime
        self._queue: deque[str] | None = None
        self._deferred: deque[str] = deque()
        self.stats = {"answered": 0, "abstained": 0, "correct": 0, "judged": 0}

    def _next_claim(self) -> dict[str, Any] | None:
        # Round 1 lists the tasks when there is no queue yet; round 2 again if refetch.
        for again in (False, self.refetch):
            if again or self._queue is None:
                listed = self.client.tasks()
                self.created.update({t["humanLoopName"]: _epoch(t["creationTime"]) for t in listed})
                self.slots.update({t["humanLoopName"]: int(t.get("taskCount") or 1) for t in listed})
                self._queue = deque(t["humanLoopName"] for t in listed)
                self._deferred = deque()
            # First the loops no crew member holds; then, with nothing else left, the held ones
            # that take more than one worker (or that their holder gave back meanwhile).
            task = self._claim_from(self._queue, first_pass=True) or self._claim_from(self._deferred, first_pass=False)
            if task is not None:
                return task
        return None

    def _claim_from(self, queue: deque[str], *, first_pass: bool) -> dict[str, Any] | None:
        while queue:
            loop = queue.popleft()
            if loop in self.skipped or loop in self.board.closed:
                continue
            if not self.board.reserve(loop, exclusive=first_pass or self.slots.get(loop, 1) <= 1):
                if first_pass:
                    self._deferred.append(loop)
                continue
            try:
                return self.client.claim(loop)
            except WorkerApiError as exc:
                self.board.release(loop)
                if exc.status not in (403, 404, 409):
                    raise
        return None

    def step(self) -> str:
        """Claim and answer (or abstain from) one task: "answered", "abstained" or "idle"."""
        task = self._next_claim()
        if task is None:
            return "idle"
        try:
            return self._work(task)
        finally:
            self.board.release(task["humanLoopName"])

    def _work(self, task: dict[str, Any]) -> str:
        loop = task["humanLoopName"]
        rng = random.Random(f"{self.seed}|{self.name}|{loop}")
        if rng.random() < self.abstain_rate:
            self.client.release(loop)
            self.skipped.add(loop)
            self.stats["abstained"] += 1
            return "abstained"
        claimed_at, received = _epoch(task["claimedAt"]), time.time()
        spent = min(self.latency.sample(rng), float(task["timeLimitSeconds"]))
        answer = self._answer(task, rng)
        # The earliest this reviewer may have started: after its previous answer, once the loop existed.
        start = max(self.cursor or 0.0, self.created.get(loop, claimed_at))
        if self.clock is not None:
            deadline = claimed_at + float(task["timeLimitSeconds"]) - 0.5
            spent = max(0.0, min(spent, deadline - start))
            self.clock.advance_to(start + spent, claimed_at + (time.time() - received))
        status = self.client.submit(loop, answer, time_spent=spent, acceptance_time=start)
        if status.get("humanLoopStatus") != LoopStatus.IN_PROGRESS:
            self.board.closed.add(loop)
        self.cursor = _epoch(status["submissionTime"]) if status.get("submissionTime") else None
        self.stats["answered"] += 1
        return "answered"

    def _answer(self, task: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        if isinstance(self.answer, dict):
            return dict(self.answer)
        loop, shape = task["humanLoopName"], rendered_shape(task.get("html") or "")
        if loop in self.details or "input" not in task or shape is None:
            if loop not in self.details:
                self.details[loop] = self.admin.task_details(loop)
            details = self.details[loop]
        else:  # a simulated claim carries the input: no task_details call needed
            details = task
        task_input, shape = details["input"], shape or details.get("answerShape")
        if callable(self.answer):
            return self.answer(task_input, shape, rng)
        if details.get("requestSource"):
            return builtin_answer(details["requestSource"], task_input, rng, accuracy=self.accuracy)
        truth = _lookup(task_input, self.ground_truth_key) if self.ground_truth_key else MISSING
        target = self.target or (pick_target(shape) if shape else None)
        answer = generate_answer(shape, rng, truth=truth, accuracy=self.accuracy, confusion=self.confusion,
                                 labels=self.labels, target=target, task_input=task_input)
        blank_masks(answer, shape)
        self._judge(answer, shape, target, truth)
        return answer

    def _judge(self, answer: dict[str, Any], shape: Any, target: str | None, truth: Any) -> None:
        if truth is MISSING or target is None or target not in answer:
            return
        which = kind(elements(shape)[target])
        value = answer[target]
        if which == "label":
            value = value.get("label")
        elif which != "choice":
            return
        self.stats["judged"] += 1
        self.stats["correct"] += int(value == truth)
