"""Issue 11 item 1: bins and thresholds on exact edges, checked against exact decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import matplotlib
import numpy as np
import pandas as pd
import pytest

from a2i_kit import analytics, charts
from a2i_kit.analytics.binning import confidence_bins, grid
from a2i_kit.errors import InputError

matplotlib.use("Agg")


def _exact_bin(text: str, k: int) -> int:
    """The bin of the decimal the user wrote, by exact rational arithmetic: [i/k, (i+1)/k)."""
    return min(int(Fraction(text) * k), k - 1)


@pytest.mark.parametrize(
    ("value", "bins", "left", "right"),
    [
        (0.3, 10, 0.3, 0.4),  # linspace put it in [0.2, 0.3)
        (0.7, 10, 0.7, 0.8),
        (0.35, 20, 0.35, 0.4),
        (0.29, 100, 0.29, 0.3),
        (0.57, 100, 0.57, 0.58),
        (0.6, 5, 0.6, 0.8),
        (0.0, 10, 0.0, 0.1),
        (1.0, 10, 0.9, 1.0),  # the last bin is closed
        (0.9999999, 10, 0.9, 1.0),
        (1 / 3, 3, 1 / 3, 2 / 3),
        (0.3, [0, 0.3, 1], 0.3, 1.0),
        (0.8, [0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 0.8, 0.9),
    ],
)
def test_a_value_on_an_edge_opens_its_bin(value, bins, left, right):
    model, human = ["a", "b", "a"], ["a", "a", "a"]
    conf = [value, 0.0 if left > 0 else 1.0, value]
    table = analytics.override_by_confidence(model=model, human=human, confidence=conf, bins=bins)
    row = table[table["bin_left"] == left]
    assert len(row) == 1, table
    assert row["bin_right"].item() == right
    assert row["n"].item() == 2
    rel = analytics.reliability(conf, [True, False, True], bins=bins)
    assert rel.loc[rel["bin_left"] == left, "n"].item() == 2


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7, 8, 10, 20, 25, 40, 50, 100, 1000])
def test_every_edge_and_random_decimals_land_where_exact_arithmetic_says(k):
    rng = np.random.default_rng(k)
    texts = [str(Decimal(i) / Decimal(k)) for i in range(k + 1) if (10**6 * i) % k == 0]
    for places in range(1, 9):  # any number of decimals
        texts += [f"{x:.{places}f}" for x in rng.random(50)]
    idx, _ = confidence_bins([float(t) for t in texts], k)
    assert idx.tolist() == [_exact_bin(t, k) for t in texts]


@pytest.mark.parametrize("k", [3, 5, 10, 20, 100])
def test_edges_print_clean(k):
    table = analytics.override_by_confidence(model=["a"], human=["a"], confidence=[0.5], bins=k)
    expected = [float(Fraction(i, k)) for i in range(k + 1)]
    assert table["bin_left"].tolist() == expected[:-1]
    assert table["bin_right"].tolist() == expected[1:]
    if k == 10:
        assert [repr(x) for x in table["bin_left"]] == [f"0.{i}" for i in range(10)]
    assert "0000000000" not in table.to_string()
    assert "0000000000" not in analytics.review_volume([0.5]).to_string()


@pytest.mark.parametrize("threshold", [0.35, 0.3, 0.7, 0.29, 0.57, 0.01, 1.0])
def test_a_confidence_equal_to_the_threshold_counts_as_at_or_above(threshold):
    conf = [threshold, threshold - 0.001, min(threshold + 0.001, 1.0)]
    volume = analytics.review_volume(conf).set_index("threshold")
    assert threshold in volume.index  # the default grid holds 0.00, 0.01, ..., 1.00 exactly
    assert volume.loc[threshold, "n_review"] == 1  # only the one below
    assert volume.loc[threshold, "n_auto"] == 2
    curve = analytics.coverage_risk(conf, [True, True, False], thresholds=[threshold])
    assert curve["n_accepted"].item() == 2
    assert grid(100)[round(threshold * 100)] == threshold


def test_backlog_histogram_uses_exact_edges():
    table = pd.DataFrame({"lifetime_used": [0.35, 0.35, 0.7]})
    ax = charts.backlog(table, bins=20)
    heights = [p.get_height() for p in ax.patches]
    assert heights[7] == 2  # [0.35, 0.40): linspace's 0.35000000000000003 put them in bin 6
    assert heights[14] == 1


@pytest.mark.parametrize(
    ("conf", "bins", "message"),
    [
        ([0.5, 1.2], [0, 0.5, 1], r"confidence\[1\] is 1.2, outside the bins \[0.0, 1.0\]: widen"),
        ([-0.1], [0, 1], r"confidence\[0\] is -0.1, outside the bins"),
        ([0.9, 95.0], 10, r"confidence\[1\] is 95.0, outside \[0, 1\]: they look like percentages"),
        ([0.5], 0, r"bins=0: use a count ≥ 1"),
        ([0.5], [0, np.nan, 1], "bins must be a count ≥ 1 or increasing edges"),
    ],
)
def test_nothing_outside_the_bins_is_put_in_an_end_bin(conf, bins, message):
    with pytest.raises(InputError, match=message):
        analytics.override_by_confidence(
            model=["a"] * len(conf), human=["a"] * len(conf), confidence=conf, bins=bins
        )
