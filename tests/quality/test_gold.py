"""Gold tasks over real HTTP and boto3: mixed in at the rate, never shown as such, never in outputs.

A reviewer works the queue from the top (as the portal's continuous mode does) and the test
recognises gold tasks only by the text it registered as gold inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from quality_helpers import GOLD_PREFIX, items


def _accuracy(quality_http: Any, flow: str) -> dict[str, dict[str, Any]]:
    answer = quality_http.get("/_a2i/quality/accuracy", params={"flow": flow})
    assert answer.status_code == 200, answer.text
    return {row["workerName"]: row for row in answer.json()["workers"]}


def test_gold_rate_is_one_in_every_ten_served_and_never_reaches_outputs(
        service: Any, job: Any, reviewer: Any, quality_http: Any, runtime_client: Any, admin_client: Any) -> None:
    work = job(45)
    added = quality_http.post(f"/_a2i/quality/flows/{work.name}/gold", json={"items": items(GOLD_PREFIX, 8),
                                                                            "rate": 0.1})
    assert added.status_code == 200, added.text
    assert added.json() == {"flowDefinitionName": work.name, "goldRate": 0.1, "goldItems": 8,
                            "qualificationThreshold": None, "qualificationItems": 0}
    alice = reviewer("alice")
    assert alice.work(lambda _text, _n: "positive", limit=50) == 50
    gold = [k for k, (_name, text) in enumerate(alice.served) if text.startswith(GOLD_PREFIX)]
    for block in range(5):  # exactly one gold task in each block of ten served
        assert sum(1 for k in gold if block * 10 <= k < (block + 1) * 10) == 1, (block, gold)
    gold_names = {alice.served[k][0] for k in gold}
    real_names = {name for name, text in alice.served if not text.startswith(GOLD_PREFIX)}
    assert real_names <= set(work.loops)
    assert len(real_names) == 45
    # shaped like the job's loop names, never one of them
    assert not gold_names & set(work.loops)
    assert all(name.startswith(f"{work.name}-item-") and len(name) == len(work.loops[0]) for name in gold_names)

    listed = runtime_client.get_paginator("list_human_loops").paginate(
        FlowDefinitionArn=work.flow["flow_definition_arn"]).build_full_result()["HumanLoopSummaries"]
    assert sorted(s["HumanLoopName"] for s in listed) == sorted(work.loops)
    assert {s["HumanLoopStatus"] for s in listed} == {"Completed"}
    for name in gold_names:
        error = _client_error(lambda n=name: runtime_client.describe_human_loop(HumanLoopName=n))
        assert error == ("ResourceNotFoundException", f"HumanLoop '{name}' does not exist (or was deleted).")
    events = admin_client.events(limit=1000)["events"]
    assert {e["detail"]["humanLoopName"] for e in events} == set(work.loops)
    outputs = list(Path(service.config.mirror_dir).rglob("output.json"))
    assert len(outputs) == 45
    texts = [json.loads(p.read_text())["inputContent"]["text"] for p in outputs]
    assert not any(GOLD_PREFIX in text for text in texts)
    rows = _accuracy(quality_http, work.name)
    assert (rows["alice"]["goldAnswered"], rows["alice"]["goldCorrect"]) == (5, 5)


def _client_error(call: Any) -> tuple[str, str]:
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["Error"]["Message"]
    raise AssertionError("the call succeeded")


def test_a_gold_task_looks_like_a_real_one(job: Any, reviewer: Any, quality_http: Any) -> None:
    work = job(3)
    quality_http.post(f"/_a2i/quality/flows/{work.name}/gold", json={"items": items(GOLD_PREFIX, 2), "rate": 0.5})
    bob = reviewer("bob")
    bob.work(lambda _text, _n: "positive", limit=1)  # one real answer: a gold task is due at once
    tasks = bob.client.tasks()
    first = tasks[0]
    real = next(t for t in tasks if t["humanLoopName"] in work.loops)
    assert set(first) == set(real)
    assert {k: first[k] for k in ("flowDefinitionName", "taskTitle", "taskDescription", "taskCount",
                                  "humanLoopStatus", "claimedByMe")} == \
        {k: real[k] for k in ("flowDefinitionName", "taskTitle", "taskDescription", "taskCount",
                              "humanLoopStatus", "claimedByMe")}
    claimed_gold, claimed_real = bob.client.claim(first["humanLoopName"]), bob.client.claim(real["humanLoopName"])
    assert set(claimed_gold) == set(claimed_real)
    assert claimed_gold["html"].count("gold") == 1  # the input's own text, nothing else
    assert claimed_gold["html"].split("<classification-target>")[0] == claimed_real["html"].split("<classification-target>")[0]
    assert bob.client.submit(first["humanLoopName"], {"sentiment": {"label": "negative"}}) == \
        {"humanLoopStatus": "Completed"}
    # a retry of the same answer succeeds; a changed answer is refused like a real loop's
    assert bob.client.submit(first["humanLoopName"], {"sentiment": {"label": "negative"}}) == \
        {"humanLoopStatus": "Completed"}
    rows = _accuracy(quality_http, work.name)
    assert (rows["bob"]["goldAnswered"], rows["bob"]["goldCorrect"], rows["bob"]["accuracy"]) == (1, 0, 0.0)


def test_a_gold_task_due_after_the_last_real_task_is_still_served(
        job: Any, reviewer: Any, quality_http: Any) -> None:
    """Rate 0.5 with one real task: the gold task falls due when no real task of the job is left
    in the list, so its entry is built from the flow definition and must still look real."""
    work = job(1)
    quality_http.post(f"/_a2i/quality/flows/{work.name}/gold", json={"items": items(GOLD_PREFIX, 2), "rate": 0.5})
    carol = reviewer("carol")
    real = carol.client.tasks()
    assert [t["humanLoopName"] for t in real] == work.loops
    assert carol.work(lambda _text, _n: "positive", limit=1) == 1
    left = carol.client.tasks()
    assert len(left) == 1
    assert left[0]["humanLoopName"] not in work.loops
    assert set(left[0]) == set(real[0])
    same = ("flowDefinitionName", "taskTitle", "taskDescription", "taskCount", "submittedCount", "claimedByMe",
            "humanLoopStatus", "creationTime", "availableUntil")
    assert {k: left[0][k] for k in same} == {k: real[0][k] for k in same}
    assert carol.work(lambda _text, _n: "positive", limit=5) == 1
    assert carol.served[1][1].startswith(GOLD_PREFIX)
    assert carol.client.tasks() == []
    assert _accuracy(quality_http, work.name)["carol"]["goldAnswered"] == 1


def test_only_its_worker_sees_or_claims_a_gold_task(job: Any, reviewer: Any, quality_http: Any) -> None:
    from a2i_kit.review import WorkerApiError

    work = job(4, task_count=2)
    quality_http.post(f"/_a2i/quality/flows/{work.name}/gold", json={"items": items(GOLD_PREFIX, 2), "rate": 0.5})
    carol, dan = reviewer("carol"), reviewer("dan")
    carol.work(lambda _text, _n: "positive", limit=1)
    gold = carol.client.tasks()[0]["humanLoopName"]
    assert gold not in work.loops
    assert gold not in {t["humanLoopName"] for t in dan.client.tasks()}
    with pytest.raises(WorkerApiError) as info:
        dan.client.claim(gold)
    assert (info.value.status, info.value.code) == (404, "NotFound")
    assert f"human loop {gold!r} does not exist" in str(info.value)


def test_fifty_percent_worker_interval_is_below_ninety_five_percent_worker(
        job: Any, reviewer: Any, quality_http: Any) -> None:
    work = job(42, task_count=2)  # a gold task is served only while the job has real tasks left
    quality_http.post(f"/_a2i/quality/flows/{work.name}/gold", json={"items": items(GOLD_PREFIX, 40), "rate": 0.5})
    sloppy, careful = reviewer("sloppy"), reviewer("careful")
    golds = {"sloppy": 0, "careful": 0}

    def policy(who: str, every_wrong: int) -> Any:
        def answer(text: str, _n: int) -> str:
            if not text.startswith(GOLD_PREFIX):
                return "neutral"
            golds[who] += 1
            return "negative" if golds[who] % every_wrong == 0 else "positive"
        return answer

    sloppy.work(policy("sloppy", 2), limit=200)  # every second gold answer wrong: 50 %
    careful.work(policy("careful", 20), limit=200)  # every twentieth wrong: 95 %
    rows = _accuracy(quality_http, work.name)
    low, high = rows["sloppy"], rows["careful"]
    assert golds["sloppy"] >= 40
    assert golds["careful"] >= 40
    assert (low["goldAnswered"], low["goldCorrect"]) == (golds["sloppy"], golds["sloppy"] - golds["sloppy"] // 2)
    assert (high["goldAnswered"], high["goldCorrect"]) == (golds["careful"], golds["careful"] - golds["careful"] // 20)
    assert low["low"] < low["accuracy"] < low["high"]
    assert high["low"] < high["accuracy"] < high["high"]
    assert low["high"] < high["low"], (low, high)
    assert low["workerId"] == sloppy.worker_id
    assert high["workerId"] == careful.worker_id


def test_going_back_to_a_gold_answer_behaves_like_a_real_loop(service: Any, job: Any, reviewer: Any,
                                                              quality_http: Any) -> None:
    """The continuous mode's amend hooks: a job of TaskCount 2 keeps answers open (re-scored on
    change), a job of TaskCount 1 closes them with the same 409 a real loop gives."""
    from a2i_kit.service import quality
    from a2i_kit.service.workforce import WorkforceError

    ctx = service.context
    for task_count, closes in ((2, False), (1, True)):
        work = job(3, task_count=task_count, group=f"team{task_count}")
        quality_http.post(f"/_a2i/quality/flows/{work.name}/gold", json={"items": items(GOLD_PREFIX, 1), "rate": 0.5})
        ivan = reviewer(f"ivan-{task_count}", f"team{task_count}")
        ivan.work(lambda text, _n: "negative" if text.startswith(GOLD_PREFIX) else "positive", limit=2)
        gold = next(name for name, text in ivan.served if text.startswith(GOLD_PREFIX))
        worker = ctx.store.workers.get(ivan.worker_id)
        assert quality.hidden_seconds_left(ctx, worker, gold) > 0
        if closes:
            with pytest.raises(WorkforceError) as info:
                quality.hidden_amendable(ctx, worker, gold)
            assert (info.value.status, info.value.code) == (409, "AnswerClosed")
            assert "all its answers are in (TaskCount 1), so it closed" in str(info.value)
            continue
        shown = quality.hidden_amendable(ctx, worker, gold)
        assert shown["answerContent"] == {"sentiment": {"label": "negative"}}
        assert GOLD_PREFIX in shown["html"]
        assert quality.hidden_amend(ctx, worker, gold, {"sentiment": {"label": "positive"}})["amended"] is True
        row = _accuracy(quality_http, work.name)[f"ivan-{task_count}"]
        assert (row["goldAnswered"], row["goldCorrect"]) == (1, 1)
