"""LoopLauncher: pick a flow definition, tune routing, see the dry run live, launch with progress.

The counts, cost and reviewer hours are :meth:`a2i_kit.routing.ReviewPolicy.dry_run` for the
current controls (the same call, so they always agree). The launch goes through
:func:`a2i_kit.launch.launch_loops` in batches (so the progress bar moves) with the ledger, so a
second launch starts only the items that are new.

Paid loops need a confirmation: on the AWS backend every loop is billed (A2I's per-object price,
plus the task price when the flow definition uses the public workforce), so Launch first shows
the number of new loops and their expected cost (:mod:`a2i_kit.pricing`) and starts them only
after the person confirms; ``launch()`` from Python needs ``confirm=True`` there. The embedded
service costs nothing and launches at once.

Example:
    >>> launcher = LoopLauncher(session, predictions=df, label_col="label", score_col="score",
    ...                         flow_definition="reviews", input_cols=["text", "label", "score"])  # doctest: +SKIP
    >>> launcher.threshold = 0.7; launcher.dry["n_review"]                                          # doctest: +SKIP
    42
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import traitlets

from a2i_kit.client.sessions import as_session
from a2i_kit.errors import InputError
from a2i_kit.session import Session
from a2i_kit.widgets.base import STATIC, MessageWidget, action, static_text
from a2i_kit.widgets.launch_support import flow_choices, ledger_split, paid_launch, resolve_flow


class LoopLauncher(MessageWidget):
    """Routing controls + live dry run + ledger-aware Launch for a predictions DataFrame.

    ``predictions`` is one DataFrame, or a dict ``{name: DataFrame}`` to choose from in the widget
    (e.g. one frame per batch or day); ``dataset`` is the chosen name.
    """

    _esm = static_text("common.js", "loop_launcher.js")
    _css = STATIC / "widgets.css"

    flows = traitlets.List(traitlets.Dict()).tag(sync=True)
    datasets = traitlets.List(traitlets.Unicode()).tag(sync=True)
    dataset = traitlets.Unicode("").tag(sync=True)
    flow_definition = traitlets.Unicode("").tag(sync=True)
    threshold = traitlets.Float(0.8).tag(sync=True)
    audit_rate = traitlets.Float(0.0).tag(sync=True)
    budget_items = traitlets.Int(None, allow_none=True).tag(sync=True)
    budget_cost = traitlets.Float(None, allow_none=True).tag(sync=True)
    dry = traitlets.Dict().tag(sync=True)
    ledger_counts = traitlets.Dict().tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)
    launching = traitlets.Bool(False).tag(sync=True)
    last_launch = traitlets.Dict().tag(sync=True)
    paid = traitlets.Dict().tag(sync=True)  # {} when loops cost nothing, else what one costs and why

    def __init__(self, session: Session, *, predictions: pd.DataFrame | Mapping[str, pd.DataFrame],
                 flow_definition: str | None = None,
                 id_col: str = "item_id", label_col: str | None = None, score_col: str | None = None,
                 proba_cols: Sequence[str] | Mapping[str, str] | None = None,
                 input_cols: Sequence[str] | None = None, policy: Any = None,
                 seconds_per_task: float = 30.0, ledger: Any = None, batch_size: int = 25,
                 max_workers: int = 8) -> None:
        from a2i_kit.launch import Ledger
        from a2i_kit.launch.ledger import default_ledger_path
        from a2i_kit.routing import ReviewPolicy

        frames = _frames(predictions)
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, got {batch_size}")
        self._session = session = as_session(session)
        self._frames = frames
        self._df = next(iter(frames.values()))
        self._id_col = id_col
        self._columns = {"id_col": id_col, "label_col": label_col, "score_col": score_col,
                         "proba_cols": proba_cols}
        self._input_cols = list(input_cols) if input_cols is not None else None
        self._base = policy or ReviewPolicy(threshold=0.8)
        self._seconds = float(seconds_per_task)
        self._ledger = ledger if isinstance(ledger, Ledger) else Ledger(Path(ledger or default_ledger_path(session)))
        self._batch, self._workers = batch_size, max_workers
        self._live = False
        self.routed: pd.DataFrame | None = None
        self.summary: pd.DataFrame | None = None
        budget = self._base.budget
        super().__init__(
            flows=flow_choices(session), datasets=list(frames), dataset=next(iter(frames)),
            threshold=self._base.threshold if self._base.threshold is not None else 0.8,
            audit_rate=self._base.audit_rate,
            budget_items=budget.max_items if budget else None,
            budget_cost=budget.max_cost if budget else None)
        if flow_definition:
            self.flow_definition = resolve_flow(session, flow_definition)
        elif self.flows:
            self.flow_definition = self.flows[0]["arn"]
        self._live = True
        self.update()

    # -- validation ---------------------------------------------------------------------
    @traitlets.validate("threshold", "audit_rate")
    def _check_fraction(self, proposal: Any) -> float:
        value, name = proposal["value"], proposal["trait"].name
        if not 0.0 <= value <= 1.0:
            raise traitlets.TraitError(f"{name} must be between 0 and 1, got {value}")
        return value

    @traitlets.validate("budget_items", "budget_cost")
    def _check_budget(self, proposal: Any) -> Any:
        value, name = proposal["value"], proposal["trait"].name
        if value is not None and value < 0:
            raise traitlets.TraitError(f"{name} must be >= 0 (or None for no cap), got {value}")
        return value

    @traitlets.validate("flow_definition")
    def _check_flow(self, proposal: Any) -> str:
        value = proposal["value"]
        known = {f["arn"] for f in self.flows}
        if value and known and value not in known:
            return resolve_flow(self._session, value)
        return value

    @traitlets.validate("dataset")
    def _check_dataset(self, proposal: Any) -> str:
        value = proposal["value"]
        if self.datasets and value not in self.datasets:
            raise traitlets.TraitError(f"dataset {value!r} is not one of: {', '.join(self.datasets)}")
        return value

    @traitlets.observe("threshold", "audit_rate", "budget_items", "budget_cost", "flow_definition",
                       "dataset")
    def _controls_changed(self, _change: Any) -> None:
        if self._live:
            self.update()

    # -- the dry run --------------------------------------------------------------------
    def policy(self) -> Any:
        """The :class:`~a2i_kit.routing.ReviewPolicy` the controls describe."""
        from a2i_kit.routing import Budget

        budget = None
        if self.budget_items is not None or self.budget_cost is not None:
            budget = Budget(max_items=self.budget_items, max_cost=self.budget_cost)
        return dataclasses.replace(self._base, threshold=self.threshold, audit_rate=self.audit_rate,
                                   budget=budget)

    def update(self) -> None:
        """Recompute routing, dry run and ledger split for the current controls."""
        from a2i_kit.routing import DryRun

        self._df = self._frames.get(self.dataset, self._df)
        try:
            policy = self.policy()
            columns = {k: v for k, v in self._columns.items() if v is not None}
            self.routed = policy.route(self._df, **columns)
            dry = DryRun.from_routed(self.routed, policy, seconds_per_task=self._seconds)
        except InputError as exc:
            self.report(exc)
            return
        self.dry = {"n_items": dry.n_items, "n_review": dry.n_review, "n_audit": dry.n_audit,
                    "counts": dict(dry.counts), "expected_cost": dry.expected_cost,
                    "reviewer_hours": dry.reviewer_hours, "cost_per_item": dry.cost_per_item,
                    "task_count": dry.task_count}
        self.ledger_counts = ledger_split(self._ledger, self.flow_definition, self.to_review(),
                                          self._id_col)
        self.paid = paid_launch(self._session, self.flow_definition, dry.cost_per_item)
        self.error = ""

    def expected_cost(self) -> float:
        """USD the next launch is expected to cost (new loops × cost per loop; 0 when free)."""
        per_loop = float(self.paid.get("per_loop", 0.0)) if self.paid else 0.0
        return round(per_loop * int(self.ledger_counts.get("new", 0)), 2)

    def to_review(self) -> pd.DataFrame:
        """The routed rows that go to review under the current controls."""
        if self.routed is None:
            return self._df.iloc[0:0]
        return self.routed[self.routed["review"].astype(bool)]

    # -- launch -------------------------------------------------------------------------
    def launch(self, *, confirm: bool = False) -> dict[str, int]:
        """Start loops for every reviewed item not yet launched; returns counts per status.

        Paid loops (AWS backend) start only with ``confirm=True``: the error says how many and
        what they are expected to cost.
        """
        from a2i_kit.launch import launch_loops

        if not self.flow_definition:
            raise InputError("choose a flow definition first (none is Active in this account)")
        new = int(self.ledger_counts.get("new", 0))
        if self.paid and new and not confirm:
            raise InputError(f"this starts {new} paid loop(s): expected cost "
                             f"${self.expected_cost():,.2f} ({self.paid['why']}); "
                             "call launch(confirm=True) to start them")
        todo = self.to_review()
        total = len(todo)
        counts = {"started": 0, "already_launched": 0, "failed": 0}
        parts: list[pd.DataFrame] = []
        self.launching = True
        self.progress = {"done": 0, "total": total, **counts}
        try:
            for start in range(0, total, self._batch):
                batch = todo.iloc[start:start + self._batch]
                part = launch_loops(self._session, batch, flow_definition_arn=self.flow_definition,
                                    id_col=self._id_col,
                                    input_cols=self._input_cols or list(self._df.columns),
                                    ledger=self._ledger, max_workers=self._workers, progress=False)
                parts.append(part)
                for status, n in part["status"].value_counts().items():
                    counts[str(status)] = counts.get(str(status), 0) + int(n)
                self.progress = {"done": min(start + len(batch), total), "total": total, **counts}
        finally:
            self.launching = False
            self.summary = pd.concat(parts, ignore_index=True) if parts else None
            self.update()
        self.last_launch = dict(counts)
        if counts["failed"]:
            first = self.summary[self.summary["status"] == "failed"].iloc[0] if self.summary is not None else None
            hint = f"; first: item {first['item_id']!r}: {first['error']}" if first is not None else ""
            self.error = f"{counts['failed']} loop(s) failed to start (launch again to retry them){hint}"
        return counts

    @action("launch")
    def _on_launch(self, payload: dict[str, Any]) -> dict[str, Any]:
        new = int(self.ledger_counts.get("new", 0))
        confirmed = payload.get("confirmed") is True and payload.get("new") == new
        if self.paid and new and not confirmed:  # ask first, with the numbers the person confirms
            return {"confirm": True, "new": new, "cost": self.expected_cost(), "why": self.paid["why"]}
        return self.launch(confirm=bool(self.paid))

    @action("refresh_flows")
    def _on_refresh_flows(self, _payload: dict[str, Any]) -> list[dict[str, Any]]:
        self.flows = flow_choices(self._session)
        if not self.flow_definition and self.flows:
            self.flow_definition = self.flows[0]["arn"]
        return self.flows


def _frames(predictions: Any) -> dict[str, pd.DataFrame]:
    """``{name: frame}`` from one DataFrame (named "predictions") or a mapping of them."""
    if isinstance(predictions, pd.DataFrame):
        if predictions.empty:
            raise InputError("predictions must be a non-empty pandas DataFrame (one row per item)")
        return {"predictions": predictions}
    frames = predictions
    if not isinstance(frames, Mapping) or not frames:
        raise InputError("predictions must be a non-empty pandas DataFrame (one row per item) "
                         "or a dict {name: DataFrame}")
    for name, frame in frames.items():
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise InputError(f"predictions[{name!r}] must be a non-empty pandas DataFrame (one row per item)")
    return {str(name): frame for name, frame in frames.items()}
