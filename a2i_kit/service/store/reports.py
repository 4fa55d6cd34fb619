"""Read-only queries of the manager console: jobs with totals, pages of loops, answer counts.

Counts are aggregate queries (``GROUP BY``) and pages are ``LIMIT``/``OFFSET`` in SQL, so the
console costs the same with ten loops or ten thousand. Loop filters, everywhere the same:
``flow_arn`` (one job), ``status`` (a loop status) and ``search`` (case-insensitive substring of
the loop name). Deleted loops never count.

Example:
    >>> store.reports.loop_count(status="InProgress")                       # doctest: +SKIP
    42
    >>> store.reports.loops(search="invoice", offset=0, limit=25)[0]["name"]  # doctest: +SKIP
    'invoice-0007'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import Repository, doc_field

__all__ = ["Reports"]

f = schema.flow_definitions
t = schema.loops
a = schema.assignments


class Reports(Repository):
    """Queries only: nothing here writes. Statements are built once per filter shape."""

    def _cached(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        cache = self.__dict__.setdefault("_shapes", {})
        stmt = cache.get(key)
        if stmt is None:
            stmt = cache[key] = self.prepare(build())
        return stmt

    @staticmethod
    def _where(flow_arn: str | None, status: str | None, search: str | None) -> list[Any]:
        clauses: list[Any] = [t.c.deleted == 0]
        if flow_arn is not None:
            clauses.append(t.c.flow_definition_arn == sa.bindparam("flow_arn"))
        if status is not None:
            clauses.append(t.c.status == sa.bindparam("status"))
        if search is not None:
            clauses.append(sa.func.lower(t.c.name).like(sa.bindparam("pattern"), escape="\\"))
        return clauses

    @staticmethod
    def _params(flow_arn: str | None, status: str | None, search: str | None, **extra: Any) -> dict[str, Any]:
        given = {"flow_arn": flow_arn, "status": status, **extra}
        params = {k: v for k, v in given.items() if v is not None}
        if search is not None:
            escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["pattern"] = f"%{escaped}%"
        return params

    @staticmethod
    def _shape(flow_arn: str | None, status: str | None, search: str | None) -> tuple[bool, bool, bool]:
        return flow_arn is not None, status is not None, search is not None

    # -- loops -----------------------------------------------------------------------------------
    def status_counts(self, *, flow_arn: str | None = None, status: str | None = None,
                      search: str | None = None) -> dict[str, dict[str, int]]:
        """``{flow_arn: {status: loops}}`` of the loops matching the filters (one GROUP BY)."""
        shape = self._shape(flow_arn, status, search)
        stmt = self._cached(("status", *shape), lambda: (
            sa.select(t.c.flow_definition_arn, t.c.status, sa.func.count().label("n"))
            .where(*self._where(flow_arn, status, search)).group_by(t.c.flow_definition_arn, t.c.status)))
        out: dict[str, dict[str, int]] = {}
        for row in self.rows(stmt, self._params(flow_arn, status, search)):
            out.setdefault(row["flow_definition_arn"], {})[row["status"]] = int(row["n"])
        return out

    def submitted_counts(self, *, flow_arn: str | None = None, status: str | None = None,
                         search: str | None = None) -> dict[str, int]:
        """``{flow_arn: submitted answers}`` over the loops matching the filters (one GROUP BY)."""
        shape = self._shape(flow_arn, status, search)
        stmt = self._cached(("submitted", *shape), lambda: (
            sa.select(t.c.flow_definition_arn, sa.func.count().label("n"))
            .select_from(a.join(t, t.c.name == a.c.loop_name))
            .where(a.c.status == "submitted", *self._where(flow_arn, status, search))
            .group_by(t.c.flow_definition_arn)))
        return {row["flow_definition_arn"]: int(row["n"])
                for row in self.rows(stmt, self._params(flow_arn, status, search))}

    def loop_count(self, *, flow_arn: str | None = None, status: str | None = None,
                   search: str | None = None) -> int:
        shape = self._shape(flow_arn, status, search)
        stmt = self._cached(("count", *shape), lambda: (
            sa.select(sa.func.count()).select_from(t).where(*self._where(flow_arn, status, search))))
        return int(self.scalar(stmt, self._params(flow_arn, status, search)) or 0)

    def loops(self, *, flow_arn: str | None = None, status: str | None = None, search: str | None = None,
              offset: int = 0, limit: int = 25) -> list[dict[str, Any]]:
        """One page of matching loops, newest first: name, status, creation_time,
        flow_definition_arn and ``task_count`` (never the loop's input)."""
        shape = self._shape(flow_arn, status, search)
        stmt = self._cached(("loops", *shape), lambda: (
            sa.select(t.c.name, t.c.status, t.c.creation_time, t.c.flow_definition_arn,
                      doc_field(t.c.doc, "TaskCount").label("task_count"))
            .where(*self._where(flow_arn, status, search))
            .order_by(t.c.creation_time.desc(), t.c.name)
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))))
        rows = self.rows(stmt, self._params(flow_arn, status, search, limit=limit, offset=offset))
        for row in rows:
            row["task_count"] = int(float(row["task_count"] or 1))
        return rows

    def assignment_counts(self, loop_names: list[str], now: float) -> dict[str, dict[str, Any]]:
        """``{loop: {"submitted": n, "claimed": live claims, "workers": [ids that answered]}}``."""
        out: dict[str, dict[str, Any]] = {name: {"submitted": 0, "claimed": 0, "workers": []} for name in loop_names}
        if not loop_names:
            return out
        stmt, params = self.in_list(("assignments",), lambda names: (
            sa.select(a.c.loop_name, a.c.worker_id, a.c.status, a.c.deadline, a.c.submitted_at)
            .where(a.c.loop_name.in_(names), sa.or_(a.c.status == "submitted", a.c.status == "claimed"))
            .order_by(a.c.loop_name, a.c.submitted_at)), loop_names)
        for row in self.rows(stmt, params):
            entry = out[row["loop_name"]]
            if row["status"] == "submitted":
                entry["submitted"] += 1
                entry["workers"].append(row["worker_id"])
            elif row["deadline"] > now:
                entry["claimed"] += 1
        return out

    # -- jobs (flow definitions) -----------------------------------------------------------------
    def _jobs_where(self, job: str | None, loop_filter: bool, status: str | None, search: str | None) -> list[Any]:
        clauses: list[Any] = []
        if job is not None:
            clauses.append(f.c.name == sa.bindparam("job"))
        if loop_filter:
            matching = sa.select(t.c.flow_definition_arn).where(*self._where(None, status, search))
            clauses.append(f.c.arn.in_(matching.scalar_subquery()))
        return clauses

    def job_count(self, *, job: str | None = None, status: str | None = None, search: str | None = None) -> int:
        """Flow definitions (with ``status``/``search``: those with a matching loop)."""
        loop_filter = status is not None or search is not None
        stmt = self._cached(("jobcount", job is not None, status is not None, search is not None), lambda: (
            sa.select(sa.func.count()).select_from(f).where(*self._jobs_where(job, loop_filter, status, search))))
        return int(self.scalar(stmt, self._params(None, status, search, job=job)) or 0)

    def jobs(self, *, job: str | None = None, status: str | None = None, search: str | None = None,
             offset: int = 0, limit: int = 25) -> list[dict[str, Any]]:
        """One page of flow definitions, newest first (full records: their documents are small)."""
        loop_filter = status is not None or search is not None
        stmt = self._cached(("jobs", job is not None, status is not None, search is not None), lambda: (
            sa.select(f).where(*self._jobs_where(job, loop_filter, status, search))
            .order_by(f.c.creation_time.desc(), f.c.name)
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))))
        return self.rows(stmt, self._params(None, status, search, job=job, limit=limit, offset=offset))

    def job_names(self) -> list[str]:
        """Every flow definition's name, in name order (the console's job filter)."""
        stmt = self._cached(("jobnames",), lambda: sa.select(f.c.name).order_by(f.c.name))
        return [row["name"] for row in self.rows(stmt)]

    # -- workers ---------------------------------------------------------------------------------
    def worker_counts(self, now: float) -> dict[str, dict[str, int]]:
        """``{worker_id: {"submitted": answers, "claimed": live claims}}`` (one GROUP BY)."""
        stmt = self._cached(("workers",), lambda: (
            sa.select(a.c.worker_id, a.c.status, sa.func.count().label("n"))
            .where(sa.or_(a.c.status == "submitted",
                          sa.and_(a.c.status == "claimed", a.c.deadline > sa.bindparam("now"))))
            .group_by(a.c.worker_id, a.c.status)))
        out: dict[str, dict[str, int]] = {}
        for row in self.rows(stmt, {"now": now}):
            out.setdefault(row["worker_id"], {"submitted": 0, "claimed": 0})[row["status"]] = int(row["n"])
        return out
