"""Repository of assignments: a worker's claim on, and answer to, one human loop.

One row per (loop, worker): ``claimed`` → ``submitted`` | ``released`` | ``expired``. Decisions
about a loop's claims are taken with the loop's row locked (``store.loops.get(name, lock=True)``).

Example:
    >>> store.claims.put({"loop_name": "l", "worker_id": "w", "status": "claimed",  # doctest: +SKIP
    ...                   "claimed_at": 1.0, "deadline": 61.0})
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import Repository, json_copy, upsert
from a2i_kit.service.store.core import Engine

__all__ = ["Claims"]

a = schema.assignments
loops = schema.loops
COLUMNS = ("loop_name", "worker_id", "status", "claimed_at", "deadline", "submitted_at", "doc")


class Claims(Repository):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        prepare = self.prepare
        self._put = prepare(upsert(self.dialect, a, ("loop_name", "worker_id"), COLUMNS))
        self._of_loop = prepare(sa.select(a).where(a.c.loop_name == sa.bindparam("loop")).order_by(a.c.claimed_at))
        self._held = prepare(sa.select(a).where(a.c.worker_id == sa.bindparam("worker"), a.c.status == "claimed"))
        self._due = prepare(sa.select(a.c.loop_name, a.c.worker_id).where(
            a.c.status == "claimed", a.c.deadline <= sa.bindparam("now")))
        self._expire = prepare(sa.update(a).where(
            a.c.loop_name == sa.bindparam("loop"), a.c.worker_id == sa.bindparam("worker"),
            a.c.status == "claimed").values(status="expired"))
        self._open_stmt = (sa.select(a.c.loop_name, a.c.worker_id, a.c.status, a.c.claimed_at, a.c.deadline)
                           .join(loops, loops.c.name == a.c.loop_name)
                           .where(sa.or_(loops.c.status == "InProgress", loops.c.status == "Stopping"),
                                  loops.c.deleted == 0))
        self._open = prepare(self._open_stmt)
        self._all = prepare(sa.select(a))

    def _memo(self, loop_name: str) -> dict[str, Any] | None:
        """PostgreSQL: this transaction's memo of assignments when it holds the loop's row lock."""
        tx = self.engine.current()
        if tx is None or self.engine.sqlite or loop_name not in tx.memo.get("loops", {}).get("locked", ()):
            return None
        return tx.memo.setdefault("claims", {})

    def put(self, record: dict[str, Any]) -> None:
        """Insert or replace one assignment."""
        memo = self._memo(record["loop_name"])
        if memo is not None and record["loop_name"] in memo:  # keep the memo as the database will be
            row = {c: record.get(c) for c in COLUMNS}
            row["doc"] = json_copy(record.get("doc", {}))
            rows = [r for r in memo[record["loop_name"]] if r["worker_id"] != record["worker_id"]] + [row]
            memo[record["loop_name"]] = sorted(rows, key=lambda r: r["claimed_at"])
        self.run(self._put, {"loop_name": record["loop_name"], "worker_id": record["worker_id"],
                             "status": record["status"], "claimed_at": record["claimed_at"],
                             "deadline": record["deadline"], "submitted_at": record.get("submitted_at"),
                             "doc": json.dumps(record.get("doc", {}))})

    def of_loop(self, loop_name: str) -> list[dict[str, Any]]:
        """Every assignment of a loop, oldest claim first.

        Read once per transaction that holds the loop's row lock (PostgreSQL; claims of a loop
        are decided under that lock), then served as copies until this transaction writes one.
        """
        memo = self._memo(loop_name)
        if memo is None:
            return self.rows(self._of_loop, {"loop": loop_name})
        rows = memo.get(loop_name)
        if rows is None:
            rows = memo[loop_name] = self.rows(self._of_loop, {"loop": loop_name})
        return json_copy(rows)

    def held_by(self, worker_id: str) -> list[dict[str, Any]]:
        """The claims a worker holds (status ``claimed``, live or past their deadline)."""
        return self.rows(self._held, {"worker": worker_id})

    def expire_due(self, now: float) -> set[str]:
        """Mark claims past their deadline ``expired``; returns the names of the loops touched."""
        with self.engine.transaction() as tx:
            tx.memo.pop("claims", None)
            rows = self.rows(self._due, {"now": now})
            for row in rows:
                self.run(self._expire, {"loop": row["loop_name"], "worker": row["worker_id"]})
        return {row["loop_name"] for row in rows}

    def of_open_loops(self, team_arns: list[str] | None = None) -> list[dict[str, Any]]:
        """Assignments (without answers) of every InProgress/Stopping loop: the task lists.

        With ``team_arns``, only those of these workteams' loops (a reviewer's task list).
        """
        if team_arns is None:
            return self.rows(self._open)
        stmt, params = self.in_list(("open",), lambda arns: self._open_stmt.where(loops.c.workteam_arn.in_(arns)),
                                    team_arns)
        return self.rows(stmt, params)

    def all(self) -> list[dict[str, Any]]:
        return self.rows(self._all)
