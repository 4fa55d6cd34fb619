"""Reviewer time, throughput and latency, and the age of the open backlog.

Works on ``Results.answers`` (``worker``, ``acceptance_time``, ``submission_time``,
``time_spent_seconds``) and ``Results.loops`` (``status``, ``creation_time``).

Example:
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"worker": ["a", "a", "b"], "task": ["t1", "t2", "t1"],
    ...     "time_spent_seconds": [30.0, 50.0, 20.0],
    ...     "acceptance_time": pd.to_datetime(["2026-01-01T10:00Z", "2026-01-02T10:00Z", "2026-01-01T11:00Z"]),
    ...     "submission_time": pd.to_datetime(["2026-01-01T10:01Z", "2026-01-02T10:02Z", "2026-01-01T11:00:30Z"], format="ISO8601")})
    >>> reviewer_stats(answers)[["n_answers", "median_seconds", "active_days"]].to_dict("index")
    {'a': {'n_answers': 2, 'median_seconds': 40.0, 'active_days': 2}, 'b': {'n_answers': 1, 'median_seconds': 20.0, 'active_days': 1}}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.errors import InputError

DEFAULT_LIFETIME_SECONDS = 864000  # TaskAvailabilityLifetimeInSeconds default (10 days)


def _need(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} lacks column(s) {missing}: pass Results(...).{what}")


def seconds(frame: pd.DataFrame, column: str, what: str = "answers") -> pd.Series:
    """A duration column as float seconds; text (e.g. ``"30.5"``) raises InputError with the fix."""
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    present = values.dropna()
    text = present[present.map(lambda v: isinstance(v, str | bytes))]
    if len(text) or pd.api.types.is_bool_dtype(values):
        example = text.iloc[0] if len(text) else present.iloc[0]
        raise InputError(
            f"{what}['{column}'] holds {type(example).__name__} values (e.g. {example!r}), not "
            f"numbers of seconds: convert it first, e.g. {what}['{column}'] = "
            f"pd.to_numeric({what}['{column}'])"
        )
    try:
        return values.astype(float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what}['{column}'] must be numbers of seconds ({exc}): convert it "
                         f"with pd.to_numeric({what}['{column}'])") from exc  # fmt: skip


def times(frame: pd.DataFrame, column: str, what: str = "answers") -> pd.Series:
    """A timestamp column as datetimes; text (e.g. ISO strings) raises InputError with the fix."""
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    present = values.dropna()
    if len(present) == 0:
        return pd.to_datetime(values, utc=True)
    example = present.iloc[0]
    raise InputError(
        f"{what}['{column}'] holds {type(example).__name__} values (e.g. {example!r}), not "
        f"timestamps: convert it first, e.g. {what}['{column}'] = "
        f"pd.to_datetime({what}['{column}'], utc=True, format='ISO8601')"
    )


def reviewer_stats(answers: pd.DataFrame) -> pd.DataFrame:
    """Per worker: ``n_answers``, ``n_tasks``, ``median_seconds`` / ``mean_seconds`` /
    ``p90_seconds`` (active time), ``median_latency_seconds`` (acceptance → submission, pauses
    included), ``active_days``, ``answers_per_active_day``, ``first_submission``,
    ``last_submission``; busiest first."""
    _need(
        answers,
        ["worker", "task", "time_spent_seconds", "acceptance_time", "submission_time"],
        "answers",
    )
    submitted = times(answers, "submission_time")
    frame = answers.assign(
        time_spent_seconds=seconds(answers, "time_spent_seconds"),
        latency=(submitted - times(answers, "acceptance_time")).dt.total_seconds(),
        day=submitted.dt.floor("D"),
    )
    grouped = frame.groupby("worker", sort=True)
    out = grouped.agg(
        n_answers=("task", "size"), n_tasks=("task", "nunique"),
        median_seconds=("time_spent_seconds", "median"), mean_seconds=("time_spent_seconds", "mean"),
        p90_seconds=("time_spent_seconds", lambda s: s.quantile(0.9)),
        median_latency_seconds=("latency", "median"), active_days=("day", "nunique"),
        first_submission=("submission_time", "min"), last_submission=("submission_time", "max"),
    )  # fmt: skip
    out["answers_per_active_day"] = out["n_answers"] / out["active_days"].where(
        out["active_days"] > 0
    )
    return out.sort_values("n_answers", ascending=False, kind="stable")


def throughput(answers: pd.DataFrame, freq: str = "D") -> pd.DataFrame:
    """Answers submitted per period (rows, UTC) and worker (columns), zeros filled."""
    _need(answers, ["worker", "submission_time"], "answers")
    period = times(answers, "submission_time").dt.floor(freq)
    table = answers.assign(period=period).pivot_table(
        index="period", columns="worker", values="submission_time", aggfunc="size", fill_value=0
    )
    if len(table):
        full = pd.date_range(table.index.min(), table.index.max(), freq=freq)
        table = table.reindex(full, fill_value=0)
    table.index.name = "period"
    return table


def wait_times(answers: pd.DataFrame, loops: pd.DataFrame) -> pd.Series:
    """Seconds from loop creation to each worker's acceptance (how long tasks sat in the queue)."""
    _need(loops, ["human_loop_name", "creation_time"], "loops")
    first = loops.drop_duplicates("human_loop_name")
    created = times(first, "creation_time", "loops").set_axis(first["human_loop_name"].to_numpy())
    start = answers["human_loop_name"].map(created)
    return (times(answers, "acceptance_time") - start).dt.total_seconds().rename("wait_seconds")


def backlog(loops: pd.DataFrame, now: Any = None, *,
            lifetime_seconds: float = DEFAULT_LIFETIME_SECONDS) -> pd.DataFrame:  # fmt: skip
    """Open loops (InProgress) with ``age_seconds``, ``lifetime_used`` (age / task lifetime),
    ``expires_at`` and ``seconds_left``; oldest first. ``now`` defaults to the current UTC time."""
    _need(loops, ["human_loop_name", "status", "creation_time"], "loops")
    if lifetime_seconds <= 0:
        raise InputError(f"lifetime_seconds={lifetime_seconds}: use the flow definition's "
                         "TaskAvailabilityLifetimeInSeconds (default 864000)")  # fmt: skip
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    if now.tzinfo is None:
        now = now.tz_localize("UTC")
    open_ = loops.loc[loops["status"] == "InProgress", ["human_loop_name", "creation_time"]].copy()
    open_["creation_time"] = times(open_, "creation_time", "loops")
    age = (now - open_["creation_time"]).dt.total_seconds()
    open_["age_seconds"] = age
    open_["lifetime_used"] = age / lifetime_seconds
    open_["expires_at"] = open_["creation_time"] + pd.Timedelta(seconds=lifetime_seconds)
    open_["seconds_left"] = np.maximum(lifetime_seconds - age, 0.0)
    return open_.sort_values("age_seconds", ascending=False, kind="stable").reset_index(drop=True)


def backlog_summary(table: pd.DataFrame) -> pd.Series:
    """``open``, ``oldest_hours``, ``median_age_hours``, ``share_past_half`` / ``share_past_90``
    of the lifetime, from a :func:`backlog` table."""
    used = table["lifetime_used"]
    return pd.Series({
        "open": float(len(table)),
        "oldest_hours": float(table["age_seconds"].max() / 3600) if len(table) else 0.0,
        "median_age_hours": float(table["age_seconds"].median() / 3600) if len(table) else 0.0,
        "share_past_half": float((used >= 0.5).mean()) if len(table) else 0.0,
        "share_past_90": float((used >= 0.9).mean()) if len(table) else 0.0,
    })  # fmt: skip
