"""run_chunked: the ordering the ledger's crash safety rests on, and errors that reach the caller."""

from __future__ import annotations

import threading
import time

import pytest

from a2i_kit.launch.workers import run_chunked


def test_no_job_runs_before_its_chunk_hook_returned_and_at_most_two_chunks_are_released():
    lock = threading.Lock()
    released: set[int] = set()
    log: list[tuple[str, int]] = []
    outcomes: list[int] = []
    finished = [0]

    def before(batch):
        with lock:
            assert len(released) - finished[0] <= 2 * 8  # never more than two chunks ahead
            log.append(("chunk", batch[0]))
        time.sleep(0.01)  # a slow fsync: calls of this chunk must still wait for it
        with lock:
            released.update(batch)

    def call(job):
        with lock:
            assert job in released
            log.append(("call", job))
        time.sleep(0.002)
        with lock:
            finished[0] += 1
        return job * 2

    run_chunked(list(range(100)), call, workers=4, chunk=8, before_chunk=before, on_outcomes=outcomes.extend)
    assert sorted(outcomes) == [k * 2 for k in range(100)]
    assert [k for kind, k in log if kind == "chunk"] == list(range(0, 100, 8))


def test_an_error_in_a_call_reaches_the_caller_after_the_finished_outcomes_are_handed_over():
    outcomes: list[int] = []
    calls: list[int] = []

    def call(job):
        calls.append(job)
        if job == 5:
            raise RuntimeError("the call broke on job 5")
        return job

    with pytest.raises(RuntimeError, match=r"^the call broke on job 5$"):
        run_chunked(list(range(200)), call, workers=2, chunk=4, before_chunk=lambda _batch: None,
                    on_outcomes=outcomes.extend)
    assert 5 not in outcomes
    assert sorted(outcomes) == sorted(j for j in calls if j != 5)  # every finished call was handed over
    assert len(calls) < 200  # the jobs not yet taken were dropped


def test_a_failing_chunk_hook_starts_nothing_of_that_chunk():
    calls: list[int] = []

    def before(batch):
        if batch[0] >= 8:
            raise OSError("disk full: the intents of this chunk are not durable")

    with pytest.raises(OSError, match=r"^disk full"):
        run_chunked(list(range(20)), calls.append, workers=3, chunk=4, before_chunk=before,
                    on_outcomes=lambda _outcomes: None)
    assert set(calls) <= set(range(8))  # chunks 0 and 1 were released (some may be dropped); 2 never


def test_batches_double_up_to_max_chunk_and_each_hook_runs_while_earlier_work_is_left():
    lock = threading.Lock()
    released: set[int] = set()
    sizes: list[int] = []
    left_when_hooked: list[int] = []
    finished = [0]

    def before(batch):
        with lock:
            assert len(released) - finished[0] <= 2 * 32  # never more than 2 * max_chunk ahead
            sizes.append(len(batch))
            left_when_hooked.append(len(released) - finished[0])
        time.sleep(0.005)  # an fsync: its batch must wait for it, the earlier ones need not
        with lock:
            released.update(batch)

    def call(job):
        with lock:
            assert job in released
        time.sleep(0.001)
        with lock:
            finished[0] += 1
        return job

    outcomes: list[int] = []
    run_chunked(list(range(300)), call, workers=4, chunk=4, max_chunk=32, before_chunk=before,
                on_outcomes=outcomes.extend)
    assert sorted(outcomes) == list(range(300))
    assert sizes[:5] == [4, 4, 8, 16, 32]
    assert set(sizes[4:-1]) == {32}
    assert sum(sizes) == 300
    assert len(sizes) == 13  # 4 + 4 + 8 + 16 + 9 * 32 + 12: 13 hooks, where fixed chunks of 4 took 75
    assert all(left > 0 for left in left_when_hooked[1:6])  # the doubling batches overlap the calls
