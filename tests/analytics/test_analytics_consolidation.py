"""Consolidation and inter-annotator agreement checked against crowd-kit and krippendorff."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import DawidSkene, MajorityVote

from a2i_kit import analytics
from a2i_kit.errors import InputError
from a2i_kit.results import Results
from a2i_kit.results.synthetic import generate


def _answers(
    seed: int, n_tasks: int = 200, n_workers: int = 8, per_task: int = 3, k: int = 3
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_tasks)
    rows = []
    for t in range(n_tasks):
        for w in rng.choice(n_workers, per_task, replace=False):
            label = truth[t] if rng.random() < 0.5 + 0.05 * w else rng.integers(0, k)
            rows.append((f"t{t:03d}", f"w{w}", f"c{label}"))
    return pd.DataFrame(rows, columns=["task", "worker", "label"])


@pytest.mark.parametrize("per_task", [2, 3, 4])  # 2 and 4 produce ties
def test_majority_vote_equals_crowdkit(per_task):
    answers = _answers(seed=per_task, per_task=per_task)
    ours = analytics.majority_vote(answers)
    theirs = MajorityVote().fit_predict(answers)
    pd.testing.assert_series_equal(
        ours.sort_index(), theirs.sort_index(), check_dtype=False, check_index_type=False
    )


def test_dawid_skene_through_crowdkit_unchanged():
    answers = _answers(seed=9)
    ours = analytics.consolidate(answers, "dawid_skene", n_iter=50)
    theirs = DawidSkene(n_iter=50).fit_predict(answers)
    pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_dtype=False)


def test_results_answers_pass_to_crowdkit_unchanged(tmp_path):
    review = generate(600, task_count=3, threshold=0.8, seed=4, pending_share=0.0)
    review.write_mirror(tmp_path)
    answers = Results.from_mirror(tmp_path, item_key="item_id").sync().answers
    theirs = MajorityVote().fit_predict(answers)  # the whole frame, extra columns and all
    ours = analytics.consolidate(answers)
    pd.testing.assert_series_equal(
        ours.sort_index(), theirs.sort_index(), check_dtype=False, check_index_type=False
    )
    assert ours.index.str.startswith("item-").all()


def test_unknown_method_is_an_input_error():
    with pytest.raises(InputError, match="method='vote': use one of majority_vote, dawid_skene"):
        analytics.consolidate(_answers(1), "vote")


def _reliability_matrix(answers: pd.DataFrame, numeric: bool) -> np.ndarray:
    table = answers.pivot(index="worker", columns="task", values="label")
    if numeric:
        return table.to_numpy(dtype=float)
    codes = {v: i for i, v in enumerate(sorted(answers["label"].unique()))}
    return table.apply(lambda col: col.map(codes)).to_numpy(dtype=float)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_with_missing_data_equals_package(level):
    answers = _answers(
        seed=3, n_workers=10, per_task=3, k=5
    )  # 70% of the worker × task grid missing
    single = pd.DataFrame({"task": ["lonely"], "worker": ["w0"], "label": ["c1"]})  # unpairable
    answers = pd.concat([answers, single], ignore_index=True)
    if level != "nominal":
        answers["label"] = answers["label"].str[1:].astype(int) + 1
    ours = analytics.krippendorff_alpha(answers, level=level)
    theirs = krippendorff.alpha(reliability_data=_reliability_matrix(answers, level != "nominal"),
                                level_of_measurement=level)  # fmt: skip
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_fleiss_kappa_on_the_textbook_example():
    # Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories, κ ≈ 0.210.
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]  # fmt: skip
    rows = [(f"s{i}", f"r{i}-{j}-{r}", f"c{j}") for i, row in enumerate(counts) for j, c in enumerate(row)
            for r in range(c)]  # fmt: skip
    answers = pd.DataFrame(rows, columns=["task", "worker", "label"])
    assert analytics.fleiss_kappa(answers) == pytest.approx(0.2099, abs=1e-4)


def test_reviewer_agreement_with_and_without_consensus():
    answers = pd.DataFrame({"task": ["t1"] * 3 + ["t2"] * 3 + ["t3"],
                            "worker": ["a", "b", "c", "a", "b", "c", "a"],
                            "label": ["x", "x", "y", "y", "y", "y", "z"]})  # fmt: skip
    loo = analytics.reviewer_agreement(answers)
    assert loo.loc["a"].tolist() == [2, 1.0]  # t3 has no other answer: not counted
    assert loo.loc["c", "agreement"] == 0.5
    given = analytics.reviewer_agreement(
        answers, consensus=pd.Series({"t1": "y", "t2": "y", "t3": "z"})
    )
    assert given.loc["a"].tolist() == [3, 2 / 3]
    assert given.loc["c"].tolist() == [2, 1.0]


def test_box_agreement():
    box = {"label": "car", "left": 0, "top": 0, "width": 10, "height": 10}
    shifted = {**box, "left": 1}
    far = {**box, "left": 100}
    col = "answer.boxes.boundingBoxes"
    answers = pd.DataFrame({"task": ["t1", "t1", "t2", "t2"], "worker": ["a", "b", "a", "b"],
                            col: [[box], [shifted], [box, far], [{**box, "label": "bus"}]]})  # fmt: skip
    table = analytics.box_agreement(answers, col)
    assert table.loc["t1", "f1"] == 1.0
    assert table.loc["t1", "mean_iou"] == pytest.approx(90 / 110)
    assert table.loc["t2", "f1"] == 0.0  # different labels never match
    relaxed = analytics.box_agreement(answers, col, match_labels=False)
    assert relaxed.loc["t2", "f1"] == pytest.approx(2 / 3)
    with pytest.raises(
        InputError, match=r"no column 'x'; box columns present: \['answer.boxes.boundingBoxes'\]"
    ):
        analytics.box_agreement(answers, "x")


def test_answers_without_crowdkit_columns_are_an_input_error():
    with pytest.raises(InputError, match=r"answers lack column\(s\) \['worker'\]"):
        analytics.majority_vote(pd.DataFrame({"task": [1], "label": [1]}))
