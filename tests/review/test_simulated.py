"""Simulated reviewers answer through the real worker API, seeded and reproducible."""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from a2i_kit.errors import InputError
from a2i_kit.review import LatencyModel, simulate_reviewers
from a2i_kit.service import ServiceThread
from a2i_kit.service.context import ServiceConfig

LABELS = ["positive", "negative", "neutral"]
SIMPLE = """<crowd-form><crowd-classifier name="sentiment" categories="['positive', 'negative', 'neutral']"
  header="Sentiment?"><classification-target>{{ task.input.text }}</classification-target>
</crowd-classifier></crowd-form>"""


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceThread]:
    """No background sweeps: nothing but the reviewers changes the loops."""
    with ServiceThread(ServiceConfig(data_dir=tmp_path / "a2i-data", sweep_interval_seconds=3600)) as svc:
        yield svc


def _inputs(n: int) -> list[dict[str, Any]]:
    rng = random.Random(99)
    return [{"text": f"review {i}", "label": rng.choice(LABELS)} for i in range(n)]


def _answers(read_output: Any, loops: list[str]) -> dict[str, list[dict[str, Any]]]:
    return {loop: read_output(loop)["humanAnswers"] for loop in loops}


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@pytest.mark.slow
def test_reviewers_complete_every_loop_with_the_configured_accuracy(
        service: Any, make_flow: Any, start_loops: Any, read_output: Any, runtime_client: Any) -> None:
    inputs = _inputs(40)
    loops = start_loops(make_flow(), 40, inputs=inputs)
    summary = simulate_reviewers(service.url, service.admin_token, workers=3, ground_truth_key="label",
                                 accuracy=0.8, seed=1, latency=LatencyModel(median_seconds=20))
    assert summary.total_answered == 40
    assert summary.total_abstained == 0
    assert sorted(summary.answered) == ["sim-reviewer-1", "sim-reviewer-2", "sim-reviewer-3"]
    assert max(summary.answered.values()) - min(summary.answered.values()) <= 1  # they take turns
    statuses = {runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] for loop in loops}
    assert statuses == {"Completed"}

    answers = _answers(read_output, loops)
    correct = sum(answers[loop][0]["answerContent"]["sentiment"]["label"] == data["label"]
                  for loop, data in zip(loops, inputs, strict=True))
    assert correct == sum(summary.correct.values())
    assert sum(summary.judged.values()) == 40
    assert 24 <= correct <= 38  # Binomial(40, 0.8) well inside its tails
    for loop in loops:  # wrong answers still pick one of the template's categories
        assert answers[loop][0]["answerContent"]["sentiment"]["label"] in LABELS


def _build(url: str, inputs: list[dict[str, Any]], task_count: int, template: str) -> list[str]:
    """Team, task UI, flow and one loop per input on the service at ``url`` (boto3 over HTTP)."""
    options = {"endpoint_url": url, "region_name": "us-east-1", "aws_access_key_id": "t",
               "aws_secret_access_key": "t"}
    sm, runtime = boto3.client("sagemaker", **options), boto3.client("sagemaker-a2i-runtime", **options)
    team = sm.create_workteam(WorkteamName="sim", Description="d", MemberDefinitions=[{
        "CognitoMemberDefinition": {"UserPool": "us-east-1_Sim123", "UserGroup": "reviewers",
                                    "ClientId": "c"}}])["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="sim-ui", UiTemplate={"Content": template})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName="sim", RoleArn="arn:aws:iam::111122223333:role/r",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t",
                         "TaskDescription": "d", "TaskCount": task_count},
        OutputConfig={"S3OutputPath": "s3://sim/out"})["FlowDefinitionArn"]
    names = [f"item-{i:03d}" for i in range(len(inputs))]
    for name, data in zip(names, inputs, strict=True):
        runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow,
                                 HumanLoopInput={"InputContent": json.dumps(data)})
    return names


def _outputs(service: ServiceThread) -> dict[str, dict[str, Any]]:
    files = sorted(service.config.mirror_dir.rglob("output.json"))
    return {json.loads(f.read_text())["humanLoopName"]: json.loads(f.read_text()) for f in files}


def _run(tmp: Path, inputs: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    with ServiceThread(ServiceConfig(data_dir=tmp, sweep_interval_seconds=3600)) as service:
        _build(service.url, inputs, 2, SIMPLE)
        summary = simulate_reviewers(service.url, service.admin_token, workers=3, ground_truth_key="label",
                                     accuracy=0.6, seed=seed, abstain_rate=0.2, advance_clock=True)
        outputs = _outputs(service)
    answers = {loop: [(a["answerContent"], a["timeSpentInSeconds"]) for a in out["humanAnswers"]]
               for loop, out in outputs.items()}
    return {"summary": (summary.answered, summary.abstained, summary.correct), "answers": answers}


@pytest.mark.slow
def test_the_same_seed_reproduces_every_answer_and_count(tmp_path: Path) -> None:
    inputs = _inputs(12)
    first = _run(tmp_path / "one", inputs, seed=5)
    second = _run(tmp_path / "two", inputs, seed=5)
    other = _run(tmp_path / "three", inputs, seed=6)
    assert len(first["answers"]) == 12
    assert first == second
    assert other["answers"] != first["answers"]


def test_a_confusion_matrix_decides_the_answers(service: Any, make_flow: Any, start_loops: Any,
                                                read_output: Any) -> None:
    inputs = [{"text": str(i), "label": label} for i, label in enumerate(["positive", "neutral"] * 4)]
    loops = start_loops(make_flow(), 8, inputs=inputs)
    confusion = {"positive": {"negative": 1.0}, "neutral": {"neutral": 0.0, "positive": 1.0}}
    summary = simulate_reviewers(service.url, service.admin_token, workers=2, ground_truth_key="label",
                                 confusion=confusion, seed=0)
    labels = [read_output(loop)["humanAnswers"][0]["answerContent"]["sentiment"]["label"] for loop in loops]
    assert labels == ["negative", "positive"] * 4
    assert summary.accuracy == 0.0


def test_abstaining_reviewers_release_and_leave_the_loops_open(
        service: Any, make_flow: Any, start_loops: Any, runtime_client: Any) -> None:
    loops = start_loops(make_flow(), 4)
    summary = simulate_reviewers(service.url, service.admin_token, workers=3, abstain_rate=1.0, seed=0)
    assert summary.total_answered == 0
    assert summary.abstained == {"sim-reviewer-1": 4, "sim-reviewer-2": 4, "sim-reviewer-3": 4}
    statuses = {runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] for loop in loops}
    assert statuses == {"InProgress"}
    released = {a["status"] for loop in loops for a in service.context.store.claims.of_loop(loop)}
    assert released == {"released"}


def test_simulated_time_follows_the_latency_model_on_a_timeline_per_worker(
        service: Any, make_flow: Any, start_loops: Any, read_output: Any, runtime_client: Any) -> None:
    loops = start_loops(make_flow(task_count=3), 5)
    before = service.context.clock.now()
    simulate_reviewers(service.url, service.admin_token, workers=3, seed=3,
                       latency=LatencyModel(median_seconds=25, sigma=0.0), advance_clock=True)
    now = service.context.clock.now()
    assert now - before >= 5 * 25  # each worker's five tasks took their time in service time
    per_worker: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for loop in loops:
        answers = read_output(loop)["humanAnswers"]
        created = runtime_client.describe_human_loop(HumanLoopName=loop)["CreationTime"].timestamp()
        assert len({a["workerId"] for a in answers}) == 3  # TaskCount 3 → three distinct workers
        for answer in answers:
            assert answer["timeSpentInSeconds"] == 25.0
            start, end = _epoch(answer["acceptanceTime"]), _epoch(answer["submissionTime"])
            assert end - start == pytest.approx(25.0, abs=0.002)
            assert created - 0.001 <= start
            assert end <= now
            per_worker[answer["workerId"]].append((start, end))
    for spans in per_worker.values():  # one task after another, never two at once
        spans.sort()
        assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))


def test_simulated_time_never_runs_ahead_of_the_service_clock(
        service: Any, make_flow: Any, start_loops: Any, read_output: Any, runtime_client: Any,
        admin: Any) -> None:
    loops = start_loops(make_flow(task_count=2), 6)
    service.context.advance_clock(40)  # the loops are 40 s old: long sampled times get cut there
    simulate_reviewers(service.url, service.admin_token, workers=2, seed=4,
                       latency=LatencyModel(median_seconds=30, sigma=0.8))
    now = service.context.clock.now()
    events = {e["detail"]["humanLoopName"]: e for e in admin.events(limit=100)["events"]}
    spent, per_worker = [], defaultdict(list)
    for loop in loops:
        described = runtime_client.describe_human_loop(HumanLoopName=loop)
        created = described["CreationTime"].timestamp()
        event = events[loop]
        assert event["detail"]["creationTime"] == described["CreationTime"].isoformat(
            timespec="milliseconds").replace("+00:00", "Z")
        for answer in read_output(loop)["humanAnswers"]:
            accepted, submitted = _epoch(answer["acceptanceTime"]), _epoch(answer["submissionTime"])
            assert created - 0.001 <= accepted <= submitted <= now
            assert answer["timeSpentInSeconds"] == pytest.approx(submitted - accepted, abs=0.002)
            assert _epoch(event["time"]) <= now
            assert submitted < _epoch(event["time"]) + 1  # the event's time has whole seconds
            spent.append(answer["timeSpentInSeconds"])
            per_worker[answer["workerId"]].append((accepted, submitted))
    assert max(spent) <= 40.0 + 5  # cut at the loops' creation (plus the run's own seconds)
    assert min(spent) > 0
    for spans in per_worker.values():  # never two tasks at once
        spans.sort()
        assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))


def test_max_tasks_threads_and_reused_workers(service: Any, make_flow: Any, start_loops: Any,
                                              admin: Any) -> None:
    start_loops(make_flow(), 10)
    capped = simulate_reviewers(service.url, service.admin_token, workers=2, max_tasks=4, seed=0)
    assert capped.total_answered == 4
    ids = {w["name"]: w["workerId"] for w in capped.workers}
    rest = simulate_reviewers(service.url, service.admin_token, workers=2, threads=2, seed=0)
    assert rest.total_answered == 6
    assert {w["name"]: w["workerId"] for w in rest.workers} == ids  # same workers, new tokens
    assert len(admin.workers()) == 2


def test_a_callable_answer_and_any_template(service: Any, make_flow: Any, start_loops: Any,
                                            read_output: Any) -> None:
    template = """<crowd-form>
      <crowd-classifier name="kind" categories="{{ task.input.options | to_json | escape }}" header="Kind?">
        <classification-target>{{ task.input.text }}</classification-target></crowd-classifier>
      {% for s in task.input.segments %}<crowd-text-area name="fix{{ forloop.index }}" value="{{ s }}">
      </crowd-text-area>{% endfor %}
      <crowd-radio-group><crowd-radio-button name="ok" value="yes"></crowd-radio-button>
      <crowd-radio-button name="ok" value="no"></crowd-radio-button></crowd-radio-group>
    </crowd-form>"""
    data = {"text": "t", "options": ["alpha", "beta"], "segments": ["a", "b"], "truth": "beta"}
    [loop] = start_loops(make_flow(template=template), inputs=[data])
    simulate_reviewers(service.url, service.admin_token, workers=1, ground_truth_key="truth",
                       accuracy=1.0, seed=0)
    answer = read_output(loop)["humanAnswers"][0]["answerContent"]
    assert answer["kind"] == {"label": "beta"}
    assert set(answer) == {"kind", "fix1", "fix2", "ok"}
    assert sorted(answer["ok"].items()) in ([("no", False), ("yes", True)], [("no", True), ("yes", False)])

    [second] = start_loops(make_flow(), 1, prefix="fixed")
    simulate_reviewers(service.url, service.admin_token, workers=1, seed=0,
                       answer=lambda task_input, _shape, rng: {"echo": task_input["text"], "n": rng.randint(1, 1)})
    assert read_output(second)["humanAnswers"][0]["answerContent"] == {"echo": "review number 0", "n": 1}


@pytest.mark.parametrize(("options", "message"), [
    ({"workers": 0}, "at least one worker"),
    ({"threads": 0}, "threads=0 must be at least 1"),
    ({"accuracy": 1.5}, "between 0 and 1"),
])
def test_bad_simulation_settings(service: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        simulate_reviewers(service.url, service.admin_token, **options)


def test_without_until_empty_a_reviewer_works_only_the_first_listing(
        make_flow: Any, start_loops: Any, admin: Any) -> None:
    from a2i_kit.review import SimulatedReviewer

    flow = make_flow()
    start_loops(flow, 2)
    info = admin.add_worker("solo", ["reviewers"])
    reviewer = SimulatedReviewer(admin.worker_client(info["token"], simulated=True), admin, "solo",
                                 refetch=False)
    assert [reviewer.step(), reviewer.step(), reviewer.step()] == ["answered", "answered", "idle"]
    start_loops(flow, 1, prefix="later")
    assert reviewer.step() == "idle"  # not listed when it started
    keen = SimulatedReviewer(admin.worker_client(info["token"], simulated=True), admin, "solo")
    assert [keen.step(), keen.step()] == ["answered", "idle"]
