"""Repository of human loops: records, the lists and scans the API, worker API and sweeper need.

A loop that decides something (claim, answer, status change) is read with ``lock=True`` inside
the transaction: on PostgreSQL that row lock serializes every decision about one loop across
processes; on SQLite the transaction already excludes every other writer.

Example:
    >>> with store.transaction():                                   # doctest: +SKIP
    ...     loop = store.loops.get("loop-1", lock=True)
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import dialect_insert, doc_field, json_copy
from a2i_kit.service.store.core import Engine
from a2i_kit.service.store.resources import Resources

__all__ = ["HumanLoops"]

t = schema.loops
a = schema.assignments
w = schema.workteams
f = schema.flow_definitions
ui = schema.task_uis
LIVE = ("InProgress", "Stopping")
DEFAULT_LIFETIME = 864000.0  # TaskAvailabilityLifetimeInSeconds when a loop's document has none
RECOUNT_SECONDS = 1.0  # PostgreSQL: how long a count of InProgress loops (plus this process's starts) serves


def number(value: Any) -> float | None:
    """A JSON number read from a ``doc`` field (text on PostgreSQL, a number on SQLite)."""
    return None if value is None else float(value)


class HumanLoops(Resources):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, t)
        prepare = self.prepare
        self._names = prepare(sa.select(t.c.name).where(t.c.status == sa.bindparam("status"), t.c.deleted == 0))
        self._expired = prepare(sa.select(t).where(t.c.status == "InProgress", t.c.expires_at <= sa.bindparam("now"),
                                                   t.c.deleted == 0).order_by(t.c.name))
        self._of_flow = prepare(sa.select(t.c.name, t.c.status).where(
            t.c.flow_definition_arn == sa.bindparam("arn"), t.c.deleted == 0).order_by(t.c.name))
        self._count_status = prepare(
            sa.select(sa.func.count()).select_from(t).where(t.c.status == sa.bindparam("status")))
        capped = sa.select(sa.literal(1)).where(t.c.status == "InProgress").limit(sa.bindparam("quota")).subquery()
        self._capped_count = prepare(sa.select(sa.func.count()).select_from(capped))
        self._max_rowid = prepare(sa.text("SELECT COALESCE(MAX(rowid), 0) FROM loops"))
        # StartHumanLoop's checks in one query: the flow definition (document unparsed), whether the
        # task UI its last document named still exists, and a bound of the InProgress loops.
        busy = (sa.select(sa.func.coalesce(sa.func.max(sa.literal_column("rowid")), 0)).select_from(t)
                if self.dialect == "sqlite" else sa.select(sa.func.count()).select_from(capped))
        has_ui = sa.exists().where(ui.c.name == sa.bindparam("ui_name"), ui.c.arn == sa.bindparam("ui_arn"))
        checks = sa.select(f.c.name, f.c.arn, f.c.status, f.c.creation_time, f.c.doc.label("doc_text"),
                           has_ui.label("ui_exists")).where(f.c.name == sa.bindparam("name"))
        self._start_checks = prepare(checks.add_columns(busy.scalar_subquery().label("busy")))
        self._start_checks_uncounted = prepare(checks)
        self._counted: list[float] | None = None  # PostgreSQL: [InProgress bound, monotonic time of its count]
        # StartHumanLoop in one statement when the flow definition is as last seen (see insert_if_startable).
        unchanged = sa.exists().where(
            f.c.name == sa.bindparam("flow_name"), f.c.arn == sa.bindparam("flow_definition_arn"),
            f.c.status == "Active", f.c.creation_time == sa.bindparam("flow_created"))
        values = sa.select(*(sa.cast(sa.bindparam(c), t.c[c].type) for c in self.columns)).where(unchanged, has_ui)
        if self.dialect == "sqlite":  # the rowid bound, as in start_checks
            values = values.where(busy.scalar_subquery() < sa.bindparam("quota"))
        insert = dialect_insert(self.dialect, t).from_select(self.columns, values).on_conflict_do_nothing()
        self._insert_startable = prepare(insert if self.dialect == "sqlite" else insert.returning(t.c.name))
        self._for_work = prepare(
            sa.select(t, w.c.name.label("team_name"), w.c.arn.label("team_arn"), w.c.doc.label("team_doc"),
                      f.c.status.label("flow_status"))
            .select_from(t.outerjoin(w, w.c.arn == t.c.workteam_arn).outerjoin(f, f.c.arn == t.c.flow_definition_arn))
            .where(t.c.name == sa.bindparam("name")).with_for_update(of=t))
        self._visible = prepare(sa.select(t).where(t.c.deleted == 0).order_by(t.c.creation_time.desc(), t.c.name))

    # -- rows locked by this transaction are read once (PostgreSQL) ------------------------------
    def get(self, name: str, *, lock: bool = False) -> dict[str, Any] | None:
        """One loop; ``lock=True`` (inside a transaction) holds its row until commit on PostgreSQL.

        On PostgreSQL a loop this transaction has locked is read from the database once: nobody
        else can change it until the commit, and a submit read it five times (a round trip and a
        JSON parse each). Callers get a copy; a write to the loop forgets it.
        """
        memo = self._memo()
        if memo is None:
            return super().get(name, lock=lock)
        if name in memo["locked"]:
            record = memo["loops"].get(name)
            if record is None:
                record = memo["loops"][name] = super().get(name)
            return None if record is None else {**record, "doc": json_copy(record["doc"])}
        record = super().get(name, lock=lock)
        if lock and record is not None:
            memo["locked"].add(name)
            memo["loops"][name] = record
            return {**record, "doc": json_copy(record["doc"])}
        return record

    def lock_for_work(self, name: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str | None]:
        """``(loop, workteam, flow status)`` with the loop locked, in one query (a claim or answer).

        The loop's workteam (``name``, ``arn``, ``doc``) and its flow definition's status come with
        it, so the checks of a claim need no further reads. Afterwards ``get(name)`` in this
        transaction is served from what was read, as after ``get(name, lock=True)``.

        >>> with store.transaction():                                   # doctest: +SKIP
        ...     loop, team, flow_status = store.loops.lock_for_work("loop-1")
        """
        rows = self.rows(self._for_work, {"name": name})
        if not rows:
            return None, None, None
        loop = rows[0]
        team_name, team_arn, team_doc = loop.pop("team_name"), loop.pop("team_arn"), loop.pop("team_doc")
        flow_status = loop.pop("flow_status")
        team = None if team_name is None else {
            "name": team_name, "arn": team_arn, "doc": json.loads(team_doc) if isinstance(team_doc, str) else team_doc}
        memo = self._memo()
        if memo is not None:
            memo["locked"].add(name)
            memo["loops"][name] = loop
            loop = {**loop, "doc": json_copy(loop["doc"])}
        return loop, team, flow_status

    def _memo(self) -> dict[str, Any] | None:
        tx = self.engine.current()
        if tx is None or self.engine.sqlite:  # SQLite: a read is microseconds, nothing to save
            return None
        return tx.memo.setdefault("loops", {"locked": set(), "loops": {}})

    def forget(self, name: str) -> None:
        memo = self._memo()
        if memo is not None:
            memo["loops"].pop(name, None)

    def locked_here(self, name: str) -> bool:
        """Whether the current transaction holds this loop's row lock (PostgreSQL)."""
        memo = self._memo()
        return memo is not None and name in memo["locked"]

    def put(self, record: dict[str, Any]) -> None:
        self.forget(record["name"])
        super().put(record)

    def insert(self, record: dict[str, Any]) -> bool:
        self.forget(record["name"])
        added = super().insert(record)
        counted = self._counted
        if added and counted is not None and record["status"] == "InProgress":
            counted[0] += 1  # the bound stays an upper bound for this process's own starts
        return added

    def update(self, name: str, **fields: Any) -> int:
        self.forget(name)
        return super().update(name, **fields)

    def delete(self, name: str) -> int:
        self.forget(name)
        return super().delete(name)

    def _values(self, record: dict[str, Any]) -> dict[str, Any]:
        doc = record["doc"]
        lifetime = number(doc.get("TaskAvailabilityLifetimeInSeconds")) or DEFAULT_LIFETIME
        summary = {field: doc.get(field) for field in schema.SUMMARY_FIELDS}
        return super()._values({"deleted": 0, "updated_time": 0.0, **record,
                                "expires_at": record["creation_time"] + lifetime,
                                "workteam_arn": doc.get("WorkteamArn"),
                                "summary": json.dumps(summary, separators=(",", ":"))})

    def names_with_status(self, status: str) -> list[str]:
        """Names of the (not deleted) loops in ``status``."""
        return [row["name"] for row in self.rows(self._names, {"status": status})]

    def expired(self, now: float) -> list[dict[str, Any]]:
        """InProgress loops whose availability lifetime has elapsed at ``now`` (full records, by name).

        One range read of the ``(status, expires_at)`` index: the cost follows the overdue loops,
        not the open ones.
        """
        return self.rows(self._expired, {"now": now})

    def of_flow(self, flow_arn: str) -> list[dict[str, Any]]:
        """``name`` and ``status`` of the (not deleted) loops of a flow definition."""
        return self.rows(self._of_flow, {"arn": flow_arn})

    def visible(self) -> list[dict[str, Any]]:
        """Every loop not deleted, newest first (the manager page)."""
        return self.rows(self._visible)

    def count_with_status(self, status: str) -> int:
        return int(self.scalar(self._count_status, {"status": status}))

    def in_progress_at_least(self, quota: int) -> bool:
        """Whether ``quota`` loops are InProgress, without counting them all on every start.

        On SQLite the number of rows is at most ``max(rowid)`` (one B-tree lookup); only when that
        bound reaches the quota are loops counted, and then at most ``quota`` of them.
        """
        if self.dialect == "sqlite" and int(self.scalar(self._max_rowid)) < quota:
            return False
        return int(self.scalar(self._capped_count, {"quota": quota})) >= quota

    def start_checks(self, flow_name: str, ui_name: str, ui_arn: str, quota: int) -> dict[str, Any] | None:
        """The flow definition ``flow_name`` (``doc_text`` unparsed) or None, with ``ui_exists`` (a
        task UI of that name and ARN exists) and ``busy``: at least the number of InProgress loops
        when that is below ``quota`` (on SQLite the largest rowid, an upper bound that costs one
        B-tree lookup; else the count capped at ``quota``). ``busy >= quota`` calls for
        :meth:`in_progress_at_least`.

        On PostgreSQL counting costs one index entry per InProgress loop, so a count serves for
        :data:`RECOUNT_SECONDS`, raised by every loop this process starts meanwhile: exact for one
        process (finished loops only lower the true number) and, as before, approximate across
        processes. Near the quota every start counts again.
        """
        params = {"name": flow_name, "ui_name": ui_name, "ui_arn": ui_arn, "quota": quota}
        counted, now = self._counted, time.monotonic()
        if self.dialect == "sqlite" or counted is None or now - counted[1] >= RECOUNT_SECONDS \
                or counted[0] + 1 >= quota:
            rows = self.rows(self._start_checks, params)
            if rows and self.dialect != "sqlite":
                self._counted = [int(rows[0]["busy"]), now]
            return rows[0] if rows else None
        rows = self.rows(self._start_checks_uncounted, params)
        return {**rows[0], "busy": int(counted[0])} if rows else None

    def insert_if_startable(self, record: dict[str, Any], *, flow_name: str, flow_created: float,
                            ui_name: str, ui_arn: str, quota: int) -> bool:
        """Insert a new InProgress loop in one statement if its flow definition is still the Active
        one created at ``flow_created``, the task UI exists and the quota is not near (as
        :meth:`start_checks` sees it); False when any of that (or a new name) is not so: run the
        checks then. The loop's document may rely on the flow definition's, which never changes.

        On PostgreSQL it only runs while a recent count of InProgress loops is far from the quota.
        """
        counted = self._counted
        if self.dialect != "sqlite" and (counted is None or time.monotonic() - counted[1] >= RECOUNT_SECONDS
                                         or counted[0] + 1 >= quota):
            return False
        params = {**self._values(record), "flow_name": flow_name, "flow_created": flow_created,
                  "ui_name": ui_name, "ui_arn": ui_arn, "quota": quota}
        self.forget(record["name"])
        added = self.added(self._insert_startable, params)
        if added and counted is not None:
            counted[0] += 1
        return added

    def page_of_flow(self, flow_arn: str, **kwargs: Any) -> tuple[list[dict[str, Any]], str | None]:
        """ListHumanLoops: a page of one flow definition's (not deleted) loops; see ``page``."""
        return self.page(flow_arn=flow_arn, **kwargs)

    def mark_deleted(self, name: str, now: float) -> int:
        return self.update(name, deleted=1, updated_time=now)

    def open_for_teams(self, team_arns: list[str]) -> list[dict[str, Any]]:
        """InProgress/Stopping loops of these workteams, oldest first: ``name``, ``status``,
        ``creation_time``, ``flow_definition_arn`` and a slim ``doc`` (``WorkteamArn`` and the
        fields of :data:`schema.SUMMARY_FIELDS` it has), never the loop's whole document.
        """
        stmt, params = self.in_list(("teams",), lambda arns: (
            sa.select(t.c.name, t.c.status, t.c.creation_time, t.c.flow_definition_arn, t.c.workteam_arn,
                      t.c.summary)
            .where(t.c.workteam_arn.in_(arns), sa.or_(*(t.c.status == s for s in LIVE)), t.c.deleted == 0)
            .order_by(t.c.creation_time, t.c.name)), team_arns)
        loops = []
        for row in self.rows(stmt, params):
            doc = {k: v for k, v in json.loads(row.pop("summary") or "{}").items() if v is not None}
            doc["WorkteamArn"] = row.pop("workteam_arn")
            loops.append({**row, "doc": doc})
        return loops

    def answered_but_open(self) -> list[str]:
        """InProgress loops that already hold TaskCount submitted answers (a crash left them open)."""
        stmt = (sa.select(t.c.name, doc_field(t.c.doc, "TaskCount").label("task_count"),
                          sa.func.count().label("submitted"))
                .join(a, a.c.loop_name == t.c.name)
                .where(t.c.status == "InProgress", t.c.deleted == 0, a.c.status == "submitted")
                .group_by(t.c.name, t.c.doc))
        return sorted(row["name"] for row in self.rows(stmt)
                      if row["submitted"] >= int(number(row["task_count"]) or 1))
