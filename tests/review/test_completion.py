"""An answer and the completion it causes are one transaction; side effects go through the outbox.

Retried submits are idempotent, an output that cannot be written fails the loop visibly after
bounded retries (logged once), pending work is finished at start without repeating an event,
and what older versions or crashes left behind is repaired at start.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from a2i_kit.review import AdminClient, WorkerApiError, WorkerClient
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.outbox import MAX_ATTEMPTS
from a2i_kit.service.sweeper import Sweeper

ANSWER = {"sentiment": {"label": "positive"}}
BUCKET = "a2i-kit-tests"  # the S3OutputPath bucket of conftest's make_flow


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceThread]:
    """The shared fixture's service with the background sweeper idle: tests sweep by hand."""
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "a2i-data", sweep_interval_seconds=3600)) as svc:
        yield svc


def _events(service: Any) -> list[dict[str, Any]]:
    path = service.context.config.events_log
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _outbox(service: Any) -> list[dict[str, Any]]:
    return service.context.store.outbox.all()


def _block_bucket(service: Any) -> Path:
    """A file where the bucket's folder must go: every output write there fails (also as root)."""
    mirror = service.context.config.mirror_dir
    mirror.mkdir(parents=True, exist_ok=True)
    blocker = mirror / BUCKET
    blocker.write_text("not a folder")
    return blocker


def test_a_retried_submit_of_the_stored_answer_succeeds(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, read_output: Any) -> None:
    [loop] = start_loops(make_flow(task_count=2))
    alice, bob = add_worker("alice"), add_worker("bob")
    alice.claim(loop)
    assert alice.submit(loop, ANSWER) == {"humanLoopStatus": "InProgress"}
    assert alice.submit(loop, ANSWER) == {"humanLoopStatus": "InProgress"}  # the response was lost
    bob.claim(loop)
    assert bob.submit(loop, ANSWER) == {"humanLoopStatus": "Completed"}
    assert bob.submit(loop, ANSWER) == {"humanLoopStatus": "Completed"}
    assert alice.submit(loop, ANSWER) == {"humanLoopStatus": "Completed"}

    assert len(read_output(loop)["humanAnswers"]) == 2
    assert [e["detail"]["humanLoopStatus"] for e in _events(service)] == ["Completed"]
    assert _outbox(service) == []


def test_a_different_answer_from_a_worker_who_answered_is_refused(
        make_flow: Any, start_loops: Any, add_worker: Any, read_output: Any) -> None:
    [loop] = start_loops(make_flow())
    alice = add_worker("alice")
    alice.claim(loop)
    alice.submit(loop, ANSWER)
    with pytest.raises(WorkerApiError) as refused:
        alice.submit(loop, {"sentiment": {"label": "negative"}})
    assert refused.value.status == 409
    assert refused.value.code == "Conflict"
    assert f"you already answered human loop '{loop}' at " in str(refused.value)
    assert "the stored answer is kept" in str(refused.value)
    assert read_output(loop)["humanAnswers"][0]["answerContent"] == ANSWER


def test_an_unwritable_output_fails_the_loop_after_bounded_retries(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    [loop] = start_loops(make_flow())
    _block_bucket(service)
    alice = add_worker("alice")
    alice.claim(loop)
    caplog.set_level(logging.WARNING, logger="a2i_kit")
    assert alice.submit(loop, ANSWER) == {"humanLoopStatus": "Completed"}  # the answer is kept
    [pending] = _outbox(service)
    assert pending["attempts"] == 1
    assert "NotADirectoryError" in pending["last_error"] or "FileExistsError" in pending["last_error"]

    sweeper = Sweeper(service.context)
    for _ in range(MAX_ATTEMPTS * 3):  # retried only when due, then given up: never forever
        sweeper.sweep_once()
        service.context.advance_clock(400)
    described = runtime_client.describe_human_loop(HumanLoopName=loop)
    assert described["HumanLoopStatus"] == "Failed"
    assert described["FailureCode"] == "ValidationError"
    reason = described["FailureReason"]
    assert reason.startswith(f"The human loop's output could not be written to s3://{BUCKET}/")
    assert f"after {MAX_ATTEMPTS} attempts" in reason
    assert str(service.context.config.data_dir) not in reason  # no local paths in API answers
    assert [(e["detail"]["humanLoopStatus"], e["detail"]["failureCode"]) for e in _events(service)] == [
        ("Failed", "ValidationError")]
    assert _outbox(service) == []
    retries = [r for r in caplog.records if "retrying with backoff" in r.getMessage()]
    assert len(retries) == 1  # logged once for the item, not on every pass


def test_an_output_path_outside_the_mirror_fails_at_once(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any, runtime_client: Any) -> None:
    [loop] = start_loops(make_flow())
    store = service.context.store
    record = store.loops.get(loop)
    store.loops.update(loop, doc={**record["doc"], "OutputS3Uri": "s3://b/../../../escape/output.json"})
    alice = add_worker("alice")
    alice.claim(loop)
    alice.submit(loop, ANSWER)
    described = runtime_client.describe_human_loop(HumanLoopName=loop)
    assert described["HumanLoopStatus"] == "Failed"
    assert described["FailureCode"] == "ValidationError"
    assert "escapes the local mirror" in described["FailureReason"]
    assert _outbox(service) == []
    assert [e["detail"]["humanLoopStatus"] for e in _events(service)] == ["Failed"]


def test_pending_work_is_finished_at_start_and_its_event_is_not_repeated(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any) -> None:
    data = service.config.data_dir
    [done, appended] = start_loops(make_flow(), 2)
    alice = add_worker("alice")
    blocker = _block_bucket(service)
    for loop in (done, appended):
        alice.claim(loop)
        alice.submit(loop, ANSWER)
    rows = _outbox(service)
    assert [r["loop_name"] for r in rows] == [done, appended]
    # As if the process died after appending the second event but before deleting its row:
    service.context.events.append(json.loads(rows[1]["event"]))
    service.stop()
    blocker.unlink()

    with ServiceThread(ServiceConfig(data_dir=data, sweep_interval_seconds=3600)) as again:
        assert _outbox(again) == []
        events = _events(again)
        assert sorted(e["detail"]["humanLoopName"] for e in events) == sorted([done, appended])
        assert len({e["id"] for e in events}) == 2
        for loop in (done, appended):
            assert again.context.store.loops.get(loop)["status"] == "Completed"
            out = again.context.outputs.read(again.context.store.loops.get(loop)["doc"]["OutputS3Uri"])
            assert out["humanAnswers"][0]["answerContent"] == ANSWER


def test_start_repairs_loops_left_open_with_all_answers_and_removes_temporary_files(
        tmp_path: Path) -> None:
    data = tmp_path / "old"
    with ServiceThread(ServiceConfig(data_dir=data, sweep_interval_seconds=3600)) as first:
        ctx = first.context
        now = ctx.clock.now()
        doc = {"HumanLoopName": "old", "HumanLoopArn": ctx.arn("human-loop", "old"), "FlowDefinitionArn": "arn:f",
               "FlowDefinitionName": "f", "InputContent": '{"a": 1}', "TaskCount": 1, "WorkteamArn": "arn:t",
               "OutputS3Uri": "s3://b/o/f/old/output.json"}
        ctx.store.loops.put({"name": "old", "arn": doc["HumanLoopArn"], "status": "InProgress",
                                "creation_time": now, "doc": doc, "flow_definition_arn": "arn:f"})
        answer = {"workerId": "w1", "answerContent": ANSWER, "acceptanceTime": "x", "submissionTime": "y",
                  "timeSpentInSeconds": 1.0, "workerMetadata": {}}
        ctx.store.claims.put({"loop_name": "old", "worker_id": "w1", "status": "submitted", "claimed_at": now,
                                  "deadline": now + 60, "submitted_at": now, "doc": answer})
    folder = data / "s3" / "b" / "o"
    folder.mkdir(parents=True)
    leftovers = [folder / ".tmp-output.json.4242.abcd1234", folder / ".output-x1y2z3"]
    for path in leftovers:
        path.write_text("{half")
    ours = folder / f".tmp-output.json.{os.getpid()}.feedbeef"  # a write of this process in flight
    ours.write_text("{")

    with ServiceThread(ServiceConfig(data_dir=data, sweep_interval_seconds=3600)) as second:
        assert second.context.store.loops.get("old")["status"] == "Completed"
        output = json.loads((data / "s3" / "b" / "o" / "f" / "old" / "output.json").read_text())
        assert output["humanAnswers"] == [answer]
        assert [e["detail"]["humanLoopStatus"] for e in _events(second)] == ["Completed"]
        assert not any(path.exists() for path in leftovers)
        assert ours.exists()


def test_a_torn_last_line_of_the_events_log_is_cut_at_start(
        service: Any, make_flow: Any, start_loops: Any, add_worker: Any) -> None:
    data = service.config.data_dir
    [first, second] = start_loops(make_flow(), 2)
    alice = add_worker("alice")
    alice.claim(first)
    alice.submit(first, ANSWER)
    with open(service.context.config.events_log, "a") as log:
        log.write('{"version":"0","id":"torn')  # a crash in the middle of an append
    service.stop()
    config = ServiceConfig(data_dir=data, sweep_interval_seconds=3600)
    with ServiceThread(config) as again, WorkerClient(again.url, alice.info["token"]) as worker, \
            AdminClient(again.url, again.admin_token) as adm:
        worker.claim(second)
        worker.submit(second, ANSWER)
        names = [e["detail"]["humanLoopName"] for e in adm.events()["events"]]
    assert names == [first, second]
