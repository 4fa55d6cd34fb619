"""Experiments with human review: does reviewing the model's least confident items pay off?

:func:`run_rounds` closes the loop (route → launch → review → collect → consolidate → retrain)
against a baseline that reviews the same number of random items; :func:`plot_rounds` charts it.

Example:
    >>> from a2i_kit.experiments import LoopConfig, Reviews, run_rounds, split_digits
    >>> split = split_digits(initial=30, test_size=500, seed=0)
    >>> reviews = Reviews(session, flow_definition_arn=flow_arn, accuracy=0.75)  # doctest: +SKIP
    >>> frame = run_rounds(split, reviews, LoopConfig(rounds=4, budget=25))     # doctest: +SKIP
"""

from __future__ import annotations

from a2i_kit.experiments.close_loop import (
    COLUMNS,
    STRATEGIES,
    LoopConfig,
    default_model,
    pick,
    run_rounds,
)
from a2i_kit.experiments.data import Split, split_arrays, split_digits
from a2i_kit.experiments.offline import OfflineReviews, repeat_offline
from a2i_kit.experiments.plot import plot_accuracy, plot_review_share, plot_rounds
from a2i_kit.experiments.review import DIGIT_TEMPLATE, Reviews

__all__ = [
    "COLUMNS",
    "DIGIT_TEMPLATE",
    "STRATEGIES",
    "LoopConfig",
    "OfflineReviews",
    "Reviews",
    "Split",
    "default_model",
    "pick",
    "plot_accuracy",
    "plot_review_share",
    "plot_rounds",
    "repeat_offline",
    "run_rounds",
    "split_arrays",
    "split_digits",
]
