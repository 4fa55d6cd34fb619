"""Each chart: a figure is produced, axes are labelled, and the plotted data equals the frame's."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.container import Container

from a2i_kit import analytics, charts
from a2i_kit.errors import InputError
from a2i_kit.results import Results
from a2i_kit.results.synthetic import generate

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "charts"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    review = generate(3000, task_count=3, threshold=0.75, audit_rate=0.2, seed=21)
    mirror = tmp_path_factory.mktemp("mirror")
    review.write_mirror(mirror)
    res = Results.from_mirror(mirror, item_key="item_id").sync()
    consensus = analytics.majority_vote(res.answers).rename("human_label")
    joined = review.predictions.merge(consensus, left_on="item_id", right_index=True)
    return {"review": review, "res": res, "joined": joined}


def _labelled(ax):
    """Title and axis labels are present and are words (no snake_case column names); the figure
    is saved to ``screenshots/charts/<test>.png`` for a person to look at."""
    assert ax.figure is not None
    name = os.environ.get("PYTEST_CURRENT_TEST", "chart").split("::")[-1].split(" ")[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(SHOTS / f"{name}.png", dpi=80)
    assert ax.get_title()
    for label in (ax.get_xlabel(), ax.get_ylabel()):
        assert label
        assert "_" not in label, f"axis label {label!r} looks like a column name"
    legend = ax.get_legend()
    if legend is not None:
        _legend_clear_of_data(ax)
        _legend_series_visible(ax)


def _renderer(ax):
    ax.figure.canvas.draw()
    return ax.figure.canvas.get_renderer()


def _legend_clear_of_data(ax):
    """The legend's box overlaps neither the data area of any axes nor any data artist."""
    renderer = _renderer(ax)
    box = ax.get_legend().get_window_extent(renderer)
    for other in ax.figure.axes:
        area = other.get_window_extent(renderer)
        assert not box.overlaps(area), f"legend {box} covers the axes {area} of {other.get_title()!r}"
        for artist in [*other.patches, *other.lines, *other.collections, *other.texts]:
            extent = artist.get_window_extent(renderer)
            if extent.width > 0 or extent.height > 0:
                assert not box.overlaps(extent), f"legend covers {artist}"


def _legend_series_visible(ax):
    """Each series named in the legend has something drawn inside the axes."""
    renderer = _renderer(ax)
    figure_axes = ax.figure.axes
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    for name in names:
        drawn = []
        for other in figure_axes:
            area = other.get_window_extent(renderer)
            for artist in [*other.patches, *other.lines, *other.collections, *other.containers]:
                if artist.get_label() != name:
                    continue
                parts = artist.get_children() if isinstance(artist, Container) else [artist]
                for part in parts:
                    if part is None or not hasattr(part, "get_window_extent"):
                        continue
                    extent = part.get_window_extent(renderer)
                    point = extent.width == 0 and extent.height == 0
                    if (point and area.contains(extent.x0, extent.y0)) or (
                            not point and extent.overlaps(area)):  # fmt: skip
                        drawn.append(part)
        assert drawn, f"legend names {name!r} but nothing of it is visible"


def test_agreement_by_class(data):
    j = data["joined"]
    table = analytics.agreement_by_class(model=j["model_label"], human=j["human_label"])
    ax = charts.agreement_by_class(table)
    _labelled(ax)
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, table["agreement"].to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table.index)
    assert ax.get_ylabel() == "model's label"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["agreement", "95 % interval"]
    assert [t.get_text() for t in ax.texts] == [f"n={int(n)}" for n in table["n"]]


def test_confusion_matrix(data):
    j = data["joined"]
    matrix = analytics.confusion_matrix(model=j["model_label"], human=j["human_label"])
    ax = charts.confusion_matrix(matrix)
    _labelled(ax)
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix.to_numpy())
    assert [t.get_text() for t in ax.texts][:3] == [str(v) for v in matrix.to_numpy().ravel()[:3]]
    normalized = charts.confusion_matrix(matrix, normalize=True)
    np.testing.assert_allclose(normalized.images[0].get_array().sum(axis=1), 1.0)


def test_override_by_confidence(data):
    j = data["joined"]
    table = analytics.override_by_confidence(
        model=j["model_label"], human=j["human_label"], confidence=j["confidence"], bins=10
    )
    ax = charts.override_by_confidence(table)
    _labelled(ax)
    shown = table[table["n"] > 0]
    np.testing.assert_allclose(
        [p.get_height() for p in ax.patches], shown["override_rate"].to_numpy()
    )
    np.testing.assert_allclose([p.get_x() for p in ax.patches], shown["bin_left"].to_numpy())
    counts = [t.get_text() for t in ax.texts if t.get_text().startswith("n=")]
    assert counts == [f"n={int(n)}" for n in shown["n"]]
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["0", "0.1", "0.2"]


def test_a_rate_from_one_item_shows_its_count_and_interval_and_empty_bins_say_so():
    table = analytics.override_by_confidence(model=["cat"], human=["dog"], confidence=[0.95], bins=10)
    ax = charts.override_by_confidence(table)
    _labelled(ax)
    (bar,) = ax.patches
    assert (bar.get_x(), bar.get_height()) == (0.9, 1.0)
    np.testing.assert_allclose(bar.get_width(), 0.09)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("n=1") == 1
    assert texts.count("no items") == 9  # equal-width bins, none dropped
    errorbar = next(c for c in ax.containers if c.get_label() == "95 % interval")
    segment = errorbar.lines[2][0].get_segments()[0]
    low, high = sorted(y for _x, y in segment)
    assert high == 1.0
    assert 0.15 < low < 0.25  # Wilson 95 % interval of 1 of 1: [0.21, 1]


def test_reliability_diagram(data):
    j = data["joined"]
    table = analytics.reliability(j["confidence"], j["model_label"] == j["human_label"])
    ece = analytics.expected_calibration_error(table)
    ax = charts.reliability_diagram(table, ece=ece)
    _labelled(ax)
    model_line = ax.containers[0].lines[0]
    np.testing.assert_allclose(model_line.get_xdata(), table["mean_confidence"])
    np.testing.assert_allclose(model_line.get_ydata(), table["accuracy"])
    assert [t.get_text() for t in ax.texts] == [f"n={int(n)}" for n in table["n"]]
    assert f"{ece:.3f}" in ax.get_title()


def test_coverage_risk_marks_the_recommendation(data):
    preds = data["review"].predictions
    audit = preds[preds["reason"] == "audit"]
    curve = analytics.coverage_risk(
        audit["confidence"], audit["model_label"] == audit["true_label"]
    )
    rec = analytics.recommend_threshold(audit["confidence"], audit["model_label"] == audit["true_label"],
                                        0.15, all_confidence=preds["confidence"])  # fmt: skip
    ax = charts.coverage_risk(curve, recommendation=rec)
    _labelled(ax)
    line = ax.get_lines()[0]
    ordered = curve.sort_values("coverage")
    np.testing.assert_allclose(line.get_xdata(), ordered["coverage"])
    np.testing.assert_allclose(line.get_ydata(), ordered["risk"])
    marker = next(c for c in ax.collections if isinstance(c, PathCollection))
    np.testing.assert_allclose(marker.get_offsets()[0], [rec.coverage, rec.risk_estimate])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"recommended t = {rec.threshold:.3f}" in legend
    assert "target error 15.0%" in legend


def test_review_volume(data):
    preds = data["review"].predictions
    table = analytics.review_volume(preds["confidence"], cost_per_review=0.08, audit_rate=0.05)
    ax = charts.review_volume(table)
    _labelled(ax)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), table["n_review"])
    # A fixed price per item: cost is a second scale (a second line would hide the first).
    right = next(a for a in ax.child_axes)
    assert right.get_ylabel() == "review cost ($)"
    np.testing.assert_allclose(right._functions[0](np.array([100.0])), [8.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["items reviewed"]
    renderer = _renderer(ax)
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= right.get_tightbbox(renderer).x1  # beyond the cost scale and its label


def test_review_volume_with_a_cost_that_is_not_proportional_draws_two_lines():
    table = pd.DataFrame({"threshold": [0.2, 0.5, 0.8], "n_review": [10, 40, 90], "cost": [5.0, 6.0, 9.0]})
    ax = charts.review_volume(table)
    _labelled(ax)
    twin = next(a for a in ax.figure.axes if a is not ax)
    np.testing.assert_allclose(twin.get_lines()[0].get_ydata(), table["cost"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["items reviewed", "cost ($)"]
    renderer = _renderer(ax)
    assert ax.get_legend().get_window_extent(renderer).x0 >= twin.get_tightbbox(renderer).x1


def test_reviewer_time_and_throughput(data):
    answers = data["res"].answers
    ax = charts.reviewer_time(answers, top=4)
    _labelled(ax)
    busiest = answers["worker"].value_counts().index[:4]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(busiest)  # names in full
    medians = {round(float(line.get_ydata()[0]), 6) for line in ax.lines}
    for worker in busiest:
        expected = answers.loc[answers["worker"] == worker, "time_spent_seconds"].median()
        assert round(float(expected), 6) in medians
    table = analytics.throughput(answers)
    ax2 = charts.reviewer_throughput(table)
    _labelled(ax2)
    heights = np.array([p.get_height() for p in ax2.patches]).reshape(
        len(table.columns), len(table)
    )
    np.testing.assert_array_equal(heights.T, table.to_numpy())


def test_inter_annotator(data):
    answers = data["res"].answers
    table = analytics.reviewer_agreement(answers)
    alpha, kappa = analytics.krippendorff_alpha(answers), analytics.fleiss_kappa(answers)
    ax = charts.inter_annotator(table, alpha=alpha, kappa=kappa)
    _labelled(ax)
    np.testing.assert_allclose([p.get_height() for p in ax.patches],
                               table.sort_values("agreement", ascending=False)["agreement"])  # fmt: skip
    assert f"α = {alpha:.3f}" in ax.get_title()
    assert f"κ = {kappa:.3f}" in ax.get_title()


def test_backlog(data):
    status = data["review"].statuses
    table = analytics.backlog(status, now=status["creation_time"].max() + pd.Timedelta(days=2))
    ax = charts.backlog(table)
    _labelled(ax)
    assert sum(p.get_height() for p in ax.patches) == len(table)


def test_charts_draw_into_a_given_axes(data):
    _fig, (left, right) = plt.subplots(1, 2)
    preds = data["review"].predictions
    out = charts.review_volume(analytics.review_volume(preds["confidence"]), ax=right)
    assert out is right
    assert not left.has_data()


def test_wrong_table_is_an_input_error():
    with pytest.raises(
        InputError,
        match=r"lacks column\(s\) \['coverage', 'risk'\]: pass the result of analytics.coverage_risk",
    ):
        charts.coverage_risk(pd.DataFrame({"x": [1]}))
