"""Close the loop on the embedded service: the chart shows the computed numbers, runs repeat
exactly with a seed, and bad inputs fail with messages a user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

import a2i_kit
from a2i_kit import InputError
from a2i_kit.analytics import majority_vote
from a2i_kit.experiments import (
    COLUMNS,
    DIGIT_TEMPLATE,
    LoopConfig,
    OfflineReviews,
    Reviews,
    plot_accuracy,
    plot_review_share,
    plot_rounds,
    repeat_offline,
    run_rounds,
    split_arrays,
    split_digits,
)
from a2i_kit.monitor import status_summary
from a2i_kit.results import Results

matplotlib.use("Agg")
CONFIG = LoopConfig(rounds=3, budget=5, seed=3)


def make_flow(session: Any, task_count: int = 3) -> str:
    sm = session.sagemaker
    team = sm.create_workteam(
        WorkteamName="digit-team", Description="close the loop test",
        MemberDefinitions=[{"CognitoMemberDefinition": {
            "UserPool": "us-east-1_Example1", "UserGroup": "reviewers", "ClientId": "client1"}}],
    )["WorkteamArn"]
    ui = sm.create_human_task_ui(HumanTaskUiName="digit-ui",
                                 UiTemplate={"Content": DIGIT_TEMPLATE})["HumanTaskUiArn"]
    return sm.create_flow_definition(
        FlowDefinitionName="digit-review", RoleArn="arn:aws:iam::111122223333:role/a2i-kit",
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskCount": task_count,
                         "TaskTitle": "Which digit?", "TaskDescription": "Pick the digit"},
        OutputConfig={"S3OutputPath": "s3://a2i-kit-test/close-loop"})["FlowDefinitionArn"]


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[Any]:
    """Fresh embedded services, each on its own data directory; stopped afterwards."""
    started: list[Any] = []

    def new(name: str) -> Any:
        session = a2i_kit.connect(data_dir=tmp_path / name)
        started.append(session)
        return session

    yield new
    for session in started:
        session.service.stop()


@pytest.fixture
def split() -> Any:
    return split_digits(initial=20, test_size=200, seed=3)


def live_run(session: Any, split: Any) -> tuple[pd.DataFrame, Reviews, str]:
    flow = make_flow(session)
    reviews = Reviews(session, flow_definition_arn=flow, accuracy=0.7, seed=3)
    return run_rounds(split, reviews, CONFIG), reviews, flow


def test_live_rounds_review_through_the_service_and_the_chart_shows_those_numbers(sessions, split):
    session = sessions("live")
    frame, reviews, flow = live_run(session, split)

    assert list(frame.columns) == COLUMNS
    assert frame[["round", "strategy"]].values.tolist() == [
        [r, s] for r in range(4) for s in ("least_confident", "random")]
    later = frame[frame["round"] > 0]
    assert (later["reviewed"] == 5).all()
    for _, rows in frame.groupby("strategy"):
        added = (rows["reviewed"] - rows["no_consensus"]).cumsum()
        assert rows["labelled"].tolist() == (20 + added).tolist()
    np.testing.assert_allclose(later["review_share"], later["reviewed"] / later["pool"])
    np.testing.assert_allclose(frame["cumulative_share"], frame["reviewed_total"] / len(split.pool))
    assert frame.loc[frame["round"] == 0, "test_accuracy"].nunique() == 1  # same first model

    # Every item picked was reviewed once, on the service, by three reviewers.
    statuses = status_summary(session.runtime, flow)
    assert statuses["Completed"] == len(reviews.labels) > 0
    answers = Results.from_session(session, "digit-review", item_key="item_id",
                                   label_field="digit").sync().answers
    assert answers.groupby("task").size().eq(3).all()
    assert set(answers["task"].astype(str)) == set(reviews.labels)
    # Consensus = the majority of each item's three answers; three different answers: none.
    answers = answers.assign(task=answers["task"].astype(str))
    distinct = answers.groupby("task")["label"].nunique()
    agreed = {task: label for task, label in reviews.labels.items() if label is not None}
    assert set(agreed) == set(distinct[distinct < 3].index)
    assert majority_vote(answers[answers["task"].isin(agreed)]).to_dict() == agreed
    assert frame["no_consensus"].sum() >= len(distinct[distinct == 3])

    # The chart plots exactly the frame's numbers.
    acc_ax, share_ax = plot_rounds(frame, n_test=len(split.test))
    table = frame.pivot(index="round", columns="strategy", values="test_accuracy")
    assert [line.get_label() for line in acc_ax.lines] == [
        "least confident first (routed by confidence)", "random items (same number, same reviewers)"]
    for line, strategy in zip(acc_ax.lines, ["least_confident", "random"], strict=True):
        assert line.get_xdata().tolist() == [0, 1, 2, 3]
        assert line.get_ydata().tolist() == table[strategy].tolist()
    assert "200 test items" in acc_ax.get_title()
    one = frame[(frame["strategy"] == "least_confident") & (frame["round"] > 0)]
    assert [bar.get_height() for bar in share_ax.patches] == one["review_share"].tolist()
    assert share_ax.lines[0].get_ydata().tolist() == one["cumulative_share"].tolist()
    assert acc_ax.get_xlabel()
    assert acc_ax.get_ylabel()
    assert share_ax.get_ylabel()


def test_live_runs_with_the_same_seed_repeat_exactly(sessions, split):
    first, _, _ = live_run(sessions("one"), split)
    second, _, _ = live_run(sessions("two"), split)
    pd.testing.assert_frame_equal(first, second)


def test_an_item_picked_again_is_not_reviewed_twice(sessions, split):
    session = sessions("again")
    reviews = Reviews(session, flow_definition_arn=make_flow(session), accuracy=0.9, seed=1)
    items = split.pool[["item_id", "true_label"]].head(4)
    once = reviews.label(items)
    twice = reviews.label(items)
    assert once["new"].all()
    assert not twice["new"].any()
    assert once["label"].tolist() == twice["label"].tolist()
    assert (once["answers"] == 3).all()
    listed = session.runtime.list_human_loops(FlowDefinitionArn=reviews.flow)["HumanLoopSummaries"]
    assert len(listed) == 4


def test_offline_runs_are_deterministic_with_a_seed_and_differ_without():
    def run(seed: int) -> pd.DataFrame:
        split = split_digits(initial=20, test_size=200, seed=seed)
        return run_rounds(split, OfflineReviews(classes=split.classes, accuracy=0.7, seed=seed),
                          LoopConfig(rounds=3, budget=10, seed=seed))

    pd.testing.assert_frame_equal(run(5), run(5))
    assert not run(5)["test_accuracy"].equals(run(6)["test_accuracy"])
    many = repeat_offline([1, 2], initial=20, test_size=200, rounds=3, budget=10)
    assert many.groupby("seed").size().to_dict() == {1: 8, 2: 8}


def test_consolidation_beats_single_answers_offline():
    split = split_digits(initial=20, test_size=200, seed=0)
    items = split.pool[["item_id", "true_label"]].head(300)
    labels = OfflineReviews(classes=split.classes, accuracy=0.7, seed=0).label(items)
    single = labels["answers_right"].sum() / labels["answers"].sum()
    agreed = labels["label"].notna().to_numpy()
    consolidated = (labels["label"][agreed] == items["true_label"].to_numpy()[agreed]).mean()
    assert 0.6 < single < 0.8
    assert 0.7 < agreed.mean() < 0.9  # about 19% get three different answers: no consensus
    assert consolidated > single + 0.08


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rounds": 0}, "rounds=0: need at least one round of review"),
    ({"rounds": 2.5}, "rounds=2.5: need at least one round"),
    ({"budget": 0}, "budget=0 must be a whole number of items >= 1 per round"),
    ({"budget": -3}, "budget=-3 must be a whole number"),
    ({"budget": 1.5}, "budget=1.5 must be a whole number"),
    ({"budget": True}, "budget=True must be a whole number"),
])
def test_bad_rounds_or_budget_are_refused(kwargs, message):
    with pytest.raises(InputError) as caught:
        LoopConfig(**kwargs)
    assert message in str(caught.value)


def test_a_budget_larger_than_the_pool_is_refused(split):
    reviews = OfflineReviews(classes=split.classes)
    with pytest.raises(InputError) as caught:
        run_rounds(split, reviews, LoopConfig(rounds=3, budget=600))
    assert str(caught.value) == (f"budget=600 x rounds=3 is more than the pool holds "
                                 f"({len(split.pool)} items): lower one of them")


def test_bad_data_and_reviewer_settings_are_refused():
    x, y = np.zeros((30, 2)), np.array([0, 1, 2] * 10)
    with pytest.raises(InputError, match=r"initial=2 must be a whole number >= the number of classes \(3\)"):
        split_arrays(x, y, initial=2, test_size=5)
    with pytest.raises(InputError, match=r"test_size=27 must be >= 1 and leave a pool: 30 items"):
        split_arrays(x, y, initial=3, test_size=27)
    with pytest.raises(InputError, match=r"x must be 2-D with one row per label"):
        split_arrays(x, y[:5], initial=3, test_size=5)
    with pytest.raises(InputError, match=r"accuracy=0 must be in \(0, 1\]"):
        OfflineReviews(classes=["a", "b"], accuracy=0)
    with pytest.raises(InputError, match=r"task_count=0 must be a whole number >= 1"):
        OfflineReviews(classes=["a", "b"], task_count=0)
    with pytest.raises(InputError, match=r"seeds is empty"):
        repeat_offline([])


def test_reviews_need_the_embedded_service():
    aws = a2i_kit.connect("aws", region="us-east-1")
    with pytest.raises(InputError) as caught:
        Reviews(aws, flow_definition_arn="arn:aws:sagemaker:us-east-1:111122223333:flow-definition/x")
    assert "simulated reviewers need the embedded service" in str(caught.value)


def test_charts_refuse_a_frame_that_is_not_a_rounds_frame():
    with pytest.raises(InputError, match=r"lacks \['test_accuracy'\]: pass run_rounds\(\)'s result"):
        plot_accuracy(pd.DataFrame({"round": [0], "strategy": ["random"]}), n_test=10)
    only_start = pd.DataFrame({"round": [0], "strategy": ["random"], "review_share": [0.0],
                               "cumulative_share": [0.0], "reviewed": [0]})
    with pytest.raises(InputError, match=r"no review rounds \(round >= 1\) to chart"):
        plot_review_share(only_start)
