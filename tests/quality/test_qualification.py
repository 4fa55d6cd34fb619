"""Qualification over real HTTP: a worker who has not passed gets only qualification tasks, and
a worker who failed gets no real task and a message that says why and what to do."""

from __future__ import annotations

from typing import Any

import pytest
from quality_helpers import QUAL_PREFIX, items

from a2i_kit.review import WorkerApiError
from a2i_kit.service import quality


def _refused(call: Any) -> WorkerApiError:
    with pytest.raises(WorkerApiError) as info:
        call()
    return info.value


@pytest.fixture
def qualified_job(job: Any, quality_http: Any) -> Any:
    work = job(3)
    answer = quality_http.put(f"/_a2i/quality/flows/{work.name}/qualification",
                              json={"items": items(QUAL_PREFIX, 5), "threshold": 0.8})
    assert answer.status_code == 200, answer.text
    assert answer.json()["qualificationItems"] == 5
    return work


def test_unqualified_worker_gets_only_qualification_tasks_and_real_claims_are_refused(
        qualified_job: Any, reviewer: Any) -> None:
    erin = reviewer("erin")
    tasks = erin.client.tasks()
    assert len(tasks) == 5
    assert not {t["humanLoopName"] for t in tasks} & set(qualified_job.loops)
    assert {t["flowDefinitionName"] for t in tasks} == {qualified_job.name}
    error = _refused(lambda: erin.client.claim(qualified_job.loops[0]))
    assert (error.status, error.code) == (403, "QualificationRequired")
    assert (f"job 'Review {qualified_job.name}' needs its qualification first: answer its qualification "
            "tasks in your queue (0 of 5 done)") in str(error)
    texts = [erin.client.claim(t["humanLoopName"])["html"] for t in tasks]
    assert all(QUAL_PREFIX in html for html in texts)


def test_failing_worker_gets_no_real_task_and_a_clear_message(
        service: Any, qualified_job: Any, reviewer: Any, quality_http: Any) -> None:
    frank = reviewer("frank")
    wrong = iter([True, True, False, False, False])  # 3 of 5 right: 60 % < 80 %
    assert frank.work(lambda _t, _n: "negative" if next(wrong) else "positive", limit=10) == 5
    assert frank.client.tasks() == []
    error = _refused(lambda: frank.client.claim(qualified_job.loops[1]))
    assert (error.status, error.code) == (403, "QualificationRequired")
    assert (f"you did not pass the qualification of job 'Review {qualified_job.name}' (3 of 5 right, 80% "
            "needed), so its tasks are not open to you; ask your manager to reset your qualification") in str(error)
    worker = service.context.store.workers.get(frank.worker_id)
    assert quality.notices(service.context, worker) == [
        f"You did not pass the qualification of job 'Review {qualified_job.name}' (3 of 5 right, 80% needed), "
        "so its tasks are not open to you; ask your manager to reset your qualification."]
    rows = quality_http.get("/_a2i/quality/accuracy", params={"flow": qualified_job.name}).json()["workers"]
    assert [(r["workerName"], r["qualification"], r["qualificationCorrect"], r["qualificationAnswered"])
            for r in rows] == [("frank", "failed", 3, 5)]
    reset = quality_http.post(f"/_a2i/quality/flows/{qualified_job.name}/workers/{frank.worker_id}/reset")
    assert reset.status_code == 200, reset.text
    assert len(frank.client.tasks()) == 5  # a fresh qualification set


def test_passing_worker_then_gets_the_real_tasks(qualified_job: Any, reviewer: Any) -> None:
    gina = reviewer("gina")
    assert gina.work(lambda _t, _n: "positive", limit=5) == 5
    tasks = gina.client.tasks()
    assert sorted(t["humanLoopName"] for t in tasks) == sorted(qualified_job.loops)
    assert gina.client.claim(qualified_job.loops[0])["humanLoopName"] == qualified_job.loops[0]
