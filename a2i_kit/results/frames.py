"""Turn parser accumulators into typed DataFrames (times as UTC datetimes, numbers as floats).

Example:
    >>> from a2i_kit.results.parse import Parser
    >>> p = Parser()
    >>> p.feed("s3://b/fd/2024/05/02/09/14/03/l-1/output.json", {"humanAnswers": []})
    >>> str(loops_frame(p).loc[0, "creation_time"])
    '2024-05-02 09:14:03+00:00'
"""

from __future__ import annotations

import pandas as pd

from a2i_kit.results.parse import PROBLEM_COLUMNS, Parser


def _times(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, str]]:
    problems = []
    for col in columns:
        raw = frame[col]
        parsed = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce")
        bad = parsed.isna() & raw.notna()
        if bad.any():
            for uri, value in zip(frame.loc[bad, "output_uri"], raw[bad], strict=True):
                message = f"{col} {value!r} is not an ISO 8601 time; left empty"
                problems.append({"uri": uri, "kind": "bad_time", "severity": "warning",
                                 "message": message})  # fmt: skip
        frame[col] = parsed
    return problems


def loops_frame(parser: Parser) -> pd.DataFrame:
    """One row per loop: name, flow definition, times, status, ``input.*`` fields, output URI."""
    frame = parser.loops.frame()
    _times(frame, ["creation_time", "completion_time"])
    frame["task_count"] = frame["task_count"].astype("int64")
    return frame


def answers_frame(parser: Parser) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Long form: ``task``, ``worker``, ``label`` first (crowd-kit), then everything else.

    Returns the frame and the problems found while typing it (times that do not parse).
    """
    frame = parser.answers.frame()
    problems = _times(frame, ["acceptance_time", "submission_time"])
    frame["time_spent_seconds"] = pd.to_numeric(frame["time_spent_seconds"], errors="coerce")
    frame["answer_index"] = frame["answer_index"].astype("int64")
    return frame, problems


def problems_frame(problems: list[dict[str, str]]) -> pd.DataFrame:
    """Problems as a frame with columns uri, kind, severity, message."""
    return pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
