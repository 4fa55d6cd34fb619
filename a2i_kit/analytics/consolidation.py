"""Several reviewers per item: consolidate their labels and see who agrees with the consensus.

The answers frame passes to crowd-kit unchanged (``task``, ``worker``, ``label``). Majority vote is
built in (ties go to the label seen first in the answers, as in crowd-kit); Dawid–Skene, one-coin
Dawid–Skene, GLAD and MACE come from crowd-kit. Some crowd-kit aggregators (Wawa, ZeroBasedSkill)
call scikit-learn's ``check_is_fitted``, which recent scikit-learn releases refuse for classes
without ``__sklearn_tags__``: they raise an InputError naming the aggregators that work.

Escalation (:func:`a2i_kit.launch.escalate`) adds a follow-up reviewer to loops whose answers
disagree; its answers carry the original loop's name in ``escalated_from``. Majority vote counts
them like any other answer and, on a tie, takes the label the follow-up reviewer gave.

Example:
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"task": ["t1"] * 3 + ["t2"] * 2, "worker": ["a", "b", "c", "a", "b"],
    ...                         "label": ["cat", "cat", "dog", "dog", "dog"]})
    >>> majority_vote(answers).to_dict()
    {'t1': 'cat', 't2': 'dog'}
    >>> reviewer_agreement(answers)["agreement"].to_dict()
    {'a': 1.0, 'b': 1.0, 'c': 0.0}
    >>> tie = pd.DataFrame({"task": ["t"] * 3, "worker": ["a", "b", "f"], "label": ["cat", "dog", "fox"],
    ...                     "escalated_from": [None, None, "loop-t"]})
    >>> majority_vote(tie).to_dict()
    {'t': 'fox'}
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.analytics._data import answers_frame
from a2i_kit.errors import ConfigError, InputError

CROWDKIT_METHODS = {
    "dawid_skene": "DawidSkene",
    "one_coin_dawid_skene": "OneCoinDawidSkene",
    "glad": "GLAD",
    "mace": "MACE",
}
FOLLOWUP_COLUMN = "escalated_from"  # set on a follow-up reviewer's answers (the original loop)
# Known by name but failing with recent scikit-learn (see _aggregator_failed); tried, not advertised.
CROWDKIT_SKLEARN_TAGS = {"wawa": "Wawa", "zero_based_skill": "ZeroBasedSkill"}


def _counts(answers: pd.DataFrame) -> pd.DataFrame:
    """Votes per (task, label), best first; ties go to a follow-up reviewer's label (column
    ``escalated_from`` set), then to the label seen first in the answers."""
    frame = answers_frame(answers)
    first_seen = {label: i for i, label in enumerate(pd.unique(frame["label"]))}
    counts = frame.groupby(["task", "label"], sort=False).size().rename("votes").reset_index()
    counts["seen"] = counts["label"].map(first_seen)
    counts["followup"] = False
    if FOLLOWUP_COLUMN in answers.columns:
        said = answers[answers[FOLLOWUP_COLUMN].notna() & answers["label"].notna()]
        chosen = set(zip(said["task"], said["label"], strict=True))
        counts["followup"] = [pair in chosen for pair in zip(counts["task"], counts["label"], strict=True)]
    return counts.sort_values(["task", "votes", "followup", "seen"],
                              ascending=[True, False, False, True], kind="stable")


def majority_vote(answers: pd.DataFrame) -> pd.Series:
    """Most frequent label per task, named ``agg_label`` and indexed by ``task`` (crowd-kit shape)."""
    top = _counts(answers).drop_duplicates("task")
    return pd.Series(top["label"].to_numpy(), index=pd.Index(top["task"].to_numpy(), name="task"),
                     name="agg_label")  # fmt: skip


def consolidate(
    answers: pd.DataFrame, method: str | Any = "majority_vote", **params: Any
) -> pd.Series:
    """One label per task. ``method`` is ``"majority_vote"``, a key of :data:`CROWDKIT_METHODS`
    (``params`` go to the crowd-kit constructor, e.g. ``n_iter=100``) or any crowd-kit-style
    aggregator instance with ``fit_predict``."""
    if method == "majority_vote":
        return majority_vote(answers)
    frame = answers_frame(answers)
    if isinstance(method, str):
        names = {**CROWDKIT_METHODS, **CROWDKIT_SKLEARN_TAGS}
        if method not in names:
            raise InputError(f"method={method!r}: use one of {_working()} or a crowd-kit aggregator")
        try:
            import crowdkit.aggregation as ck
        except ImportError as exc:
            raise ConfigError(f"method={method!r} runs crowd-kit: pip install 'a2i-kit[crowdkit]', "
                              "or use method='majority_vote'") from exc

        method = getattr(ck, names[method])(**params)
    if not hasattr(method, "fit_predict"):
        raise InputError(f"{method!r} has no fit_predict(): pass a crowd-kit aggregator")
    try:
        return method.fit_predict(frame).rename("agg_label")
    except AttributeError as exc:
        if "__sklearn_tags__" not in str(exc):
            raise
        raise InputError(_aggregator_failed(method)) from exc


def _working() -> str:
    return ", ".join(["majority_vote", *CROWDKIT_METHODS])


def _aggregator_failed(method: Any) -> str:
    from importlib.metadata import version

    name = type(method).__name__
    return (
        f"crowd-kit's {name} does not run with the installed scikit-learn "
        f"{version('scikit-learn')} (crowd-kit {version('crowd-kit')}): it calls scikit-learn's "
        f"check_is_fitted, which in this scikit-learn needs __sklearn_tags__, and {name} does not "
        f"define it. Use one of {_working()} (they do not call it), or run {name} in an "
        "environment with the older scikit-learn your crowd-kit release was built against"
    )


def reviewer_agreement(answers: pd.DataFrame, consensus: pd.Series | None = None) -> pd.DataFrame:
    """Per worker: ``n`` answers compared and ``agreement`` with the consensus.

    With ``consensus`` (a Series indexed by task) each answer is compared to it. Without it, each
    answer is compared to the majority of the *other* workers on the same task (leave one out; it
    agrees when its label is among their most frequent); tasks with one answer are skipped.
    """
    frame = answers_frame(answers)
    if consensus is not None:
        ref = frame["task"].map(consensus)
        agree = (frame["label"] == ref).where(ref.notna())
    else:
        agree = _leave_one_out(frame)
    out = frame.assign(agree=agree).dropna(subset=["agree"]).groupby("worker", sort=True)["agree"]
    return pd.DataFrame({"n": out.size(), "agreement": out.mean().astype(float)})


def _leave_one_out(frame: pd.DataFrame) -> pd.Series:
    counts = _counts(frame)
    first = counts.drop_duplicates("task").set_index("task")
    second = counts[counts.duplicated("task")].drop_duplicates("task").set_index("task")["votes"]
    own = frame.merge(counts, on=["task", "label"], how="left")["votes"].to_numpy()
    top_label = frame["task"].map(first["label"]).to_numpy()
    top_votes = frame["task"].map(first["votes"]).to_numpy()
    runner_up = frame["task"].map(second).fillna(0).to_numpy()
    is_top = frame["label"].to_numpy() == top_label
    others_own = own - 1
    best_other = np.where(is_top, runner_up, top_votes)
    n_others = frame.groupby("task")["label"].transform("size").to_numpy() - 1
    agree = np.where(is_top | (own == top_votes), others_own >= best_other, False).astype(float)
    agree[(n_others == 0) | (others_own + best_other == 0)] = np.nan
    return pd.Series(agree, index=frame.index)


def loop_agreement(answers: pd.DataFrame, by: str = "human_loop_name") -> pd.DataFrame:
    """Per loop (or ``by`` column): ``answers``, ``distinct`` labels and ``agreement``, the share of
    answers giving the most frequent label. An empty label counts as an answer of its own, and
    labels that are lists or objects (boxes, entities) compare by their JSON.

    >>> frame = pd.DataFrame({"human_loop_name": ["l1", "l1", "l2", "l2"], "worker": list("abab"),
    ...                       "label": ["cat", "dog", "cat", "cat"]})
    >>> loop_agreement(frame)["agreement"].to_dict()
    {'l1': 0.5, 'l2': 1.0}
    """
    if not isinstance(answers, pd.DataFrame) or by not in answers.columns or "label" not in answers.columns:
        raise InputError(f"answers must be a DataFrame with columns {by!r} and 'label': use "
                         "Results(...).answers")
    keys = answers["label"].map(_label_key)
    votes = answers.assign(_key=keys).groupby([by, "_key"], sort=True).size()
    grouped = votes.groupby(level=0)
    out = pd.DataFrame({"answers": grouped.sum(), "distinct": grouped.size(), "top": grouped.max()})
    out["agreement"] = out["top"] / out["answers"]
    out.index.name = by
    return out.drop(columns="top")


def _label_key(label: Any) -> str:
    """One text per distinct label: JSON (sorted keys) for lists, tuples and objects."""
    if label is None or (isinstance(label, float) and label != label):
        return "null"
    return json.dumps(label, sort_keys=True, default=str)
