"""End to end: loops answered on the embedded service by simulated reviewers, read back as frames."""

from __future__ import annotations

import json

import pandas as pd

from a2i_kit.results import Results, join_predictions
from a2i_kit.review import simulate_reviewers
from a2i_kit.session import Session

TRUTH = {"i-1": "positive", "i-2": "negative", "i-3": "neutral", "i-4": "positive"}


def _session(service, sagemaker_client, runtime_client) -> Session:
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url, data_dir=service.context.config.data_dir)  # fmt: skip


def _start(runtime_client, flow, item):
    body = {"item_id": item, "text": f"review {item}", "label": TRUTH.get(item, "neutral")}
    runtime_client.start_human_loop(HumanLoopName=f"loop-{item}", FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": json.dumps(body)})  # fmt: skip


def test_from_session_reads_outputs_and_open_loops(
    service, sagemaker_client, runtime_client, make_flow
):
    flow = make_flow("res-e2e", task_count=2)
    for item in TRUTH:
        _start(runtime_client, flow, item)
    simulate_reviewers(service.url, service.admin_token, workers=3, ground_truth_key="label",
                       accuracy=1.0, seed=7)  # fmt: skip
    _start(runtime_client, flow, "i-open")  # nobody answers this one
    session = _session(service, sagemaker_client, runtime_client)
    res = Results.from_session(
        session, "res-e2e", item_key="item_id", template=flow["template"]
    ).sync()

    assert res.problems.empty, res.problems
    loops = res.loops.set_index("human_loop_name")
    assert loops.loc["loop-i-open", "status"] == "InProgress"
    done = loops[loops["status"] == "Completed"]
    assert sorted(done.index) == [f"loop-{i}" for i in sorted(TRUTH)]
    described = runtime_client.describe_human_loop(HumanLoopName="loop-i-1")
    assert done.loc["loop-i-1", "output_uri"] == described["HumanLoopOutput"]["OutputS3Uri"]
    assert (done["task_count"] == 2).all()
    assert done.loc["loop-i-1", "creation_time"] == pd.Timestamp(described["CreationTime"]).floor(
        "s"
    )

    answers = res.answers
    assert len(answers) == 8
    assert res.label_field == "sentiment"
    assert dict(zip(answers["task"], answers["label"], strict=True)) == TRUTH
    assert answers.groupby("task")["worker"].nunique().eq(2).all()
    assert answers["time_spent_seconds"].gt(0).all()

    preds = pd.DataFrame({"item_id": list(TRUTH), "model_label": ["positive"] * 4})
    joined = join_predictions(answers, preds, on="item_id")
    assert joined["model_label"].eq("positive").all()
    assert len(joined) == 8


def test_sync_picks_up_loops_completed_later(service, sagemaker_client, runtime_client, make_flow):
    flow = make_flow("res-inc")
    _start(runtime_client, flow, "i-1")
    simulate_reviewers(service.url, service.admin_token, workers=1, seed=1)
    res = Results.from_session(
        _session(service, sagemaker_client, runtime_client), "res-inc"
    ).sync()
    assert len(res.answers) == 1
    _start(runtime_client, flow, "i-2")
    res.sync()
    assert res.last_sync_count == 0
    assert res.loops.set_index("human_loop_name").loc["loop-i-2", "status"] == "InProgress"
    simulate_reviewers(service.url, service.admin_token, workers=1, seed=2)
    res.sync()
    assert res.last_sync_count == 1
    assert sorted(res.answers["human_loop_name"]) == ["loop-i-1", "loop-i-2"]
    assert (res.loops["status"] == "Completed").all()
