"""summary.md never prints a rate from a small sample without the count and interval behind it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from a2i_kit.analytics.intervals import (
    clopper_pearson_interval,
    count_text,
    rate_text,
    wilson_interval,
)
from a2i_kit.demo.report import write_summary
from a2i_kit.errors import InputError


def _reviewed(n: int, audited: int, audit_errors: int, disagreements: int) -> pd.DataFrame:
    frame = pd.DataFrame({"predicted_label": ["3"] * n, "human_label": ["3"] * n, "true_label": ["3"] * n,
                          "confidence": [0.9] * n, "audit": [False] * (n - audited) + [True] * audited})
    frame.loc[: disagreements - 1, "human_label"] = "8"  # among the non-audit rows
    frame.loc[n - audit_errors:, "human_label"] = "8"
    frame["true_label"] = frame["human_label"]
    return frame


def test_zero_errors_in_13_audited_items_prints_the_upper_bound(tmp_path: Path) -> None:
    path = write_summary(_reviewed(40, 13, 0, 4), {"statuses": {"Completed": 40}}, tmp_path / "summary.md",
                         threshold=0.8, audit_rate=0.1)
    text = path.read_text()
    audit_line = next(line for line in text.splitlines() if line.startswith("- Error rate of confident"))
    assert "**0.0 % (0 of 13; 95 % upper bound 20.6 %)**" in audit_line
    assert "a small sample: audit more items" in audit_line
    assert "**90.0%** (36 of 40; 95 % interval 76.3–97.2 %)" in text


def test_a_large_audit_gets_a_two_sided_interval_and_no_warning(tmp_path: Path) -> None:
    path = write_summary(_reviewed(200, 100, 5, 0), {}, tmp_path / "summary.md", threshold=0.8, audit_rate=0.5)
    audit_line = next(line for line in path.read_text().splitlines() if "estimated from the audit" in line)
    assert "**5.0 % (5 of 100; 95 % interval 1.6–11.3 %)**." in audit_line
    assert "small sample" not in audit_line


@pytest.mark.parametrize(("count", "n", "text"), [
    (0, 13, "0.0 % (0 of 13; 95 % upper bound 20.6 %)"),
    (1, 1, "100.0 % (1 of 1; 95 % lower bound 5.0 %)"),
    (3, 40, "7.5 % (3 of 40; 95 % interval 1.6–20.4 %)"),
    (0, 0, "no estimate (0 items)"),
])
def test_rate_text(count: int, n: int, text: str) -> None:
    assert rate_text(count, n) == text


def test_intervals_contain_the_rate_and_widen_for_small_samples() -> None:
    for interval in (wilson_interval, clopper_pearson_interval):
        small = interval(1, 2)
        large = interval(50, 100)
        assert small[0] < 0.5 < small[1]
        assert large[0] < 0.5 < large[1]
        assert small[1] - small[0] > large[1] - large[0]
        assert tuple(map(float, interval(0, 0))) == (0.0, 1.0)


def test_a_bad_level_says_what_to_use() -> None:
    with pytest.raises(InputError, match=r"level=1.5: use a confidence level in \[0.5, 1\), e.g. 0.95"):
        count_text(1, 2, level=1.5)
