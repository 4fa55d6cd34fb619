"""Repository of status-change events: an append-only table whose ``seq`` is a cursor.

An event is added in the same transaction as the status change it reports (exactly once by
construction); readers page with ``after(seq)``.

Example:
    >>> with store.transaction():                                        # doctest: +SKIP
    ...     seq = store.events.add(event, loop_name="loop-1", time=now)
    >>> [seq for seq, event in store.events.after(0)]                     # doctest: +SKIP
    [1]
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import Repository, insert_ignore
from a2i_kit.service.store.core import Engine

__all__ = ["Events", "event_insert"]

ev = schema.events


def event_insert(dialect: str) -> Any:
    """INSERT of one event that does nothing when its ``event_id`` is stored (RETURNING its seq on
    PostgreSQL); parameters ``event_id``, ``loop_name``, ``time``, ``doc``."""
    return insert_ignore(dialect, ev, ("event_id", "loop_name", "time", "doc"))


class Events(Repository):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        prepare = self.prepare
        self._add = prepare(event_insert(self.dialect))
        self._after = prepare(sa.select(ev.c.seq, ev.c.doc.label("text")).where(ev.c.seq > sa.bindparam("after"))
                              .order_by(ev.c.seq).limit(sa.bindparam("limit")))
        self._last = prepare(sa.select(sa.func.coalesce(sa.func.max(ev.c.seq), 0)))
        self._has = prepare(sa.select(ev.c.seq).where(ev.c.event_id == sa.bindparam("event_id")))

    def add(self, event: dict[str, Any], *, loop_name: str, time: float) -> int | None:
        """Append an event (inside the transaction of its change); None if its id is already stored."""
        seq = self.add_key(self._add, {"event_id": event["id"], "loop_name": loop_name, "time": time,
                                       "doc": json.dumps(event, separators=(",", ":"))})
        return None if seq is None else int(seq)

    def after(self, seq: int = 0, limit: int = 1000) -> list[tuple[int, dict[str, Any]]]:
        """(seq, event) pairs after cursor ``seq``, oldest first."""
        rows = self.rows(self._after, {"after": seq, "limit": limit})
        return [(int(row["seq"]), json.loads(row["text"])) for row in rows]

    def last_seq(self) -> int:
        """The newest event's seq (0 when there is none): a cursor that skips the past."""
        return int(self.scalar(self._last))

    def contains(self, event_id: str) -> bool:
        return bool(self.rows(self._has, {"event_id": event_id}))
