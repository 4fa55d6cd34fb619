"""Coverage/risk sweeps against brute force, bounds against scipy, the audited threshold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from a2i_kit import analytics
from a2i_kit.errors import InputError
from a2i_kit.results.synthetic import generate


@pytest.fixture
def scored():
    rng = np.random.default_rng(5)
    conf = rng.uniform(0, 1, 3000).round(2)  # many ties
    correct = rng.random(3000) < conf
    return conf, correct


def test_coverage_risk_equals_brute_force(scored):
    conf, correct = scored
    curve = analytics.coverage_risk(conf, correct)
    assert curve["threshold"].is_monotonic_decreasing
    for t, cov, risk in curve[["threshold", "coverage", "risk"]].itertuples(index=False):
        accepted = conf >= t
        assert cov == pytest.approx(accepted.mean())
        assert risk == pytest.approx((~correct[accepted]).mean())


def test_coverage_risk_on_given_thresholds(scored):
    conf, correct = scored
    grid = [0.0, 0.333, 0.5, 0.995, 1.1]
    curve = analytics.coverage_risk(conf, correct, thresholds=grid).set_index("threshold")
    assert curve.loc[0.0, "coverage"] == 1.0
    assert curve.loc[1.1, "n_accepted"] == 0
    assert np.isnan(curve.loc[1.1, "risk"])
    assert curve.loc[0.5, "n_errors"] == (~correct[conf >= 0.5]).sum()


def test_coverage_on_the_population(scored):
    conf, correct = scored
    audit = conf >= 0.5
    curve = analytics.coverage_risk(
        conf[audit], correct[audit], thresholds=[0.5, 0.8], all_confidence=conf
    )
    curve = curve.set_index("threshold")
    assert curve.loc[0.8, "coverage"] == pytest.approx((conf >= 0.8).mean())
    assert curve.loc[0.8, "risk"] == pytest.approx((~correct[conf >= 0.8]).mean())


def test_area_under_curve_of_a_known_curve():
    curve = analytics.coverage_risk([0.9, 0.8, 0.7, 0.6], [True, False, True, True])
    # risks at coverage .25, .5, .75, 1: 0, .5, 1/3, .25
    expected = 0.25 * 0 + 0.25 * ((0 + 0.5) / 2 + (0.5 + 1 / 3) / 2 + (1 / 3 + 0.25) / 2)
    assert analytics.area_under_curve(curve) == pytest.approx(expected)


def test_review_volume_equals_brute_force(scored):
    conf, _ = scored
    table = analytics.review_volume(
        conf, [0.2, 0.5, 0.9], cost_per_review=0.08, reviews_per_item=3, audit_rate=0.1
    )
    for t, n_review, cost in table[["threshold", "n_review", "cost"]].itertuples(index=False):
        below = (conf < t).sum()
        expected = below + 0.1 * (len(conf) - below)
        assert n_review == pytest.approx(expected)
        assert cost == pytest.approx(expected * 3 * 0.08)


@pytest.mark.parametrize(("errors", "n"), [(0, 50), (3, 50), (10, 400), (50, 50), (1, 2)])
def test_bounds_equal_scipy_one_sided(errors, n):
    two_sided_90 = binomtest(errors, n).proportion_ci(confidence_level=0.90, method="exact").high
    assert analytics.clopper_pearson_upper(errors, n, 0.95) == pytest.approx(two_sided_90, abs=1e-9)
    wilson = binomtest(errors, n).proportion_ci(confidence_level=0.90, method="wilson").high
    assert analytics.wilson_upper(errors, n, 0.95) == pytest.approx(wilson, abs=1e-9)


def test_recommended_threshold_holds_on_the_true_error_rate():
    review = generate(40000, threshold=0.6, audit_rate=0.2, seed=8, pending_share=0.0)
    preds = review.predictions
    audit = preds[preds["reason"] == "audit"]
    correct = audit["model_label"] == audit["true_label"]
    rec = analytics.recommend_threshold(audit["confidence"], correct, target_error=0.08,
                                        all_confidence=preds["confidence"])  # fmt: skip
    assert 0.6 <= rec.threshold < 1
    assert rec.risk_upper <= 0.08
    assert rec.risk_estimate <= rec.risk_upper
    accepted = preds[preds["confidence"] >= rec.threshold]
    true_error = (accepted["model_label"] != accepted["true_label"]).mean()
    assert true_error <= 0.08
    assert rec.coverage == pytest.approx(len(accepted) / len(preds))
    # the low-confidence reviews alone would be the wrong evidence: their error rate is far higher
    low = preds[preds["reason"] == "low_confidence"]
    assert (low["model_label"] != low["true_label"]).mean() > 2 * true_error


def test_wilson_recommends_no_higher_threshold_than_clopper_pearson():
    rng = np.random.default_rng(1)
    conf = rng.uniform(0.5, 1, 3000)
    ok = rng.random(3000) > (1 - conf) / 2
    cp = analytics.recommend_threshold(conf, ok, 0.08)
    wi = analytics.recommend_threshold(conf, ok, 0.08, method="wilson")
    assert wi.threshold <= cp.threshold
    assert wi.method == "wilson"


def test_grid_makes_the_bound_simultaneous():
    rng = np.random.default_rng(2)
    conf = rng.uniform(0.5, 1, 5000)
    ok = rng.random(5000) > (1 - conf) / 2
    every = analytics.recommend_threshold(conf, ok, 0.08, grid_size=None)
    grid = analytics.recommend_threshold(conf, ok, 0.08, grid_size=10)
    assert grid.threshold >= every.threshold  # the corrected bound is wider, so it is more careful
    audited = conf >= grid.threshold
    assert grid.n_audited == audited.sum()
    assert grid.risk_upper == pytest.approx(
        float(analytics.clopper_pearson_upper(grid.n_errors, grid.n_audited, 1 - 0.05 / 10))
    )


def test_unreachable_target_gives_nan():
    rec = analytics.recommend_threshold([0.9] * 40, [False] * 40, 0.05)
    assert np.isnan(rec.threshold)
    assert rec.coverage == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_error": 1.5}, "target_error=1.5: use an error rate between 0 and 1"),
        (
            {"target_error": 0.1, "method": "exact"},
            "method='exact': use one of clopper-pearson, wilson",
        ),
        ({"target_error": 0.1, "level": 0.2}, "level=0.2: use a confidence level"),
        (
            {"target_error": 0.1, "grid_size": 0},
            "grid_size=0: use a number of candidate thresholds",
        ),
    ],
)
def test_threshold_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        analytics.recommend_threshold([0.9, 0.8], [True, True], **kwargs)


def test_empty_audit_is_an_input_error():
    with pytest.raises(InputError, match="the audit sample is empty: route a random share"):
        analytics.recommend_threshold([], [], 0.1)
