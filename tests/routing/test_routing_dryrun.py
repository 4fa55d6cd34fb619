"""DryRun arithmetic and the price table."""

from __future__ import annotations

import pandas as pd
import pytest

from a2i_kit.errors import InputError
from a2i_kit.pricing import PriceTable, amount_to_price, cost_per_item, price_to_amount
from a2i_kit.routing import Budget, ReviewPolicy


def test_dry_run_counts_cost_and_hours():
    df = pd.DataFrame({"item_id": range(10), "label": ["a"] * 5 + ["b"] * 5,
                       "score": [0.1, 0.2, 0.3, 0.85, 0.99, 0.5, 0.6, 0.7, 0.95, 0.99]})
    policy = ReviewPolicy(threshold=0.8, per_class={"b": 0.65}, workforce="public",
                          task_price=0.036, task_count=3)
    dry = policy.dry_run(df, label_col="label", score_col="score", seconds_per_task=40)
    assert dry.counts == {"below_class_threshold": 2, "below_threshold": 3, "confident": 5}
    assert dry.n_review == 5
    assert dry.cost_per_item == pytest.approx(0.08 + 0.036 * 3)
    assert dry.expected_cost == pytest.approx(5 * 0.188)
    assert dry.reviewer_hours == pytest.approx(5 * 3 * 40 / 3600, abs=1e-4)
    table = dry.to_frame()
    assert table.loc["below_threshold", "cost"] == pytest.approx(3 * 0.188)
    assert table.loc["confident", "cost"] == 0.0
    assert table["items"].sum() == 10
    text = repr(dry)
    assert text.startswith("DryRun: 10 items -> 5 to review (50.0%), 0 of them audit")
    assert "expected cost $0.94 (A2I $0.080 + workforce $0.036 x 3 task(s) per item)" in text
    assert "<table" in dry._repr_html_()


def test_dry_run_with_budget_and_audit():
    df = pd.DataFrame({"item_id": [f"x{k}" for k in range(1000)], "label": "a",
                       "score": [0.2] * 100 + [0.99] * 900})
    dry = ReviewPolicy(threshold=0.5, audit_rate=0.1, seed=3, budget=Budget(max_items=150)).dry_run(
        df, label_col="label", score_col="score")
    assert dry.n_review == 150
    assert dry.counts["below_threshold"] == 100
    assert dry.counts["audit"] == dry.n_audit == 50
    assert dry.counts["over_budget"] + dry.counts["confident"] == 850
    assert not dry.to_frame().loc["over_budget", "review"]


def test_price_table_and_amount_encoding():
    assert cost_per_item() == 0.08
    assert cost_per_item("textract", workforce="public", task_price=2.4) == pytest.approx(2.48)
    assert cost_per_item("custom", workforce="vendor", task_price=0.5, task_count=2) == pytest.approx(1.08)
    free = PriceTable(a2i_per_object={"custom": 0.0, "textract": 0.0, "rekognition": 0.0})
    assert cost_per_item(table=free) == 0.0
    assert price_to_amount(1.2) == {"Dollars": 1, "Cents": 20, "TenthFractionsOfACent": 0}
    assert amount_to_price({"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}) == 0.036
    with pytest.raises(InputError, match=r"task_price=2\.4 is not a public-crowd price point for custom"):
        cost_per_item("custom", workforce="public", task_price=2.4)
    with pytest.raises(InputError, match="task_type='video' is unknown"):
        cost_per_item("video")
    with pytest.raises(InputError, match=r"outside 0–2\.999"):
        price_to_amount(3.5)
