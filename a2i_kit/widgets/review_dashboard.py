"""ReviewDashboard: live loop status, progress over time, agreement and the key charts.

The browser asks the kernel to ``refresh`` every ``interval`` seconds while the widget is shown
(the kernel answers between cells, so a long cell only delays it); each refresh also reads the
embedded service's new status-change events (its event cursor, over HTTP), which mark the
dashboard as changed. Answers are read incrementally with
:class:`a2i_kit.results.Results`; charts are re-drawn only when new answers arrived.

Example:
    >>> dash = ReviewDashboard(session, flow_definition="reviews", predictions=df,
    ...                        label_col="label", score_col="score")        # doctest: +SKIP
    >>> dash.refresh()["Completed"]                                         # doctest: +SKIP
    12
    >>> dash.export("exports/reviews", fmt="parquet")                       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import traitlets

from a2i_kit.client.arns import flow_definition_name
from a2i_kit.client.sessions import as_session
from a2i_kit.errors import InputError, ServiceError
from a2i_kit.monitor.events import LATEST, Deduper, read_events
from a2i_kit.session import Session
from a2i_kit.widgets import dashboard_data as data
from a2i_kit.widgets.base import STATIC, MessageWidget, action, static_text
from a2i_kit.widgets.launch_support import resolve_flow

MAX_HISTORY = 720


class ReviewDashboard(MessageWidget):
    """Status counts, progress over time, model-vs-human agreement, charts, export.

    Reviewers appear by name: the embedded service's worker names, or ``worker_names``
    ({workerId: name}) on AWS, where output.json carries only an opaque ``workerId``.
    """

    _esm = static_text("common.js", "review_dashboard.js")
    _css = STATIC / "widgets.css"

    flow_name = traitlets.Unicode("").tag(sync=True)
    counts = traitlets.Dict().tag(sync=True)
    history = traitlets.List(traitlets.Dict()).tag(sync=True)
    agreement = traitlets.Dict().tag(sync=True)
    charts = traitlets.List(traitlets.Dict()).tag(sync=True)
    n_answers = traitlets.Int(0).tag(sync=True)
    interval = traitlets.Float(5.0).tag(sync=True)
    updated = traitlets.Unicode("").tag(sync=True)
    events_seen = traitlets.Int(0).tag(sync=True)
    export_dir = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, session: Session, *, flow_definition: str, predictions: pd.DataFrame | None = None,
                 id_col: str = "item_id", label_col: str = "label", score_col: str | None = None,
                 label_field: str | None = None, template: str | None = None, interval: float = 5.0,
                 export_dir: str | Path | None = None, worker_names: dict[str, str] | None = None) -> None:
        from a2i_kit.results import Results

        if predictions is not None and id_col not in predictions.columns:
            raise InputError(f"predictions have no id column {id_col!r}; pass id_col=<item id column>")
        self._session = session = as_session(session)
        self._arn = resolve_flow(session, flow_definition)
        name = flow_definition_name(self._arn)
        self._predictions, self._id, self._label, self._score = predictions, id_col, label_col, score_col
        self.results = Results.from_session(session, name, item_key=id_col, label_field=label_field,
                                            template=template)
        self.joined: pd.DataFrame | None = None
        self._drawn_for = -1
        self._dirty = True
        self.worker_names = dict(worker_names or {})
        super().__init__(flow_name=name, interval=interval,
                         export_dir=str(export_dir or Path("a2i-exports") / name))
        self._events, self._seen = 0, Deduper()
        self._cursor = self._event_cursor()
        self.refresh()

    @traitlets.validate("interval")
    def _check_interval(self, proposal: Any) -> float:
        value = proposal["value"]
        if value != 0 and not 0.5 <= value <= 3600:
            raise traitlets.TraitError(f"interval must be 0 (no polling) or 0.5-3600 seconds, got {value}")
        return value

    def _event_cursor(self) -> int | None:
        """Where the service's event log ends now (None without one: on AWS counts drive refresh)."""
        if not self._session.admin_token:
            return None
        try:
            return read_events(self._session, after=LATEST, limit=1)[1]
        except (InputError, ServiceError):
            return None

    def _read_events(self) -> None:
        """Count this flow's status changes since the last refresh; any marks the dashboard changed."""
        while self._cursor is not None:
            events, self._cursor = read_events(self._session, after=self._cursor)
            for event in events:
                if (event.get("detail") or {}).get("flowDefinitionArn") in (None, self._arn) and self._seen(event):
                    self._events += 1
                    self._dirty = True
            if len(events) < 1000:
                return

    # -- data ---------------------------------------------------------------------------
    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """``loops``, ``answers`` and (with predictions) ``joined``: what Export writes."""
        frames = {"loops": self.results.loops, "answers": self.results.answers}
        if self.joined is not None:
            frames["joined"] = self.joined
        return frames

    def refresh(self, *, force: bool = True) -> dict[str, int]:
        """Re-read statuses and new outputs; redraw charts when answers changed. Returns counts.

        ``force=False`` (the browser's polling) reads outputs only when the counts moved or a
        status-change event arrived since the last refresh.
        """
        from a2i_kit.results import list_loop_statuses

        self._read_events()
        counts = data.status_counts(list_loop_statuses(self._session, self._arn))
        now = dt.datetime.now(dt.UTC)
        changed = counts != self.counts
        self.counts = counts
        if changed or not self.history:  # progress over time: one point per change
            self.history = [*self.history, {"t": now.timestamp() * 1000, **counts}][-MAX_HISTORY:]
        if force or changed or self._dirty:
            self.results.sync()
        answers = self.results.answers
        self.n_answers = len(answers)
        if self.n_answers != self._drawn_for:
            self._analyse(answers)
        self.events_seen = self._events
        self._dirty = False
        self.updated = now.isoformat(timespec="seconds")
        return counts

    def _analyse(self, answers: pd.DataFrame) -> None:
        if self._predictions is not None and len(answers):
            self.joined = self.results.join_predictions(self._predictions, on=self._id)
            self.agreement = data.agreement(self.joined, self._label)
        self.worker_names = {**data.worker_names(self._session), **self.worker_names}  # reviewers by name
        self.charts = data.charts(data.named(answers, self.worker_names), self.joined, self._label, self._score)
        self._drawn_for = len(answers)

    def export(self, folder: str | Path | None = None, *, fmt: str = "csv") -> list[str]:
        """Write every frame to ``folder`` (default ``export_dir``) as CSV or Parquet."""
        paths = data.export_frames(self.frames, folder or self.export_dir, fmt)
        self.status = f"saved {len(paths)} file(s) to {Path(paths[0]).parent}" if paths else ""
        return paths

    # -- browser actions ----------------------------------------------------------------
    @action("refresh")
    def _on_refresh(self, payload: dict[str, Any]) -> dict[str, int]:
        return self.refresh(force=not payload.get("poll"))

    @action("export")
    def _on_export(self, payload: dict[str, Any]) -> list[str]:
        return self.export(payload.get("folder") or None, fmt=str(payload.get("format") or "csv"))

    @action("download")
    def _on_download(self, payload: dict[str, Any]) -> dict[str, str]:
        name = str(payload.get("frame") or "answers")
        frames = self.frames
        if name not in frames:
            raise InputError(f"no frame named {name!r}; choose one of {', '.join(frames)}")
        return data.csv_payload(frames[name], f"{self.flow_name}-{name}")
