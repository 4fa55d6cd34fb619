"""Noisy labels without a service: many seeds of the experiment in a second or two.

The embedded service run shows the real loop once; repeating it over many seeds would take
minutes. :class:`OfflineReviews` draws each reviewer's answer the way the simulated reviewers do
(right with probability ``accuracy``, otherwise another label uniformly) and consolidates them
with the same analytics, so :func:`run_rounds` can be repeated to see how much of a difference
is luck.

Example:
    >>> import pandas as pd
    >>> items = pd.DataFrame({"item_id": ["a", "b"], "true_label": ["1", "2"]})
    >>> OfflineReviews(classes=["1", "2", "3"], accuracy=1.0).label(items)["label"].tolist()
    ['1', '2']
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import pandas as pd

from a2i_kit.errors import InputError
from a2i_kit.experiments.review import consensus


class OfflineReviews:
    """``task_count`` seeded noisy answers per item, consolidated (same interface as Reviews)."""

    def __init__(self, *, classes: Sequence[Any], accuracy: float = 0.8, task_count: int = 3,
                 seed: int = 0, method: str = "majority_vote") -> None:
        if not 0.0 < accuracy <= 1.0:
            raise InputError(f"accuracy={accuracy!r} must be in (0, 1]: the share of right answers")
        if not isinstance(task_count, int) or task_count < 1:
            raise InputError(f"task_count={task_count!r} must be a whole number >= 1")
        if len(classes) < 2:
            raise InputError("classes needs at least two labels to draw wrong answers from")
        self.classes, self.accuracy = [str(c) for c in classes], accuracy
        self.task_count, self.seed, self.method = task_count, seed, method
        self.labels: dict[str, str | None] = {}

    def _answer(self, item: str, worker: int, truth: str) -> str:
        rng = random.Random(f"{self.seed}|{worker}|{item}")
        if rng.random() < self.accuracy:
            return truth
        return rng.choice([c for c in self.classes if c != truth])

    def label(self, items: pd.DataFrame) -> pd.DataFrame:
        """Columns ``item_id``, ``label``, ``answers``, ``answers_right``, ``new``."""
        rows = [{"task": str(item), "worker": f"w{k}", "label": self._answer(str(item), k, str(truth)),
                 "truth": str(truth)}
                for item, truth in zip(items["item_id"], items["true_label"], strict=True)
                for k in range(self.task_count)]
        answers = pd.DataFrame(rows, columns=["task", "worker", "label", "truth"])
        new = ~answers["task"].isin(self.labels)
        if new.any():
            fresh = answers[new].sort_values(["task", "label", "worker"], kind="stable")
            self.labels.update(consensus(fresh[["task", "worker", "label"]], self.method))
        right = (answers["label"] == answers["truth"]).groupby(answers["task"]).sum()
        frame = pd.DataFrame({"item_id": items["item_id"].astype(str).to_numpy()})
        frame["label"] = frame["item_id"].map(self.labels)
        frame["answers"] = self.task_count
        frame["answers_right"] = frame["item_id"].map(right).astype(int)
        frame["new"] = frame["item_id"].isin(answers.loc[new, "task"])
        return frame


def repeat_offline(seeds: Sequence[int], *, initial: int = 60, test_size: int = 500, rounds: int = 5,
                   budget: int = 20, accuracy: float = 0.8, task_count: int = 3) -> pd.DataFrame:
    """:func:`run_rounds` once per seed (split, reviewers' noise and random picks all seeded),
    with :class:`OfflineReviews`; the frames stacked with a ``seed`` column."""
    from a2i_kit.experiments.close_loop import LoopConfig, run_rounds
    from a2i_kit.experiments.data import split_digits

    if not seeds:
        raise InputError("seeds is empty: pass the seeds to repeat the experiment with, e.g. range(5)")
    frames = []
    for seed in seeds:
        split = split_digits(initial=initial, test_size=test_size, seed=seed)
        reviews = OfflineReviews(classes=split.classes, accuracy=accuracy, task_count=task_count, seed=seed)
        frame = run_rounds(split, reviews, LoopConfig(rounds=rounds, budget=budget, seed=seed))
        frames.append(frame.assign(seed=seed))
    return pd.concat(frames, ignore_index=True)
