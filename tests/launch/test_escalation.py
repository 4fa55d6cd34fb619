"""Escalation against the real service over HTTP: a disagreement gets exactly one follow-up loop,
agreement none, and consolidation takes the follow-up's answer (also to break a tie)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pandas as pd
import pytest

from a2i_kit.errors import InputError, LaunchError
from a2i_kit.launch import Ledger, escalate, followup_loop_name
from a2i_kit.launch.followup_flow import followup_flow_name
from a2i_kit.results.escalated import EscalatedResults
from a2i_kit.review import AdminClient, WorkerClient
from a2i_kit.session import Session


def _session(service: Any, sagemaker: Any, runtime: Any) -> Session:
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker, runtime=runtime,
                   service=service, endpoint_url=service.url, data_dir=service.context.config.data_dir)


@pytest.fixture
def session(service, sagemaker_client, runtime_client) -> Session:
    return _session(service, sagemaker_client, runtime_client)


@pytest.fixture
def workers(service) -> Any:
    """Three reviewers of the ``reviewers`` group, by name."""
    with AdminClient(service.url, service.admin_token) as admin:
        made = {name: WorkerClient(service.url, admin.add_worker(name, ["reviewers"])["token"])
                for name in ("alice", "bob", "carol", "dave")}
    yield made
    for client in made.values():
        client.close()


def start(runtime, flow: dict[str, Any], item: str) -> str:
    name = f"loop-{item}"
    body = {"item_id": item, "text": f"review of {item}", "nested": {"n": 1, "tags": ["x", "é"]}}
    runtime.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                             HumanLoopInput={"InputContent": json.dumps(body)})
    return name


def answer(worker: WorkerClient, loop: str, label: str) -> dict[str, Any]:
    worker.claim(loop)
    return worker.submit(loop, {"sentiment": {"label": label}})


@pytest.fixture
def answered(runtime_client, make_flow, workers) -> dict[str, Any]:
    """TaskCount 2: loop-a disagrees (positive / negative), loop-b agrees (positive twice)."""
    flow = make_flow("esc", task_count=2)
    a, b = start(runtime_client, flow, "a"), start(runtime_client, flow, "b")
    answer(workers["alice"], a, "positive")
    answer(workers["bob"], a, "negative")
    answer(workers["alice"], b, "positive")
    answer(workers["bob"], b, "positive")
    return {"flow": flow, "a": a, "b": b}


def followup_loops(runtime, sagemaker, flow_name: str) -> list[str]:
    arn = sagemaker.describe_flow_definition(FlowDefinitionName=followup_flow_name(flow_name))["FlowDefinitionArn"]
    pages = runtime.get_paginator("list_human_loops").paginate(FlowDefinitionArn=arn)
    return [s["HumanLoopName"] for page in pages for s in page["HumanLoopSummaries"]]


def test_a_disagreement_gets_exactly_one_followup_and_agreement_none(
        session, service, answered, runtime_client, sagemaker_client, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    first = escalate(session, "esc", field="sentiment", ledger=ledger)
    assert first["human_loop_name"].tolist() == ["loop-a"]  # loop-b agreed: nothing for it
    row = first.iloc[0]
    assert row["status"] == "started"
    assert row["error"] is None
    assert row["followup_loop_name"] == followup_loop_name("loop-a")
    assert (row["answers"], row["agreement"], sorted(row["labels"])) == (2, 0.5, ["negative", "positive"])
    assert row["human_loop_arn"].endswith(f":human-loop/{followup_loop_name('loop-a')}")

    fu_flow = sagemaker_client.describe_flow_definition(FlowDefinitionName="esc-followup")
    assert fu_flow["HumanLoopConfig"]["TaskCount"] == 1
    assert fu_flow["HumanLoopConfig"]["HumanTaskUiArn"] == answered["flow"]["task_ui_arn"]
    assert row["followup_flow_definition_arn"] == fu_flow["FlowDefinitionArn"]
    assert followup_loops(runtime_client, sagemaker_client, "esc") == [followup_loop_name("loop-a")]
    original = service.context.store.loops.get("loop-a")["doc"]["InputContent"]
    followup = service.context.store.loops.get(followup_loop_name("loop-a"))["doc"]["InputContent"]
    assert json.loads(followup) == json.loads(original)

    again = escalate(session, "esc", field="sentiment", ledger=ledger)
    assert again[["human_loop_name", "status"]].values.tolist() == [["loop-a", "already_escalated"]]
    assert again["human_loop_arn"].tolist() == first["human_loop_arn"].tolist()
    assert followup_loops(runtime_client, sagemaker_client, "esc") == [followup_loop_name("loop-a")]

    links = Ledger(ledger).escalation_frame()
    assert links[["original_loop", "followup_loop", "status"]].values.tolist() == [
        ["loop-a", followup_loop_name("loop-a"), "started"]]
    assert links["flow_definition_arn"].tolist() == [answered["flow"]["flow_definition_arn"]]


@pytest.mark.usefixtures("answered")
def test_a_lost_ledger_still_finds_the_followup_by_its_name(session, runtime_client,
                                                            sagemaker_client, tmp_path):
    escalate(session, "esc", field="sentiment", ledger=tmp_path / "first.sqlite3")
    fresh = escalate(session, "esc", field="sentiment", ledger=tmp_path / "fresh.sqlite3")
    assert fresh["status"].tolist() == ["already_escalated"]
    assert followup_loops(runtime_client, sagemaker_client, "esc") == [followup_loop_name("loop-a")]
    assert Ledger(tmp_path / "fresh.sqlite3").escalations()["loop-a"]["status"] == "started"


@pytest.mark.usefixtures("answered")
def test_interrupted_between_start_and_ledger_write(session, runtime_client, sagemaker_client,
                                                   tmp_path, monkeypatch):
    ledger = tmp_path / "ledger.sqlite3"

    def crash(*_: Any) -> None:
        raise KeyboardInterrupt("the kernel was interrupted after StartHumanLoop")

    monkeypatch.setattr(Ledger, "record_escalations", crash)
    with pytest.raises(KeyboardInterrupt):
        escalate(session, "esc", field="sentiment", ledger=ledger)
    monkeypatch.undo()
    assert Ledger(ledger).escalations()["loop-a"]["status"] == "intent"
    assert followup_loops(runtime_client, sagemaker_client, "esc") == [followup_loop_name("loop-a")]

    resumed = escalate(session, "esc", field="sentiment", ledger=ledger)
    assert resumed["status"].tolist() == ["already_escalated"]
    assert followup_loops(runtime_client, sagemaker_client, "esc") == [followup_loop_name("loop-a")]
    row = Ledger(ledger).escalations()["loop-a"]
    assert row["status"] == "started"
    assert row["arn"] == resumed["human_loop_arn"][0]


CRASHING = textwrap.dedent("""
    import os, sys, boto3
    from a2i_kit.launch import Ledger, escalate
    from a2i_kit.results import Results
    from a2i_kit.session import Session
    url, data_dir, ledger = sys.argv[1:4]
    def crash(self, outcomes):
        os._exit(17)  # the process dies between StartHumanLoop and the ledger's record
    Ledger.record_escalations = crash
    clients = {n: boto3.client(n, endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
                               aws_secret_access_key="t") for n in ("sagemaker", "sagemaker-a2i-runtime")}
    session = Session(backend="local", region="us-east-1", sagemaker=clients["sagemaker"],
                      runtime=clients["sagemaker-a2i-runtime"], endpoint_url=url, data_dir=data_dir)
    results = Results.from_mirror(os.path.join(data_dir, "s3"), "s3://a2i-kit-tests/output/esc/",
                                  label_field="sentiment").sync()
    escalate(session, "esc", field="sentiment", ledger=ledger, results=results)
""")


@pytest.mark.usefixtures("answered")
def test_a_process_killed_after_start_leaves_one_followup(session, service, runtime_client,
                                                          sagemaker_client, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-c", CRASHING, service.url,
                           str(service.context.config.data_dir), str(ledger)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 17, done.stderr
    assert Ledger(ledger).escalations()["loop-a"]["status"] == "intent"
    resumed = escalate(session, "esc", field="sentiment", ledger=ledger)
    assert resumed["status"].tolist() == ["already_escalated"]
    assert followup_loops(runtime_client, sagemaker_client, "esc") == [followup_loop_name("loop-a")]


@pytest.mark.usefixtures("answered")
def test_dry_run_creates_nothing(session, sagemaker_client, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    planned = escalate(session, "esc", field="sentiment", ledger=ledger, dry_run=True)
    assert planned[["human_loop_name", "status"]].values.tolist() == [["loop-a", "would_start"]]
    assert planned["followup_flow_definition_arn"][0].endswith(":flow-definition/esc-followup")
    names = [f["FlowDefinitionName"] for f in sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"]]
    assert names == ["esc"]
    assert Ledger(ledger).escalation_frame().empty


def answers_after_followup(session, workers, tmp_path, label: str) -> EscalatedResults:
    ledger = tmp_path / "ledger.sqlite3"
    escalate(session, "esc", field="sentiment", ledger=ledger)
    answer(workers["carol"], followup_loop_name("loop-a"), label)
    return EscalatedResults.from_session(session, "esc", ledger=ledger, item_key="item_id",
                                         label_field="sentiment").sync()


@pytest.mark.usefixtures("answered")
def test_consolidation_uses_the_followups_answer(session, workers, tmp_path):
    res = answers_after_followup(session, workers, tmp_path, "negative")
    assert res.problems.empty, res.problems
    fu = followup_loop_name("loop-a")
    answers = res.answers.sort_values(["task", "human_loop_name", "label"])
    assert answers[["task", "human_loop_name", "label", "escalated_to", "escalated_from"]].values.tolist() == [
        ["a", fu, "negative", None, "loop-a"], ["a", "loop-a", "negative", fu, None],
        ["a", "loop-a", "positive", fu, None], ["b", "loop-b", "positive", None, None],
        ["b", "loop-b", "positive", None, None]]

    loops = res.loops.set_index("human_loop_name")
    assert sorted(loops.index) == ["loop-a", "loop-b"]  # the follow-up is not an item of its own
    assert loops.loc["loop-a", ["escalated_to", "followup_status"]].tolist() == [fu, "Completed"]
    assert loops.loc["loop-b", ["escalated_to", "followup_status"]].tolist() == [None, None]

    out = res.consolidated()
    assert out.loc["a"].tolist() == ["negative", 2, 3, fu, "negative"]
    assert out.loc["b"].tolist() == ["positive", 2, 2, None, None]
    from a2i_kit.analytics import majority_vote
    assert majority_vote(res.original.answers)["a"] == "positive"  # without the follow-up: seen first


@pytest.mark.usefixtures("answered")
def test_a_tie_is_broken_as_the_followup_says(session, workers, tmp_path):
    res = answers_after_followup(session, workers, tmp_path, "neutral")
    out = res.consolidated()
    assert out.loc["a", ["label", "votes", "answers", "followup_label"]].tolist() == ["neutral", 1, 3, "neutral"]


def test_min_agreement_escalates_only_weak_majorities(session, runtime_client, make_flow, workers, tmp_path):
    make_flow("three", task_count=3)
    flow = {"flow_definition_arn": session.sagemaker.describe_flow_definition(
        FlowDefinitionName="three")["FlowDefinitionArn"]}
    loop = start(runtime_client, flow, "c")
    for name, label in (("alice", "positive"), ("bob", "positive"), ("dave", "negative")):
        answer(workers[name], loop, label)
    ledger = tmp_path / "ledger.sqlite3"
    assert escalate(session, "three", field="sentiment", min_agreement=0.6, ledger=ledger).empty
    found = escalate(session, "three", field="sentiment", ledger=ledger)
    assert found[["human_loop_name", "answers", "status"]].values.tolist() == [["loop-c", 3, "started"]]
    assert found["agreement"].round(3).tolist() == [0.667]


@pytest.mark.usefixtures("answered")
def test_errors_name_the_fix(session, make_flow, sagemaker_client, tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    with pytest.raises(InputError, match=r"field='mood' is in no answer of this flow definition; the "
                                         r"answers hold \['sentiment'\]: pass one of them"):
        escalate(session, "esc", field="mood", ledger=ledger)
    with pytest.raises(InputError, match=r"min_agreement=0: pass a share in \(0, 1\]"):
        escalate(session, "esc", min_agreement=0, ledger=ledger)
    with pytest.raises(LaunchError, match="original flow definition 'nope' does not exist: check the name"):
        escalate(session, "nope", ledger=ledger)
    make_flow("pair", task_count=2)
    with pytest.raises(InputError, match="follow-up flow definition 'pair' asks TaskCount=2 reviewers; a "
                                         "follow-up asks one more: pass a flow definition with TaskCount 1"):
        escalate(session, "esc", field="sentiment", followup_flow_definition="pair", ledger=ledger)
    other = make_flow("other")
    sagemaker_client.create_flow_definition(
        FlowDefinitionName="esc-followup", RoleArn="arn:aws:iam::111122223333:role/a2i-kit-test",
        HumanLoopConfig={"WorkteamArn": other["workteam_arn"], "HumanTaskUiArn": other["task_ui_arn"],
                         "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1},
        OutputConfig={"S3OutputPath": "s3://a2i-kit-tests/output"})
    with pytest.raises(LaunchError, match="flow definition 'esc-followup' exists with a different WorkteamArn, "
                                          "HumanTaskUiArn than a follow-up of the original needs; delete it"):
        escalate(session, "esc", field="sentiment", ledger=ledger)
    assert Ledger(ledger).escalation_frame().empty


@pytest.mark.usefixtures("answered")
def test_a_given_followup_flow_is_used(session, make_flow, runtime_client, tmp_path):
    single = make_flow("single")
    found = escalate(session, "esc", field="sentiment", followup_flow_definition="single",
                     ledger=tmp_path / "ledger.sqlite3")
    assert found["followup_flow_definition_arn"].tolist() == [single["flow_definition_arn"]]
    pages = runtime_client.list_human_loops(FlowDefinitionArn=single["flow_definition_arn"])
    assert [s["HumanLoopName"] for s in pages["HumanLoopSummaries"]] == [followup_loop_name("loop-a")]
    assert isinstance(found, pd.DataFrame)
