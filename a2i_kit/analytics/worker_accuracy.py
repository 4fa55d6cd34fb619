"""Each worker's accuracy on gold (known-answer) tasks, with a Wilson confidence interval.

Offline twin of the service's live accuracy (``GET /_a2i/quality/accuracy``, or
:func:`a2i_kit.review.quality.worker_accuracy`): give the long answers frame crowd-kit uses
(``task``, ``worker``, ``label``) and the known labels of the gold tasks (a Series indexed by
task, or a frame with ``task`` and ``label``). Answers to tasks without a known label are left
out. A worker with few gold answers gets a wide interval: compare workers by their intervals,
not by the rate alone.

Example:
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"task": ["g1", "g2", "g1", "g2", "t9"], "worker": ["ann", "ann", "bo", "bo", "bo"],
    ...                         "label": ["cat", "dog", "cat", "cat", "cat"]})
    >>> gold = pd.Series({"g1": "cat", "g2": "dog"})
    >>> worker_accuracy(answers, gold)[["n_gold", "n_correct", "accuracy"]].to_dict("index")
    {'ann': {'n_gold': 2, 'n_correct': 2, 'accuracy': 1.0}, 'bo': {'n_gold': 2, 'n_correct': 1, 'accuracy': 0.5}}
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from a2i_kit.analytics._data import answers_frame, booleans, check_label_kinds
from a2i_kit.analytics.intervals import wilson_interval
from a2i_kit.errors import InputError

__all__ = ["accuracy_from_counts", "worker_accuracy"]
COLUMNS = ["n_gold", "n_correct", "accuracy", "low", "high"]


def _gold_series(gold: Any) -> pd.Series:
    if isinstance(gold, pd.DataFrame):
        missing = [c for c in ("task", "label") if c not in gold.columns]
        if missing:
            raise InputError(f"gold lacks column(s) {missing}: pass a frame with task and label, "
                             "or a Series of labels indexed by task")
        if gold["task"].duplicated().any():
            first = gold.loc[gold["task"].duplicated(), "task"].iloc[0]
            raise InputError(f"gold names task {first!r} twice: keep one known label per task")
        return pd.Series(gold["label"].to_numpy(), index=gold["task"].to_numpy())
    if isinstance(gold, pd.Series):
        if gold.index.has_duplicates:
            raise InputError(f"gold names task {gold.index[gold.index.duplicated()][0]!r} twice: "
                             "keep one known label per task")
        return gold
    if isinstance(gold, dict):
        return pd.Series(gold)
    raise InputError(f"gold must be a Series indexed by task, a dict or a frame with task and label, "
                     f"not {type(gold).__name__}")


def worker_accuracy(answers: pd.DataFrame, gold: Any = None, *, level: float = 0.95) -> pd.DataFrame:
    """One row per worker (index ``worker``): ``n_gold, n_correct, accuracy, low, high``.

    Without ``gold``, ``answers`` must carry a boolean ``correct`` column (one row per gold
    answer), e.g. the service's scored answers. Workers are sorted by the interval's lower bound,
    best first, so a worker who looks good on two items does not top the list.
    """
    if gold is None:
        if not isinstance(answers, pd.DataFrame) or not {"worker", "correct"} <= set(answers.columns):
            raise InputError("without gold, answers need columns worker and correct (True/False per gold answer); "
                             "or pass gold= with the known label of each gold task")
        scored = pd.DataFrame({"worker": answers["worker"].to_numpy(),
                               "correct": booleans(answers["correct"], "answers['correct']")})
    else:
        frame = answers_frame(answers)
        known = _gold_series(gold).dropna()
        frame = frame[frame["task"].isin(known.index)]
        check_label_kinds({"answers['label']": frame["label"].to_numpy(), "gold": known.to_numpy()},
                          ": convert one side, e.g. gold.astype(str)")
        scored = pd.DataFrame({"worker": frame["worker"].to_numpy(),
                               "correct": (frame["label"].to_numpy() == known.loc[frame["task"]].to_numpy())})
    counts = scored.groupby("worker", sort=True)["correct"].agg(["size", "sum"])
    return accuracy_from_counts(counts["sum"], counts["size"], level=level)


def accuracy_from_counts(correct: Any, n: Any, *, level: float = 0.95) -> pd.DataFrame:
    """The accuracy table from per-worker counts (two Series sharing the worker index)."""
    correct, n = pd.Series(correct, dtype=float), pd.Series(n, dtype=float)
    if (correct > n).any() or (correct < 0).any():
        raise InputError("correct must be between 0 and n for every worker")
    low, high = wilson_interval(correct.to_numpy(), n.to_numpy(), level)
    table = pd.DataFrame({"n_gold": n.astype(int), "n_correct": correct.astype(int),
                          "accuracy": (correct / n).where(n > 0), "low": low, "high": high}, index=n.index)
    table.index.name = "worker"
    return table.sort_values(["low", "n_gold"], ascending=False, kind="stable")[COLUMNS]
