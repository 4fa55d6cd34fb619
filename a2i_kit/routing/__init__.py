"""Decide which predictions go to human review: thresholds, band, margin, audit, budget.

Example:
    >>> import pandas as pd
    >>> from a2i_kit.routing import Budget, ReviewPolicy
    >>> df = pd.DataFrame({"item_id": ["a", "b"], "label": ["cat", "dog"], "score": [0.4, 0.99]})
    >>> ReviewPolicy(threshold=0.8, budget=Budget(max_items=10)).route(
    ...     df, label_col="label", score_col="score")["review"].tolist()
    [True, False]
"""

from __future__ import annotations

from a2i_kit.routing.audit import audit_uniform
from a2i_kit.routing.dryrun import DryRun
from a2i_kit.routing.policy import REASONS, Budget, ReviewPolicy

__all__ = ["REASONS", "Budget", "DryRun", "ReviewPolicy", "audit_uniform"]
