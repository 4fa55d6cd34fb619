"""Agreement metrics checked against scikit-learn on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import cohen_kappa_score
from sklearn.metrics import confusion_matrix as sk_confusion

from a2i_kit import analytics
from a2i_kit.errors import InputError

CLASSES = np.array(["bird", "cat", "dog", "fish"], dtype=object)


@pytest.fixture
def reviewed() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 800
    human = CLASSES[rng.choice(4, n, p=[0.1, 0.4, 0.4, 0.1])]
    flip = rng.random(n) < 0.25
    model = np.where(flip, CLASSES[rng.integers(0, 4, n)], human)
    conf = rng.uniform(0.2, 0.99, n)
    return pd.DataFrame({"model": model, "human": human, "confidence": conf})


def test_confusion_matrix_equals_sklearn(reviewed):
    ours = analytics.confusion_matrix(model=reviewed["model"], human=reviewed["human"])
    theirs = sk_confusion(reviewed["human"], reviewed["model"], labels=list(CLASSES))
    assert ours.index.tolist() == list(CLASSES)
    np.testing.assert_array_equal(ours.to_numpy(), theirs)


def test_confusion_matrix_with_label_subset_equals_sklearn(reviewed):
    labels = ["dog", "cat"]
    ours = analytics.confusion_matrix(
        model=reviewed["model"], human=reviewed["human"], labels=labels
    )
    np.testing.assert_array_equal(
        ours.to_numpy(), sk_confusion(reviewed["human"], reviewed["model"], labels=labels)
    )


def test_cohen_kappa_equals_sklearn(reviewed):
    ours = analytics.cohen_kappa(reviewed["human"], reviewed["model"])
    assert ours == pytest.approx(cohen_kappa_score(reviewed["human"], reviewed["model"]), abs=1e-12)
    summary = analytics.agreement_summary(model=reviewed["model"], human=reviewed["human"])
    assert summary["kappa"] == pytest.approx(ours)
    assert summary["agreement"] == pytest.approx((reviewed["model"] == reviewed["human"]).mean())
    assert summary["override_rate"] == pytest.approx(1 - summary["agreement"])


def test_summary_drops_unreviewed_rows():
    summary = analytics.agreement_summary(model=["a", "b", "c"], human=["a", None, "x"])
    assert summary["n"] == 2
    assert summary["agreement"] == 0.5


@pytest.mark.parametrize("by", ["model", "human"])
def test_agreement_by_class_matches_groupby(reviewed, by):
    table = analytics.agreement_by_class(model=reviewed["model"], human=reviewed["human"], by=by)
    expected = (reviewed["model"] == reviewed["human"]).groupby(reviewed[by]).mean()
    for cls, row in table.iterrows():
        assert row["agreement"] == pytest.approx(expected[cls])
        assert row["n"] == (reviewed[by] == cls).sum()
    assert table["n"].is_monotonic_decreasing


def test_override_by_confidence_matches_pandas_cut(reviewed):
    table = analytics.override_by_confidence(
        model=reviewed["model"], human=reviewed["human"], confidence=reviewed["confidence"], bins=5
    )
    cut = pd.cut(reviewed["confidence"], np.linspace(0, 1, 6), right=False)
    expected = (
        (reviewed["model"] != reviewed["human"]).groupby(cut, observed=False).agg(["size", "mean"])
    )
    np.testing.assert_array_equal(table["n"].to_numpy(), expected["size"].to_numpy())
    np.testing.assert_allclose(
        table["override_rate"].to_numpy(), expected["mean"].to_numpy(), equal_nan=True
    )


def test_reliability_equals_sklearn_calibration_curve(reviewed):
    correct = (reviewed["model"] == reviewed["human"]).to_numpy()
    table = analytics.reliability(reviewed["confidence"], correct, bins=10)
    prob_true, prob_pred = calibration_curve(correct, reviewed["confidence"], n_bins=10)
    np.testing.assert_allclose(table["accuracy"], prob_true)
    np.testing.assert_allclose(table["mean_confidence"], prob_pred)
    ece = analytics.expected_calibration_error(table)
    assert ece == pytest.approx(
        np.sum(table["n"] / table["n"].sum() * np.abs(prob_true - prob_pred))
    )


def test_quantile_bins_hold_equal_counts(reviewed):
    correct = reviewed["model"] == reviewed["human"]
    table = analytics.reliability(reviewed["confidence"], correct, bins=4, strategy="quantile")
    assert table["n"].tolist() == [200, 200, 200, 200]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: analytics.agreement_summary(model=["a"], human=["a", "b"]),
            "model has 1 values but human has 2",
        ),
        (lambda: analytics.agreement_by_class(model=["a"], human=["a"], by="x"), "by='x': use 'model'"),
        (
            lambda: analytics.override_by_confidence(
                model=["a"], human=["a"], confidence=[0.5], bins=[0.5, 0.2]
            ),
            "bins must be a count",
        ),
        (
            lambda: analytics.override_by_confidence(model=["a"], human=["a"], confidence=[np.nan]),
            r"confidence\[0\] is nan",
        ),
        (lambda: analytics.reliability([0.5], [True], strategy="odd"), "strategy='odd'"),
    ],
)
def test_input_errors(call, message):
    with pytest.raises(InputError, match=message):
        call()
