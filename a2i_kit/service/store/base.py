"""What every repository shares: row mapping, dialect-aware upserts and JSON fields of ``doc``.

Statements are built once per repository (SQLAlchemy caches their compiled form), rows come
back as plain dicts with ``doc`` already parsed.

Example:
    >>> from a2i_kit.service.store.schema import settings
    >>> str(upsert("sqlite", settings, ("key",), ("key", "value"))).split(" ON ")[0]
    'INSERT INTO settings ("key", value) VALUES (?, ?)'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from a2i_kit.service.store.core import Engine

__all__ = ["Repository", "dicts", "doc_field", "insert_ignore", "inserted", "upsert"]


def dicts(result: Result[Any]) -> list[dict[str, Any]]:
    """Rows as dicts; a ``doc`` column holding JSON text is parsed."""
    keys = list(result.keys())
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    if "doc" in keys:
        for row in rows:
            if isinstance(row["doc"], str):
                row["doc"] = json.loads(row["doc"])
    return rows


def _insert(dialect: str, table: sa.Table) -> Any:
    return (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)


def upsert(dialect: str, table: sa.Table, keys: Sequence[str], columns: Iterable[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE of the other ``columns`` (bound by column name)."""
    stmt = _insert(dialect, table).values({c: sa.bindparam(c) for c in columns})
    changed = {c: stmt.excluded[c] for c in columns if c not in keys}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=changed)


def insert_ignore(dialect: str, table: sa.Table, columns: Iterable[str]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING (atomic everywhere); :func:`inserted` says whether it won.

    On PostgreSQL it returns the new row's key (psycopg reports no rowcount for it).
    """
    stmt = _insert(dialect, table).values({c: sa.bindparam(c) for c in columns}).on_conflict_do_nothing()
    return stmt if dialect == "sqlite" else stmt.returning(*table.primary_key.columns)


def inserted(result: CursorResult[Any]) -> Any:
    """The key of the row an :func:`insert_ignore` added (None when the row existed)."""
    if result.returns_rows:
        row = result.first()
        return None if row is None else row[0]
    key = result.inserted_primary_key if result.rowcount == 1 else None
    return None if key is None else key[0]


class doc_field(sa.sql.expression.FunctionElement[str]):
    """A top-level field of a JSON ``doc`` column as text: ``doc_field(loops.c.doc, "TaskCount")``."""

    type = sa.Text()
    inherit_cache = True
    name = "doc_field"

    def __init__(self, column: Any, key: str) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
            raise ValueError(f"doc_field key must be an identifier, not {key!r}")
        super().__init__(column, sa.literal_column(f"'{key}'"))


@compiles(doc_field, "sqlite")
def _doc_field_sqlite(element: doc_field, compiler: SQLCompiler, **kw: Any) -> str:
    column, key = list(element.clauses)
    return f"json_extract({compiler.process(column, **kw)}, '$.{compiler.process(key, **kw)[1:-1]}')"


@compiles(doc_field, "postgresql")
def _doc_field_pg(element: doc_field, compiler: SQLCompiler, **kw: Any) -> str:
    column, key = list(element.clauses)
    return f"(CAST({compiler.process(column, **kw)} AS JSON) ->> {compiler.process(key, **kw)})"


_SQLITE = sqlite.dialect()


class Prepared:
    """A statement compiled once to SQLite's SQL and run on the driver directly.

    SQLAlchemy's per-execution work (cache key, result objects) tripled the service's CPU per
    StartHumanLoop on SQLite, where a statement itself takes microseconds; PostgreSQL runs the
    statement through SQLAlchemy (the network dominates there).
    """

    __slots__ = ("defaults", "names", "sql", "stmt")

    def __init__(self, stmt: Any) -> None:
        compiled = stmt.compile(dialect=_SQLITE)
        if "POSTCOMPILE" in compiled.string:
            raise ValueError("a statement with an expanding IN cannot be prepared; run it unprepared")
        self.stmt, self.sql = stmt, compiled.string
        self.names = tuple(compiled.positiontup or ())
        self.defaults = dict(compiled.params)

    def args(self, params: dict[str, Any]) -> list[Any]:
        return [params[n] if n in params else self.defaults[n] for n in self.names]


def _parse_docs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        doc = row.get("doc")
        if isinstance(doc, str):
            row["doc"] = json.loads(doc)
    return rows


class Repository:
    """Base of the repositories: holds the engine and runs statements on the right connection.

    Build statements once with :meth:`prepare`; a statement that is not prepared (built per
    call) also works, through SQLAlchemy.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect

    def prepare(self, stmt: Any) -> Any:
        """The statement in its fastest form for this database."""
        return Prepared(stmt) if self.dialect == "sqlite" else stmt

    def _cursor(self, stmt: Prepared, params: dict[str, Any]) -> Any:
        engine = self.engine
        with engine.lock:
            return engine.raw().execute(stmt.sql, stmt.args(params))

    def rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if type(stmt) is Prepared:
            with self.engine.lock:
                cursor = self.engine.raw().execute(stmt.sql, stmt.args(params or {}))
                keys = [d[0] for d in cursor.description]
                return _parse_docs([dict(zip(keys, row, strict=False)) for row in cursor.fetchall()])
        with self.engine.connection() as conn:
            return dicts(conn.execute(stmt, params or {}))

    def run(self, stmt: Any, params: dict[str, Any] | None = None) -> int:
        """Execute a write; returns the number of rows it changed."""
        if type(stmt) is Prepared:
            return int(self._cursor(stmt, params or {}).rowcount)
        with self.engine.connection() as conn:
            return conn.execute(stmt, params or {}).rowcount

    def added(self, stmt: Any, params: dict[str, Any]) -> bool:
        """Run an :func:`insert_ignore`; True when the row is new."""
        return self.add_key(stmt, params) is not None

    def add_key(self, stmt: Any, params: dict[str, Any]) -> Any:
        """Run an :func:`insert_ignore`; the new row's key, or None when the row existed."""
        if type(stmt) is Prepared:
            cursor = self._cursor(stmt, params)
            return cursor.lastrowid if cursor.rowcount == 1 else None
        with self.engine.connection() as conn:
            return inserted(conn.execute(stmt, params))

    def scalar(self, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        if type(stmt) is Prepared:
            row = self._cursor(stmt, params or {}).fetchone()
            return None if row is None else row[0]
        with self.engine.connection() as conn:
            return conn.execute(stmt, params or {}).scalar()

    def in_list(self, key: tuple[Any, ...], build: Any, values: list[Any]) -> tuple[Any, dict[str, Any]]:
        """A prepared statement for ``build(params)`` with one bound parameter per value, cached
        per (key, number of values): an IN list that SQLite can still run prepared."""
        cache = self.__dict__.setdefault("_in_lists", {})
        names = [f"in_{k}" for k in range(len(values))]
        stmt = cache.get((key, len(values)))
        if stmt is None:
            stmt = cache[(key, len(values))] = self.prepare(build([sa.bindparam(n) for n in names]))
        return stmt, dict(zip(names, values, strict=True))

    def conn(self) -> Any:
        """``with repo.conn() as conn:`` the transaction's connection, or a short-lived one."""
        return self.engine.connection()
