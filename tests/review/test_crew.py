"""Simulated reviewers in threads share a crew board: they do not race for the same task, and a
loop that needs several workers still gets them; a simulated claim carries the task input."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from a2i_kit.review import WorkerApiError, simulate_reviewers
from a2i_kit.review.client import WorkerClient
from a2i_kit.review.crew import CrewBoard
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceThread]:
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "a2i-data", sweep_interval_seconds=3600)) as svc:
        yield svc


@pytest.fixture
def claims(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the claims every WorkerClient sends, by outcome (the requests still go to the service)."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    original = WorkerClient.claim

    def counted(self: WorkerClient, loop: str) -> dict[str, Any]:
        try:
            task = original(self, loop)
        except WorkerApiError:
            with lock:
                counts["refused"] += 1
            raise
        with lock:
            counts["granted"] += 1
        return task

    monkeypatch.setattr(WorkerClient, "claim", counted)
    return counts


def test_reviewers_in_threads_do_not_race_for_one_task(service: Any, make_flow: Any, start_loops: Any,
                                                       read_output: Any, claims: Counter[str]) -> None:
    loops = start_loops(make_flow(), 48)
    summary = simulate_reviewers(service.url, service.admin_token, workers=8, threads=8, seed=3)
    assert summary.total_answered == 48
    assert all(len(read_output(loop)["humanAnswers"]) == 1 for loop in loops)
    # Without the board every reviewer walks the same list: about 7 refused claims per task.
    assert claims["granted"] == 48
    assert claims["refused"] <= 4, claims


def test_a_loop_that_needs_two_workers_gets_two_in_threads(service: Any, make_flow: Any, start_loops: Any,
                                                          read_output: Any) -> None:
    loops = start_loops(make_flow(task_count=2), 20)
    summary = simulate_reviewers(service.url, service.admin_token, workers=4, threads=4, seed=5)
    assert summary.total_answered == 40
    for loop in loops:
        workers = [answer["workerId"] for answer in read_output(loop)["humanAnswers"]]
        assert len(workers) == 2, (loop, workers)
        assert len(set(workers)) == 2, (loop, workers)


def test_only_a_simulated_claim_carries_the_input(service: Any, make_flow: Any, start_loops: Any,
                                                  admin: Any) -> None:
    start_loops(make_flow(), 2, inputs=[{"text": "first", "label": "positive"},
                                        {"text": "second", "label": "negative"}])
    info = admin.add_worker("sam", ["reviewers"])
    with admin.worker_client(info["token"], simulated=True) as simulated:
        task = simulated.claim("loop-0")
    assert task["input"] == {"text": "first", "label": "positive"}
    assert task["requestSource"] is None
    with WorkerClient(service.url, info["token"]) as real:
        task = real.claim("loop-1")
    assert "input" not in task
    assert "requestSource" not in task
    assert "second" in task["html"]


def test_the_board_reserves_exclusively_and_counts_holders() -> None:
    board = CrewBoard()
    assert board.reserve("a", exclusive=True)
    assert not board.reserve("a", exclusive=True)
    assert board.reserve("a", exclusive=False)  # a second worker for a loop that needs two
    board.release("a")
    assert not board.reserve("a", exclusive=True)  # one holder left
    board.release("a")
    assert board.reserve("a", exclusive=True)
    board.release("b")  # releasing what nobody holds changes nothing
    assert board.reserve("b", exclusive=True)
