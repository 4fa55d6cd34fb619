"""Issue 11 item 4: bad input gets an InputError that names the column and the fix, not a number."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion

from a2i_kit import analytics, charts
from a2i_kit.errors import InputError

matplotlib.use("Agg")

CONF = [0.9, 0.8, 0.7, 0.3]


def _answers(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame({
        "task": ["t1", "t2", "t1"], "worker": ["a", "a", "b"], "human_loop_name": ["l1", "l2", "l1"],
        "time_spent_seconds": [30.0, 50.0, 20.0],
        "acceptance_time": pd.to_datetime(["2026-01-01T10:00Z", "2026-01-02T10:00Z",
                                           "2026-01-01T11:00Z"]),
        "submission_time": pd.to_datetime(["2026-01-01T10:01Z", "2026-01-02T10:02Z",
                                           "2026-01-01T11:01Z"]),
    })  # fmt: skip
    for column, values in overrides.items():
        frame[column] = pd.Series(values, dtype=object)
    return frame


MISSING_CORRECT = (
    r"is missing \(.*\): correct must be True/False for every item; drop the unreviewed"
)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # NaN in a "correct" column was counted as correct
        (lambda: analytics.reliability(CONF, [True, np.nan, False, True]),
         r"correct\[1\] " + MISSING_CORRECT),
        (lambda: analytics.reliability(CONF, pd.Series([True, None, False, True])),
         r"correct\[1\] " + MISSING_CORRECT),
        (lambda: analytics.reliability(CONF, pd.array([True, False, pd.NA, True], dtype="boolean")),
         r"correct\[2\] " + MISSING_CORRECT),
        (lambda: analytics.coverage_risk(CONF, [1.0, 0.0, np.nan, 1.0]),
         r"correct\[2\] " + MISSING_CORRECT),
        (lambda: analytics.recommend_threshold(CONF, [True, True, np.nan, False], 0.1),
         r"audit_correct\[2\] is missing \(nan\): audit_correct must be True/False"),
        (lambda: analytics.reliability(CONF, ["True", "False", "False", "True"]),
         r"correct\[0\] is 'True' \(str\): pass booleans, e.g. \(model_label == human_label\)"),
        (lambda: analytics.coverage_risk(CONF, [1, 0, 2, 1]),
         r"correct\[2\] is 2 \(int\): pass booleans"),
        # confidences in percent gave a calibration error of 87
        (lambda: analytics.reliability([95.0, 80.0, 0.6], [True, False, True]),
         r"confidence\[0\] is 95.0, outside \[0, 1\]: they look like percentages: pass confidence / 100"),
        (lambda: analytics.reliability([0.5, -3.0], [True, False]),
         r"confidence\[1\] is -3.0, outside \[0, 1\]: pass probabilities \(e.g. a softmax output\)"),
        (lambda: analytics.override_by_confidence(model=["a", "b"], human=["a", "a"],
                                                  confidence=[95.0, 40.0]),
         r"confidence\[0\] is 95.0, outside \[0, 1\]: they look like percentages"),
        # an empty reliability table was "perfectly calibrated"
        (lambda: analytics.expected_calibration_error(analytics.reliability([], [])),
         r"the reliability table is empty \(column 'n' sums to 0\): ECE is undefined without items"),
        (lambda: analytics.expected_calibration_error(pd.DataFrame({"x": [1]})),
         r"needs the table from reliability\(confidence, correct\), with columns 'n' and 'gap'"),
        # durations and times stored as text raised a bare pandas TypeError
        (lambda: analytics.reviewer_stats(_answers(time_spent_seconds=["30.5", "50", "20"])),
         r"answers\['time_spent_seconds'\] holds str values \(e.g. '30.5'\), not numbers of seconds: "
         r"convert it first, e.g. answers\['time_spent_seconds'\] = pd.to_numeric"),
        (lambda: charts.reviewer_time(_answers(time_spent_seconds=["30.5", None, "20"])),
         r"answers\['time_spent_seconds'\] holds str values \(e.g. '30.5'\)"),
        (lambda: analytics.reviewer_stats(_answers(submission_time=["2026-01-01T10:01Z"] * 3)),
         r"answers\['submission_time'\] holds str values \(e.g. '2026-01-01T10:01Z'\), not "
         r"timestamps: convert it first, e.g. answers\['submission_time'\] = pd.to_datetime"),
        (lambda: analytics.throughput(_answers(submission_time=["2026-01-01"] * 3)),
         r"answers\['submission_time'\] holds str values"),
        (lambda: analytics.wait_times(_answers(), pd.DataFrame({
            "human_loop_name": ["l1", "l2"], "creation_time": ["2026-01-01", "2026-01-02"]})),
         r"loops\['creation_time'\] holds str values \(e.g. '2026-01-01'\)"),
        (lambda: analytics.backlog(pd.DataFrame({
            "human_loop_name": ["l1"], "status": ["InProgress"], "creation_time": ["2026-01-01"]})),
         r"loops\['creation_time'\] holds str values"),
    ],
)  # fmt: skip
def test_bad_input_names_the_column_and_the_fix(call, message):
    with pytest.raises(InputError, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: analytics.agreement_summary(model=[1, 2, 3], human=["1", "2", "3"]),
         r"model labels are numbers \(e.g. 1\) but human labels are text \(e.g. '1'\), so no pair "
         r"could ever agree: convert one side \(e.g. human.astype\(int\) or model.astype\(str\)\), "
         r"or pass labels_as_str=True"),
        (lambda: analytics.confusion_matrix(model=["1", "2"], human=[1.0, 2.0]),
         r"human labels are numbers \(e.g. 1.0\) but model labels are text \(e.g. '1'\)"),
        (lambda: analytics.confusion_matrix(model=[1, "1", 2], human=[1, 1, 2]),
         r"model mixes numbers \(e.g. 1\) and text \(e.g. '1'\), which would count as different "
         r"classes: convert the column to one type, or pass labels_as_str=True"),
        (lambda: analytics.agreement_by_class(model=pd.Series([1, 2]), human=pd.Series(["1", "2"])),
         r"model labels are numbers \(e.g. 1\) but human labels are text \(e.g. '1'\)"),
        (lambda: analytics.override_by_confidence(model=[1, 2], human=["1", "2"], confidence=[0.5, 0.6]),
         r"model labels are numbers \(e.g. 1\) but human labels are text"),
        (lambda: analytics.cohen_kappa([1, 2], ["1", "2"]),
         r"a labels are numbers \(e.g. 1\) but b labels are text"),
        (lambda: analytics.krippendorff_alpha(pd.DataFrame({
            "task": ["t1", "t1", "t2", "t2"], "worker": ["a", "b", "a", "b"], "label": [1, "1", 2, 2]})),
         r"answers\['label'\] mixes numbers \(e.g. 1\) and text \(e.g. '1'\)"),
    ],
)  # fmt: skip
def test_mixed_int_and_str_labels_are_refused(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_labels_as_str_is_the_documented_opt_in():
    # the reproducer: 1 vs "1" was agreement 0 and a 6×6 confusion matrix
    model, human = [1, 2, 3, 1, 2, 3], ["1", "2", "3", "1", "2", "1"]
    summary = analytics.agreement_summary(model=model, human=human, labels_as_str=True)
    assert summary["agreement"] == pytest.approx(5 / 6)
    matrix = analytics.confusion_matrix(model=model, human=human, labels_as_str=True)
    assert matrix.shape == (3, 3)
    assert matrix.index.tolist() == ["1", "2", "3"]
    theirs = sk_confusion([str(v) for v in human], [str(v) for v in model], labels=["1", "2", "3"])
    np.testing.assert_array_equal(matrix.to_numpy(), theirs)
    # whole floats (a model column that went through NaN) compare as integers
    floats = analytics.agreement_summary(
        model=[1.0, 2.0, np.nan], human=["1", "2", "3"], labels_as_str=True
    )
    assert (floats["n"], floats["agreement"]) == (2.0, 1.0)
    table = analytics.override_by_confidence(model=[1.0, 2.0], human=["1", "3"], confidence=[0.2, 0.7],
                                             bins=2, labels_as_str=True)  # fmt: skip
    assert table["override_rate"].tolist() == [0.0, 1.0]
    assert analytics.cohen_kappa([1, 2, 1], ["1", "2", "1"], labels_as_str=True) == 1.0
    with_labels = analytics.confusion_matrix(model=[1, 2], human=["1", "2"], labels=[2, 1],
                                             labels_as_str=True)  # fmt: skip
    assert with_labels.index.tolist() == ["2", "1"]


@pytest.mark.parametrize(
    "correct",
    [
        [True, False, True, True],
        [1, 0, 1, 1],
        [1.0, 0.0, 1.0, 1.0],
        np.array([True, False, True, True], dtype=object),
        pd.array([True, False, True, True], dtype="boolean"),
    ],
)
def test_valid_correct_columns_still_work(correct):
    table = analytics.reliability(CONF, correct, bins=2)
    assert table["n"].tolist() == [1, 3]
    assert table["accuracy"].tolist() == [1.0, pytest.approx(2 / 3)]


def test_numeric_durations_in_an_object_column_still_work():
    answers = _answers(time_spent_seconds=[30, 50.0, None])
    stats = analytics.reviewer_stats(answers)
    assert stats.loc["a", "median_seconds"] == 40.0
    assert np.isnan(stats.loc["b", "median_seconds"])
