"""Close the loop: route the model's least confident predictions to review, retrain, repeat.

Each round, for two strategies side by side:

* ``least_confident`` — :class:`~a2i_kit.routing.ReviewPolicy` sends the pool items the current
  model is least sure of to review, within a budget of ``budget`` items;
* ``random`` — the same number of items, chosen by a seeded uniform audit (the baseline).

Both strategies' picks are labelled the same way: human loops on one flow definition, answered by
simulated reviewers with the same accuracy and consolidated across reviewers. The labels join the
strategy's training set and its model is retrained. Test accuracy is measured on held-out items
with their true labels.

Example:
    >>> config = LoopConfig(rounds=3, budget=20, seed=0)
    >>> frame = run_rounds(split, reviews, config)                       # doctest: +SKIP
    >>> frame.pivot(index="round", columns="strategy", values="test_accuracy")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.errors import ConfigError, InputError
from a2i_kit.experiments.data import Split
from a2i_kit.routing import Budget, ReviewPolicy

STRATEGIES = ("least_confident", "random")
COLUMNS = ["round", "strategy", "labelled", "pool", "reviewed", "no_consensus", "reviewed_total",
           "review_share",
           "cumulative_share", "model_wrong", "label_accuracy", "answer_accuracy", "test_accuracy"]


@dataclass(frozen=True)
class LoopConfig:
    """``rounds`` of review, ``budget`` items per round and strategy, seeds for everything."""

    rounds: int = 4
    budget: int = 40
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.rounds, int) or isinstance(self.rounds, bool) or self.rounds < 1:
            raise InputError(f"rounds={self.rounds!r}: need at least one round of review (rounds=3)")
        if not isinstance(self.budget, int) or isinstance(self.budget, bool) or self.budget < 1:
            raise InputError(f"budget={self.budget!r} must be a whole number of items >= 1 per round")


def default_model(seed: int = 0) -> Any:
    """Multinomial logistic regression (scikit-learn, Newton-CG), deterministic."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise ConfigError("default_model() needs scikit-learn: pip install 'a2i-kit[demo]'") from exc

    return LogisticRegression(solver="newton-cg", max_iter=500, random_state=seed)


def pick(model: Any, pool: pd.DataFrame, features: list[str], strategy: str, budget: int,
         seed: str) -> pd.DataFrame:
    """Route ``pool`` with the model's predictions; returns the rows sent to review."""
    proba = model.predict_proba(pool[features].to_numpy())
    frame = pd.DataFrame({"item_id": pool["item_id"].to_numpy(),
                          "model_label": np.asarray(model.classes_)[proba.argmax(axis=1)],
                          "confidence": proba.max(axis=1)})
    if strategy == "least_confident":
        policy = ReviewPolicy(threshold=1.0, budget=Budget(max_items=budget))
    else:
        policy = ReviewPolicy(audit_rate=1.0, seed=seed, budget=Budget(max_items=budget))
    routed = policy.route(frame, label_col="model_label", score_col="confidence")
    chosen = routed[routed["review"]]
    return chosen.merge(pool[["item_id", "true_label"]], on="item_id")


class _Learner:
    """One strategy's training set, pool and model."""

    def __init__(self, split: Split, make_model: Callable[[], Any]) -> None:
        self.features, self.make_model = split.features, make_model
        self.train = split.train[["item_id", "true_label", *split.features]].assign(
            label=split.train["true_label"])
        self.pool = split.pool.copy()
        self.reviewed_total = 0
        self.fit()

    def fit(self) -> None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError as exc:
            raise ConfigError("a2i_kit.experiments needs scikit-learn's threadpoolctl: "
                              "pip install 'a2i-kit[demo]'") from exc

        self.model = self.make_model()
        with threadpool_limits(1):  # small problem: BLAS threads only fight over the cores
            self.model.fit(self.train[self.features].to_numpy(), self.train["label"].to_numpy())

    def accuracy(self, test: pd.DataFrame) -> float:
        predicted = self.model.predict(test[self.features].to_numpy())
        return float((predicted == test["true_label"].to_numpy()).mean())

    def learn(self, reviewed: pd.DataFrame) -> None:
        """Train on the reviewed items with a consensus label; all reviewed items leave the pool."""
        labelled = reviewed[reviewed["label"].notna()]
        rows = self.pool[self.pool["item_id"].isin(labelled["item_id"])]
        rows = rows.merge(labelled[["item_id", "label"]], on="item_id")
        self.train = pd.concat([self.train, rows[self.train.columns]], ignore_index=True)
        self.pool = self.pool[~self.pool["item_id"].isin(reviewed["item_id"])].reset_index(drop=True)
        self.reviewed_total += len(reviewed)
        self.fit()


def run_rounds(split: Split, reviews: Any, config: LoopConfig | None = None, *,
               make_model: Callable[[], Any] | None = None) -> pd.DataFrame:
    """Route → launch → review → collect → consolidate → retrain, ``config.rounds`` times.

    ``reviews`` labels a frame of ``item_id``/``true_label`` rows (see
    :class:`~a2i_kit.experiments.Reviews`). Returns one row per round and strategy (round 0 is
    the first model), columns :data:`COLUMNS`: ``labelled`` training items after the round;
    ``pool`` unlabelled items at its start; ``reviewed`` items sent to review (``no_consensus`` of
    them without a majority label: left out of training); ``review_share`` = reviewed / pool;
    ``cumulative_share`` = all reviewed / the first pool; ``model_wrong`` share of consensus labels
    that overrode the model; ``label_accuracy`` consensus labels equal to the truth;
    ``answer_accuracy`` single answers equal to the truth; ``test_accuracy`` on the test set.
    """
    config = config or LoopConfig()
    if config.budget * config.rounds > len(split.pool):
        raise InputError(f"budget={config.budget} x rounds={config.rounds} is more than the pool "
                         f"holds ({len(split.pool)} items): lower one of them")
    make_model = make_model or (lambda: default_model(config.seed))
    learners = {s: _Learner(split, make_model) for s in STRATEGIES}
    initial_pool = len(split.pool)
    rows = [_row(0, s, learner, split, initial_pool, None, 0) for s, learner in learners.items()]
    for round_no in range(1, config.rounds + 1):
        picks = {s: pick(learner.model, learner.pool, split.features, s, config.budget,
                         seed=f"{config.seed}-round-{round_no}")
                 for s, learner in learners.items()}
        union = pd.concat(list(picks.values())).drop_duplicates("item_id")
        labels = reviews.label(union[["item_id", "true_label"]]).set_index("item_id")
        for strategy, learner in learners.items():
            chosen = picks[strategy].join(labels, on="item_id")
            pool_before = len(learner.pool)
            learner.learn(chosen)
            rows.append(_row(round_no, strategy, learner, split, initial_pool, chosen, pool_before))
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(round_no: int, strategy: str, learner: _Learner, split: Split, initial_pool: int,
         chosen: pd.DataFrame | None, pool_before: int) -> dict[str, Any]:
    reviewed = 0 if chosen is None else len(chosen)
    answers = 0 if chosen is None else int(chosen["answers"].sum())
    agreed = chosen[chosen["label"].notna()] if chosen is not None else None
    return {
        "round": round_no, "strategy": strategy, "labelled": len(learner.train),
        "pool": pool_before or len(learner.pool), "reviewed": reviewed,
        "no_consensus": reviewed - (0 if agreed is None else len(agreed)),
        "reviewed_total": learner.reviewed_total,
        "review_share": reviewed / pool_before if pool_before else 0.0,
        "cumulative_share": learner.reviewed_total / initial_pool,
        "model_wrong": np.nan if agreed is None or agreed.empty
        else float((agreed["model_label"] != agreed["label"]).mean()),
        "label_accuracy": np.nan if agreed is None or agreed.empty
        else float((agreed["label"] == agreed["true_label"]).mean()),
        "answer_accuracy": np.nan if chosen is None or not answers
        else int(chosen["answers_right"].sum()) / answers,
        "test_accuracy": learner.accuracy(split.test),
    }
