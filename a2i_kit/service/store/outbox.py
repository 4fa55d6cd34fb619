"""Repository of the transactional outbox: side effects of a status change still to perform.

A row is added in the transaction that changes the loop's status; delivery reads it with
``lock=True`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two processes never deliver one
row at the same time, and deletes it in the same transaction.

Example:
    >>> with store.transaction():                                        # doctest: +SKIP
    ...     row_id = store.outbox.add("loop-1", "Completed", write_output=True, event=None,
    ...                               log_offset=0, created=1.0)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import Repository
from a2i_kit.service.store.core import Engine
from a2i_kit.service.store.events import event_insert

__all__ = ["Outbox"]

o = schema.outbox


ADDED = ("loop_name", "status", "write_output", "event", "log_offset", "created")


class Outbox(Repository):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        prepare = self.prepare
        get = sa.select(o).where(o.c.id == sa.bindparam("row_id"))
        self._get = prepare(get)
        self._claim = prepare(get.with_for_update(skip_locked=True))
        free = sa.select(o.c.id).where(o.c.id == sa.bindparam("row_id")).with_for_update(skip_locked=True)
        self._take = prepare(sa.delete(o).where(o.c.id.in_(free.scalar_subquery())).returning(*o.c))
        add = sa.insert(o).values({c: sa.bindparam(c) for c in ADDED})
        self._add = prepare(add if self.dialect == "sqlite" else add.returning(o.c.id))
        event = event_insert(self.dialect)
        if self.dialect == "sqlite":
            self._add_event = prepare(event)
        else:  # the event and the row in one statement: WITH ... (INSERT INTO events) INSERT INTO outbox
            self._add_with_event = prepare(add.returning(o.c.id).add_cte(event.cte("added_event")))
        self._all = prepare(sa.select(o.c.id).order_by(o.c.id))
        self._due = prepare(sa.select(o.c.id).where(o.c.next_attempt <= sa.bindparam("now")).order_by(o.c.id))
        self._delete = prepare(sa.delete(o).where(o.c.id == sa.bindparam("row_id")))
        self._retry = prepare(sa.update(o).where(o.c.id == sa.bindparam("row_id")).values(
            attempts=sa.bindparam("attempts"), next_attempt=sa.bindparam("next_attempt"),
            last_error=sa.bindparam("last_error")))
        self._rows = prepare(sa.select(o).order_by(o.c.id))

    def add(self, loop_name: str, status: str, *, write_output: bool, event: str | None, log_offset: int,
            created: float, event_id: str | None = None) -> int:
        """Record a change's side effects (inside its transaction); returns the row id.

        With ``event_id`` the event (JSON text ``event``) is also appended to the ``events`` table,
        once per id (as ``store.events.add``): on PostgreSQL in the same statement.
        """
        params = {"loop_name": loop_name, "status": status, "write_output": int(write_output), "event": event,
                  "log_offset": log_offset, "created": created}
        if event_id is None or event is None:
            return int(self.add_key(self._add, params))
        if self.dialect == "sqlite":
            self.add_key(self._add_event, {"event_id": event_id, "loop_name": loop_name, "time": created,
                                           "doc": event})
            return int(self.add_key(self._add, params))
        return int(self.add_key(self._add_with_event, {**params, "event_id": event_id, "time": created,
                                                       "doc": event}))

    def get(self, row_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        """One row; ``lock=True`` skips a row another process is delivering (returns None)."""
        rows = self.rows(self._claim if lock else self._get, {"row_id": row_id})
        return rows[0] if rows else None

    def take(self, row_id: int) -> dict[str, Any] | None:
        """Delete one row inside the delivering transaction and return it; None when it is gone
        or another process is delivering it (its lock is skipped). A rollback puts it back."""
        rows = self.rows(self._take, {"row_id": row_id})
        return rows[0] if rows else None

    def due(self, now: float | None = None) -> list[int]:
        """Ids of rows due for delivery (every row when ``now`` is None), oldest first."""
        rows = self.rows(self._all) if now is None else self.rows(self._due, {"now": now})
        return [row["id"] for row in rows]

    def delete(self, row_id: int) -> int:
        return self.run(self._delete, {"row_id": row_id})

    def retry_later(self, row_id: int, attempts: int, next_attempt: float, last_error: str) -> None:
        self.run(self._retry, {"row_id": row_id, "attempts": attempts, "next_attempt": next_attempt,
                               "last_error": last_error})

    def all(self) -> list[dict[str, Any]]:
        """Every row, oldest first (tests and diagnostics)."""
        return self.rows(self._rows)
