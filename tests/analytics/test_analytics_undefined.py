"""Issue 11 item 3: undefined is not perfect — κ, α and Fleiss' κ are NaN (with the reason) when a
single class fills both label sets, as scikit-learn and krippendorff say; defined cases still match."""

from __future__ import annotations

import warnings

import krippendorff
import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from a2i_kit import analytics, charts
from a2i_kit.demo.report import summary_numbers, write_summary

matplotlib.use("Agg")

SINGLE_CLASS = [
    (["a"] * 5, ["a"] * 5),
    ([1, 1, 1], [1, 1, 1]),
    (["cat"], ["cat"]),
]


def _sklearn_kappa(a, b) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns that κ is undefined, then says NaN
        return float(cohen_kappa_score(a, b))


@pytest.mark.parametrize(("model", "human"), SINGLE_CLASS)
def test_single_class_kappa_is_nan_like_sklearn(model, human):
    assert np.isnan(_sklearn_kappa(human, model))
    assert np.isnan(analytics.cohen_kappa(human, model))
    summary = analytics.agreement_summary(model=model, human=human)
    assert np.isnan(summary["kappa"])
    assert summary["agreement"] == 1.0  # agreement itself is defined
    assert summary["note"] == (
        f"kappa is undefined (NaN): every label is {model[0]!r} on both sides, so chance "
        "agreement is total"
    )


@pytest.mark.parametrize(
    ("model", "human"),
    [
        (["a", "a", "a"], ["a", "b", "a"]),  # one class on one side only: κ is defined (0)
        (["a", "b", "a", "b"], ["a", "b", "b", "b"]),
        ([1, 2, 2, 3], [1, 2, 3, 3]),
    ],
)
def test_defined_kappa_still_equals_sklearn(model, human):
    expected = _sklearn_kappa(human, model)
    assert analytics.cohen_kappa(human, model) == pytest.approx(expected, abs=1e-12)
    summary = analytics.agreement_summary(model=model, human=human)
    assert summary["kappa"] == pytest.approx(expected, abs=1e-12)
    assert summary["note"] == ""


def test_no_reviewed_items_says_so():
    summary = analytics.agreement_summary(model=["a", None], human=[None, "b"])
    assert summary["n"] == 0
    assert np.isnan(summary["kappa"])
    assert np.isnan(summary["agreement"])
    assert summary["note"] == "kappa is undefined (NaN): no reviewed items"


def _answers(labels_per_task: dict[str, list]) -> pd.DataFrame:
    rows = [(task, f"w{i}", label) for task, labels in labels_per_task.items()
            for i, label in enumerate(labels)]  # fmt: skip
    return pd.DataFrame(rows, columns=["task", "worker", "label"])


def _reliability_data(answers: pd.DataFrame) -> np.ndarray:
    table = answers.pivot(index="worker", columns="task", values="label")
    codes = {v: i for i, v in enumerate(sorted(answers["label"].unique(), key=str))}
    return table.apply(lambda col: col.map(codes)).to_numpy(dtype=float)


@pytest.mark.parametrize(
    ("labels", "package_refuses"),
    [
        ({"t1": ["x", "x"], "t2": ["x", "x", "x"], "t3": ["x"]}, True),
        ({"t1": [3, 3], "t2": [3, 3]}, True),
        # y is never pairable: the package sees two values and returns NaN (0/0) instead
        ({"t1": ["x", "x"], "t2": ["x", "x"], "lonely": ["y"]}, False),
    ],
)
def test_single_value_alpha_and_fleiss_are_nan(labels, package_refuses):
    answers = _answers(labels)
    data = _reliability_data(answers)
    if package_refuses:
        with pytest.raises(ValueError, match="more than one value in the domain"):
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    else:
        with np.errstate(invalid="ignore"):
            assert np.isnan(
                krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
            )
    for level in ("nominal", "ordinal") + (("interval", "ratio") if labels["t1"][0] == 3 else ()):
        assert np.isnan(analytics.krippendorff_alpha(answers, level=level))
    assert np.isnan(analytics.fleiss_kappa(answers))
    summary = analytics.iaa_summary(answers)
    assert np.isnan(summary["krippendorff_alpha"])
    assert np.isnan(summary["fleiss_kappa"])
    value = labels["t1"][0]
    assert summary["note"] == (
        f"undefined (NaN): every answer on tasks with two or more answers is {value!r}, so chance "
        "agreement is total"
    )


def test_defined_alpha_still_equals_krippendorff_and_summary_is_empty():
    answers = _answers({"t1": ["x", "x"], "t2": ["y", "y"], "t3": ["x", "y", "x"]})
    expected = krippendorff.alpha(reliability_data=_reliability_data(answers),
                                  level_of_measurement="nominal")  # fmt: skip
    summary = analytics.iaa_summary(answers)
    assert summary["krippendorff_alpha"] == pytest.approx(expected)
    assert summary["note"] == ""
    assert (summary["n_tasks"], summary["n_answers"]) == (3, 7)


def test_nothing_pairable_says_so():
    summary = analytics.iaa_summary(_answers({"t1": ["x"], "t2": ["y"]}))
    assert np.isnan(summary["krippendorff_alpha"])
    assert summary["note"] == "undefined (NaN): no task has two or more answers to compare"


def test_chart_title_says_undefined_not_a_number():
    table = pd.DataFrame({"n": [2, 2], "agreement": [1.0, 1.0]}, index=["w0", "w1"])
    ax = charts.inter_annotator(table, alpha=float("nan"), kappa=float("nan"))
    assert "α undefined (NaN, see analytics.iaa_summary)" in ax.get_title()
    assert "nan" not in ax.get_title()


def test_demo_summary_says_why_kappa_is_undefined(tmp_path):
    reviewed = pd.DataFrame({"predicted_label": [7, 7, 7], "human_label": [7, 7, 7],
                             "true_label": [7, 7, 7], "audit": [True, False, False]})  # fmt: skip
    numbers = summary_numbers(reviewed)
    assert np.isnan(numbers["kappa"])
    assert numbers["agreement"] == 1.0
    text = write_summary(reviewed, {}, tmp_path / "summary.md", threshold=0.8,
                         audit_rate=0.1).read_text()  # fmt: skip
    assert "Cohen's κ undefined: kappa is undefined (NaN): every label is 7 on both sides" in text
    assert "κ nan" not in text
