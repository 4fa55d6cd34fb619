"""Repositories of the named resources: task UIs, flow definitions, workteams and workers.

Each record is a dict with ``name``, ``arn``, ``status``, ``creation_time`` and ``doc`` (the JSON
document AWS echoes back). Lists page by keyset on (creation_time, name).

Example:
    >>> store.task_uis.insert({"name": "t", "arn": "arn:t", "status": "Active",  # doctest: +SKIP
    ...                        "creation_time": 1.0, "doc": {}})
    True
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.page_token import PageToken
from a2i_kit.service.store import schema
from a2i_kit.service.store.base import Repository, doc_field, insert_ignore, json_copy, upsert
from a2i_kit.service.store.core import Engine
from a2i_kit.service.store.row_cache import CHANNEL

__all__ = ["FlowDefinitions", "Resources", "TaskUis", "Workers", "Workteams"]


class Resources(Repository):
    """Get, put, insert, update, delete and page the records of one resource table."""

    cached = False  # True: records are read on hot paths through get_cached (see row_cache)

    def __init__(self, engine: Engine, table: sa.Table) -> None:
        super().__init__(engine)
        self.table = t = table
        if self.cached and self.dialect != "sqlite":
            self._notify = self.prepare(sa.select(sa.func.pg_notify(CHANNEL, sa.bindparam("payload"))))
        self.columns = tuple(c.name for c in t.columns)
        get = sa.select(t).where(t.c.name == sa.bindparam("name"))
        self._get = self.prepare(get)
        self._lock = self.prepare(get.with_for_update())
        self._put = self.prepare(upsert(self.dialect, t, ("name",), self.columns))
        self._insert = self.prepare(insert_ignore(self.dialect, t, self.columns))
        self._delete = self.prepare(sa.delete(t).where(t.c.name == sa.bindparam("name")))
        self._by_arn = self.prepare(
            sa.select(t).where(t.c.arn == sa.bindparam("arn")).order_by(t.c.creation_time, t.c.name))
        self._all = self.prepare(sa.select(t).order_by(t.c.creation_time, t.c.name))
        self._count = self.prepare(sa.select(sa.func.count()).select_from(t))
        self._has = self.prepare(sa.select(sa.literal(1)).where(
            t.c.name == sa.bindparam("name"), t.c.arn == sa.bindparam("arn")))
        self._updates: dict[tuple[str, ...], Any] = {}
        self._pages: dict[tuple[bool, ...], Any] = {}

    def _values(self, record: dict[str, Any]) -> dict[str, Any]:
        values = {c: record.get(c) for c in self.columns}
        values["doc"] = json.dumps(record["doc"])
        return values

    def get(self, name: str, *, lock: bool = False) -> dict[str, Any] | None:
        """One record; ``lock=True`` (inside a transaction) holds its row until commit on PostgreSQL."""
        rows = self.rows(self._lock if lock else self._get, {"name": name})
        return rows[0] if rows else None

    def get_cached(self, name: str) -> dict[str, Any] | None:
        """:meth:`get` through this process's row cache (tables with ``cached``); a copy of its own."""
        return json_copy(self.engine.row_cache.get(self.table.name, name, lambda: self.get(name)))

    def get_fresh(self, name: str) -> dict[str, Any] | None:
        """:meth:`get_cached` read from the database again (the cached record looked out of date)."""
        self.engine.row_cache.drop(self.table.name, name)
        return self.get_cached(name)

    def changed(self, name: str) -> None:
        """Announce a change of ``name`` (``*``: of every record) to the row caches of every process;
        the repository's own writes call it."""
        if not self.cached:
            return
        if self.dialect != "sqlite":
            self.scalar(self._notify, {"payload": f"{self.table.name}/{name}"})
        cache, table = self.engine.row_cache, self.table.name
        self.engine.after_commit(lambda: cache.drop(table, name))

    def put(self, record: dict[str, Any]) -> None:
        """Insert or replace a record."""
        self.run(self._put, self._values(record))
        self.changed(record["name"])

    def insert(self, record: dict[str, Any]) -> bool:
        """Insert a new record; False (and nothing changes) when the name exists."""
        added = self.added(self._insert, self._values(record))
        if added:
            self.changed(record["name"])
        return added

    def update(self, name: str, **fields: Any) -> int:
        """Set columns of one record (``doc=`` replaces the whole document)."""
        if not fields:
            return 0
        values = {k: json.dumps(v) if k == "doc" else v for k, v in fields.items()}
        key = tuple(values)
        stmt = self._updates.get(key)
        if stmt is None:
            stmt = self._updates[key] = self.prepare(sa.update(self.table).where(
                self.table.c.name == sa.bindparam("_name")).values({k: sa.bindparam(k) for k in key}))
        count = self.run(stmt, {**values, "_name": name})
        self.changed(name)
        return count

    def delete(self, name: str) -> int:
        count = self.run(self._delete, {"name": name})
        self.changed(name)
        return count

    def has(self, name: str, arn: str) -> bool:
        """Whether a record of this name and ARN exists (no document read)."""
        return self.scalar(self._has, {"name": name, "arn": arn}) is not None

    def by_arn(self, arn: str) -> list[dict[str, Any]]:
        return self.rows(self._by_arn, {"arn": arn})

    def all(self) -> list[dict[str, Any]]:
        """Every record, oldest first."""
        return self.rows(self._all)

    def count(self) -> int:
        return int(self.scalar(self._count))

    def page(self, *, after: float | None = None, before: float | None = None, ascending: bool = False,
             token: str | None = None, limit: int = 50, scope: str = "",
             flow_arn: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """One page ordered by (creation_time, name); returns (records, next_token or None).

        ``after``/``before`` bound ``creation_time`` (≥ and <); ``scope`` binds a token to the
        filter that produced it (a token from another list raises ValueError).
        """
        params: dict[str, Any] = {"after": after, "before": before, "flow_arn": flow_arn, "limit": limit + 1}
        if token:
            position: tuple[Any, Any] = PageToken.decode(token, scope)
            params.update(at_time=position[0], at_name=position[1])
        shape = (after is not None, before is not None, bool(token), ascending, flow_arn is not None)
        stmt = self._pages.get(shape)
        if stmt is None:
            stmt = self._pages[shape] = self.prepare(self._page_statement(*shape))
        rows = self.rows(stmt, params)
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], PageToken.encode(last["creation_time"], last["name"], scope)

    def _page_statement(self, after: bool, before: bool, token: bool, ascending: bool, of_flow: bool) -> Any:
        t = self.table
        clauses = []
        if of_flow:
            clauses += [t.c.flow_definition_arn == sa.bindparam("flow_arn"), t.c.deleted == 0]
        if after:
            clauses.append(t.c.creation_time >= sa.bindparam("after"))
        if before:
            clauses.append(t.c.creation_time < sa.bindparam("before"))
        if token:
            at_time: Any = sa.bindparam("at_time")
            at_name: Any = sa.bindparam("at_name")
            if ascending:
                clauses.append(sa.or_(t.c.creation_time > at_time, sa.and_(t.c.creation_time == at_time,
                                                                           t.c.name > at_name)))
            else:
                clauses.append(sa.or_(t.c.creation_time < at_time, sa.and_(t.c.creation_time == at_time,
                                                                           t.c.name < at_name)))
        order = (t.c.creation_time.asc(), t.c.name.asc()) if ascending else (t.c.creation_time.desc(), t.c.name.desc())
        return sa.select(t).where(*clauses).order_by(*order).limit(sa.bindparam("limit"))


class FlowDefinitions(Resources):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, schema.flow_definitions)
        t = self.table
        self._deleting = self.prepare(
            sa.select(t.c.name, t.c.arn).where(t.c.status == "Deleting").order_by(t.c.name))
        self._deleting_seen: tuple[float, frozenset[str]] | None = None
        self._startable = self.prepare(sa.select(t.c.name, t.c.arn, t.c.status, t.c.creation_time,
                                                 t.c.doc.label("doc_text")).where(t.c.name == sa.bindparam("name")))

    def deleting(self) -> list[dict[str, Any]]:
        """Name and ARN of the definitions being deleted."""
        return self.rows(self._deleting)

    def deleting_names(self, max_age: float) -> frozenset[str]:
        """Names of the definitions being deleted, as read at most ``max_age`` seconds ago by this
        process; a change made through this repository is seen at once (another process's within
        ``max_age``). For hot paths that only speed up what a periodic pass also does."""
        seen = self._deleting_seen
        if seen is not None and time.monotonic() - seen[0] <= max_age:
            return seen[1]
        names = frozenset(row["name"] for row in self.deleting())
        self._deleting_seen = (time.monotonic(), names)
        return names

    def put(self, record: dict[str, Any]) -> None:
        self._deleting_seen = None
        super().put(record)

    def insert(self, record: dict[str, Any]) -> bool:
        self._deleting_seen = None
        return super().insert(record)

    def update(self, name: str, **fields: Any) -> int:
        self._deleting_seen = None
        return super().update(name, **fields)

    def delete(self, name: str) -> int:
        self._deleting_seen = None
        return super().delete(name)

    def raw(self, name: str) -> dict[str, Any] | None:
        """One record with its document unparsed (``doc_text``): StartHumanLoop caches the parse."""
        rows = self.rows(self._startable, {"name": name})
        return rows[0] if rows else None


class Workteams(Resources):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, schema.workteams)


class TaskUis(Resources):
    cached = True  # each claim renders its loop's task UI

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, schema.task_uis)


class Workers(Resources):
    cached = True  # each worker API request authenticates its worker

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, schema.workers)
        t = self.table
        self._by_display = self.prepare(sa.select(t).where(doc_field(t.c.doc, "name") == sa.bindparam("display")))

    def by_display_name(self, display: str) -> list[dict[str, Any]]:
        """Workers whose ``doc.name`` (the name people see) is ``display``."""
        return self.rows(self._by_display, {"display": display})
