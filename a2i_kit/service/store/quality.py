"""Repository of reviewer quality control: per-flow settings, known-answer items, hidden tasks.

Tables (schema v3): ``quality_configs`` (gold rate, pass threshold per flow definition name),
``quality_items`` (gold and qualification items), ``quality_tasks`` (one worker's hidden task)
and ``quality_workers`` (real answers counted, qualification outcome per flow and worker).

:meth:`Quality.configs` is read on every task list, claim and submit, so it is cached in the
process and re-read at most every ``CONFIG_TTL`` seconds (at once after a write here); another
process sees a change within that time.

Example:
    >>> store.quality.set_config("flow-1", gold_rate=0.1, pass_threshold=None, now=1.0)  # doctest: +SKIP
    >>> store.quality.configs()["flow-1"]["gold_rate"]                                      # doctest: +SKIP
    0.1
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import Repository, insert_ignore, upsert
from a2i_kit.service.store.core import Engine

__all__ = ["CONFIG_TTL", "Quality"]

CONFIG_TTL = 1.0  # seconds a process serves its cached copy of quality_configs
c, i, t, w = schema.quality_configs, schema.quality_items, schema.quality_tasks, schema.quality_workers
OPEN = ("open", "claimed")
TASK_COLUMNS = tuple(col.name for col in t.columns)


class Quality(Repository):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        prepare = self.prepare
        self._configs = prepare(sa.select(c))
        self._config = prepare(sa.select(c).where(c.c.flow_name == sa.bindparam("flow")))
        self._set_config = prepare(upsert(self.dialect, c, ("flow_name",),
                                          ("flow_name", "gold_rate", "pass_threshold", "updated")))
        self._drop_config = prepare(sa.delete(c).where(c.c.flow_name == sa.bindparam("flow")))
        self._put_item = prepare(upsert(self.dialect, i, ("flow_name", "kind", "item_id"),
                                        ("flow_name", "kind", "item_id", "doc", "created")))
        self._items = prepare(sa.select(i).where(i.c.flow_name == sa.bindparam("flow"), i.c.kind == sa.bindparam("kind"))
                              .order_by(i.c.created, i.c.item_id))
        self._item = prepare(sa.select(i).where(i.c.flow_name == sa.bindparam("flow"), i.c.kind == sa.bindparam("kind"),
                                                i.c.item_id == sa.bindparam("item")))
        self._drop_items = prepare(sa.delete(i).where(i.c.flow_name == sa.bindparam("flow"),
                                                      i.c.kind == sa.bindparam("kind")))
        self._count_items = prepare(sa.select(i.c.kind, sa.func.count().label("n")).where(
            i.c.flow_name == sa.bindparam("flow")).group_by(i.c.kind))
        self._task = prepare(sa.select(t).where(t.c.name == sa.bindparam("name")))
        self._put_task = prepare(upsert(self.dialect, t, ("name",), TASK_COLUMNS))
        self._open_tasks = prepare(sa.select(t).where(t.c.worker_id == sa.bindparam("worker"),
                                                      sa.or_(*(t.c.status == s for s in OPEN))).order_by(t.c.creation_time, t.c.name))
        self._tasks_of = prepare(sa.select(t).where(t.c.worker_id == sa.bindparam("worker"),
                                                    t.c.flow_name == sa.bindparam("flow")).order_by(t.c.creation_time))
        self._drop_tasks = prepare(sa.delete(t).where(t.c.worker_id == sa.bindparam("worker"),
                                                      t.c.flow_name == sa.bindparam("flow"), t.c.kind == sa.bindparam("kind")))
        self._state = prepare(sa.select(w).where(w.c.flow_name == sa.bindparam("flow"), w.c.worker_id == sa.bindparam("worker")))
        self._put_state = prepare(upsert(self.dialect, w, ("flow_name", "worker_id"),
                                         ("flow_name", "worker_id", "real_answers", "qualification", "doc")))
        self._states = prepare(sa.select(w).order_by(w.c.flow_name, w.c.worker_id))
        self._states_of = prepare(sa.select(w).where(w.c.worker_id == sa.bindparam("worker")).order_by(w.c.flow_name))
        state_columns = ("flow_name", "worker_id", "real_answers", "qualification", "doc")
        self._new_state = prepare(insert_ignore(self.dialect, w, state_columns))
        mine = (w.c.flow_name == sa.bindparam("flow"), w.c.worker_id == sa.bindparam("worker"))
        self._begin_qualification = prepare(sa.update(w).where(*mine, w.c.qualification == "none")
                                            .values(qualification="pending"))
        self._count_real = prepare(sa.update(w).where(*mine).values(real_answers=w.c.real_answers + 1))
        self._scores = prepare(
            sa.select(t.c.flow_name, t.c.worker_id, t.c.kind, sa.func.count().label("answered"),
                      sa.func.coalesce(sa.func.sum(t.c.correct), 0).label("correct"))
            .where(t.c.status == "submitted").group_by(t.c.flow_name, t.c.worker_id, t.c.kind))
        self._cache: tuple[float, dict[str, dict[str, Any]]] | None = None

    # -- settings per flow (cached) --------------------------------------------------------------
    def configs(self) -> dict[str, dict[str, Any]]:
        """``{flow_name: {"gold_rate", "pass_threshold"}}``, at most ``CONFIG_TTL`` seconds old."""
        cached, now = self._cache, time.monotonic()
        if cached is not None and now - cached[0] < CONFIG_TTL:
            return cached[1]
        found = {row["flow_name"]: row for row in self.rows(self._configs)}
        self._cache = (now, found)
        return found

    def config(self, flow_name: str) -> dict[str, Any] | None:
        """One flow's settings read from the database now (not the cache)."""
        rows = self.rows(self._config, {"flow": flow_name})
        return rows[0] if rows else None

    def _forget(self) -> None:
        self._cache = None
        self.engine.after_commit(lambda: setattr(self, "_cache", None))

    def set_config(self, flow_name: str, *, gold_rate: float | None, pass_threshold: float | None,
                   now: float) -> None:
        self.run(self._set_config, {"flow_name": flow_name, "gold_rate": gold_rate,
                                    "pass_threshold": pass_threshold, "updated": now})
        self._forget()

    def drop_config(self, flow_name: str) -> int:
        gone = self.run(self._drop_config, {"flow": flow_name})
        self._forget()
        return gone

    # -- items -----------------------------------------------------------------------------------
    def put_items(self, flow_name: str, kind: str, items: list[tuple[str, dict[str, Any]]], now: float) -> None:
        """Add (or replace, by id) items of one kind."""
        for item_id, doc in items:
            self.run(self._put_item, {"flow_name": flow_name, "kind": kind, "item_id": item_id,
                                      "doc": json.dumps(doc), "created": now})

    def drop_items(self, flow_name: str, kind: str) -> int:
        return self.run(self._drop_items, {"flow": flow_name, "kind": kind})

    def items(self, flow_name: str, kind: str) -> list[dict[str, Any]]:
        return self.rows(self._items, {"flow": flow_name, "kind": kind})

    def item(self, flow_name: str, kind: str, item_id: str) -> dict[str, Any] | None:
        rows = self.rows(self._item, {"flow": flow_name, "kind": kind, "item": item_id})
        return rows[0] if rows else None

    def item_counts(self, flow_name: str) -> dict[str, int]:
        return {row["kind"]: int(row["n"]) for row in self.rows(self._count_items, {"flow": flow_name})}

    # -- hidden tasks ----------------------------------------------------------------------------
    def task(self, name: str) -> dict[str, Any] | None:
        rows = self.rows(self._task, {"name": name})
        return rows[0] if rows else None

    def put_task(self, record: dict[str, Any]) -> None:
        values = {col: record.get(col) for col in TASK_COLUMNS}
        values["doc"] = json.dumps(record.get("doc") or {})
        self.run(self._put_task, values)

    def open_tasks(self, worker_id: str) -> list[dict[str, Any]]:
        """A worker's hidden tasks not yet answered (any flow), oldest first."""
        return self.rows(self._open_tasks, {"worker": worker_id})

    def tasks_of(self, flow_name: str, worker_id: str) -> list[dict[str, Any]]:
        return self.rows(self._tasks_of, {"flow": flow_name, "worker": worker_id})

    def drop_tasks(self, flow_name: str, worker_id: str, kind: str) -> int:
        return self.run(self._drop_tasks, {"flow": flow_name, "worker": worker_id, "kind": kind})

    # -- per worker ------------------------------------------------------------------------------
    def state(self, flow_name: str, worker_id: str) -> dict[str, Any]:
        """The (flow, worker) row; a fresh one (not stored) when there is none."""
        rows = self.rows(self._state, {"flow": flow_name, "worker": worker_id})
        if rows:
            return rows[0]
        return {"flow_name": flow_name, "worker_id": worker_id, "real_answers": 0, "qualification": "none", "doc": {}}

    def put_state(self, record: dict[str, Any]) -> None:
        self.run(self._put_state, {**{k: record[k] for k in ("flow_name", "worker_id", "real_answers",
                                                              "qualification")},
                                   "doc": json.dumps(record.get("doc") or {})})

    def _ensure_state(self, flow_name: str, worker_id: str) -> bool:
        return self.added(self._new_state, {"flow_name": flow_name, "worker_id": worker_id, "real_answers": 0,
                                            "qualification": "none", "doc": "{}"})

    def begin_qualification(self, flow_name: str, worker_id: str) -> bool:
        """Move (flow, worker) from ``none`` to ``pending``; True in exactly one of two racers."""
        self._ensure_state(flow_name, worker_id)
        return self.run(self._begin_qualification, {"flow": flow_name, "worker": worker_id}) == 1

    def count_real_answer(self, flow_name: str, worker_id: str) -> dict[str, Any]:
        """Add one real answer to (flow, worker) and return the row (PostgreSQL: locked until commit,
        so one worker's concurrent answers in a flow are counted one after the other)."""
        self._ensure_state(flow_name, worker_id)
        self.run(self._count_real, {"flow": flow_name, "worker": worker_id})
        return self.state(flow_name, worker_id)

    def states_of(self, worker_id: str) -> list[dict[str, Any]]:
        return self.rows(self._states_of, {"worker": worker_id})

    def states(self) -> list[dict[str, Any]]:
        return self.rows(self._states)

    def scores(self) -> list[dict[str, Any]]:
        """Answered hidden tasks per (flow, worker, kind): ``answered`` and ``correct``."""
        return [{**row, "answered": int(row["answered"]), "correct": int(row["correct"])}
                for row in self.rows(self._scores)]
