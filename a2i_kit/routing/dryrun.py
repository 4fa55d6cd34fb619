"""What a policy would send to review, what it costs and how long people need for it.

Example:
    >>> import pandas as pd
    >>> from a2i_kit.routing.policy import ReviewPolicy
    >>> df = pd.DataFrame({"item_id": range(4), "label": "x", "score": [0.1, 0.5, 0.9, 0.95]})
    >>> dry = ReviewPolicy(threshold=0.8).dry_run(df, label_col="label", score_col="score",
    ...                                           seconds_per_task=36)
    >>> dry.n_review, dry.expected_cost, dry.reviewer_hours
    (2, 0.16, 0.02)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from a2i_kit.routing.policy import REASONS


@dataclass
class DryRun:
    """Summary of a routed frame; ``to_frame()`` gives one row per reason."""

    n_items: int
    n_review: int
    n_audit: int
    counts: dict[str, int]
    cost_per_item: float
    task_count: int
    seconds_per_task: float
    a2i_per_object: float = 0.0
    workforce_per_task: float = 0.0
    review_reasons: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_routed(cls, routed: pd.DataFrame, policy: Any, *, seconds_per_task: float) -> DryRun:
        counts = routed["reason"].value_counts(sort=False)
        ordered = {r: int(counts.get(r, 0)) for r in REASONS if counts.get(r, 0)}
        reviewed = routed.groupby("reason", observed=True)["review"].any().to_dict()
        a2i = policy.prices.a2i_per_object[policy.task_type]
        per_item = policy.cost_per_item()
        return cls(n_items=len(routed), n_review=int(routed["review"].sum()),
                   n_audit=int(routed["audit"].sum()), counts=ordered, cost_per_item=per_item,
                   task_count=policy.task_count, seconds_per_task=float(seconds_per_task),
                   a2i_per_object=a2i,
                   workforce_per_task=round((per_item - a2i) / policy.task_count, 6),
                   review_reasons={r: bool(reviewed.get(r, False)) for r in ordered})

    @property
    def expected_cost(self) -> float:
        """USD for every item sent to review."""
        return round(self.n_review * self.cost_per_item, 6)

    @property
    def reviewer_hours(self) -> float:
        """Person-hours: reviewed items × TaskCount × seconds per task."""
        return round(self.n_review * self.task_count * self.seconds_per_task / 3600, 4)

    def to_frame(self) -> pd.DataFrame:
        """One row per reason: items, share, review, cost, reviewer_hours."""
        rows = []
        for reason, items in self.counts.items():
            reviewed = self.review_reasons.get(reason, False)
            rows.append({"reason": reason, "items": items, "share": items / max(self.n_items, 1),
                         "review": reviewed,
                         "cost": round(items * self.cost_per_item, 6) if reviewed else 0.0,
                         "reviewer_hours": round(items * self.task_count * self.seconds_per_task
                                                 / 3600, 4) if reviewed else 0.0})
        return pd.DataFrame(rows, columns=["reason", "items", "share", "review", "cost",
                                           "reviewer_hours"]).set_index("reason")

    def __repr__(self) -> str:
        share = self.n_review / max(self.n_items, 1)
        lines = [f"DryRun: {self.n_items:,} items -> {self.n_review:,} to review ({share:.1%}), "
                 f"{self.n_audit:,} of them audit"]
        lines.append(f"  {'reason':<22}{'items':>10}{'share':>9}{'cost':>12}{'hours':>9}")
        for reason, row in self.to_frame().iterrows():
            lines.append(f"  {reason:<22}{row['items']:>10,}{row['share']:>9.1%}"
                         f"{'$' + format(row['cost'], ',.2f'):>12}{row['reviewer_hours']:>9.1f}")
        lines.append(f"  expected cost ${self.expected_cost:,.2f} (A2I ${self.a2i_per_object:.3f}"
                     f" + workforce ${self.workforce_per_task:.3f} x {self.task_count} task(s) per "
                     f"item); reviewer time {self.reviewer_hours:,.1f} h at "
                     f"{self.seconds_per_task:g} s/task")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{self.__repr__()}</pre>" + self.to_frame().to_html()
