"""Reviewer time, throughput, latency and backlog."""

from __future__ import annotations

import pandas as pd
import pytest

from a2i_kit import analytics
from a2i_kit.errors import InputError


def _ts(values):
    return pd.to_datetime(values, utc=True, format="ISO8601")


@pytest.fixture
def answers() -> pd.DataFrame:
    return pd.DataFrame({
        "task": ["t1", "t2", "t3", "t1"], "worker": ["a", "a", "a", "b"],
        "human_loop_name": ["l1", "l2", "l3", "l1"],
        "time_spent_seconds": [30.0, 50.0, 70.0, 20.0],
        "acceptance_time": _ts(["2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z", "2026-01-03T09:00:00Z",
                                "2026-01-01T10:30:00Z"]),
        "submission_time": _ts(["2026-01-01T10:01:00Z", "2026-01-01T11:02:00Z", "2026-01-03T09:01:30Z",
                                "2026-01-01T10:30:40Z"]),
    })  # fmt: skip


def test_reviewer_stats(answers):
    stats = analytics.reviewer_stats(answers)
    assert stats.index.tolist() == ["a", "b"]
    a = stats.loc["a"]
    assert a["n_answers"] == 3
    assert a["median_seconds"] == 50.0
    assert a["median_latency_seconds"] == 90.0
    assert a["active_days"] == 2
    assert a["answers_per_active_day"] == 1.5
    assert a["last_submission"] == pd.Timestamp("2026-01-03T09:01:30Z")


def test_throughput_fills_idle_days(answers):
    table = analytics.throughput(answers)
    assert table.index.tolist() == list(_ts(["2026-01-01", "2026-01-02", "2026-01-03"]))
    assert table["a"].tolist() == [2, 0, 1]
    assert table["b"].tolist() == [1, 0, 0]


def test_wait_times(answers):
    loops = pd.DataFrame({"human_loop_name": ["l1", "l2", "l3"],
                          "creation_time": _ts(["2026-01-01T09:00:00Z"] * 3)})  # fmt: skip
    waits = analytics.wait_times(answers, loops)
    assert waits.tolist() == [3600.0, 7200.0, 172800.0, 5400.0]


def test_backlog_against_lifetime():
    loops = pd.DataFrame({"human_loop_name": ["old", "new", "done"],
                          "status": ["InProgress", "InProgress", "Completed"],
                          "creation_time": _ts(["2026-01-01T00:00:00Z", "2026-01-09T00:00:00Z",
                                                "2026-01-01T00:00:00Z"])})  # fmt: skip
    table = analytics.backlog(loops, now="2026-01-10T00:00:00Z")
    assert table["human_loop_name"].tolist() == ["old", "new"]
    assert table["lifetime_used"].tolist() == [0.9, 0.1]
    assert table["seconds_left"].tolist() == [86400.0, 777600.0]
    summary = analytics.backlog_summary(table)
    assert summary["open"] == 2
    assert summary["oldest_hours"] == 216.0
    assert summary["share_past_90"] == 0.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: analytics.reviewer_stats(pd.DataFrame({"worker": []})),
            r"answers lacks column\(s\)",
        ),
        (
            lambda: analytics.backlog(pd.DataFrame({"status": []})),
            r"loops lacks column\(s\) \['human_loop_name'",
        ),
        (
            lambda: analytics.backlog(
                pd.DataFrame(columns=["human_loop_name", "status", "creation_time"]),
                lifetime_seconds=0,
            ),
            "lifetime_seconds=0: use the flow definition's",
        ),
    ],
)
def test_input_errors(call, message):
    with pytest.raises(InputError, match=message):
        call()
