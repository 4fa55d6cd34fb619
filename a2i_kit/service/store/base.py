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
from sqlalchemy.engine import Connection, Result
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


def inserted(result: Result[Any]) -> Any:
    """The key of the row an :func:`insert_ignore` added (None when the row existed)."""
    if result.returns_rows:
        row = result.first()
        return None if row is None else row[0]
    return result.inserted_primary_key[0] if result.rowcount == 1 else None


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


class Repository:
    """Base of the repositories: holds the engine and runs statements on the right connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect

    def rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.engine.connection() as conn:
            return dicts(conn.execute(stmt, params or {}))

    def run(self, stmt: Any, params: dict[str, Any] | list[dict[str, Any]] | None = None) -> int:
        """Execute a write; returns the number of rows it changed."""
        with self.engine.connection() as conn:
            return conn.execute(stmt, params or {}).rowcount

    def add(self, stmt: Any, params: dict[str, Any]) -> bool:
        """Run an :func:`insert_ignore`; True when the row is new."""
        with self.engine.connection() as conn:
            return inserted(conn.execute(stmt, params)) is not None

    def scalar(self, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        with self.engine.connection() as conn:
            return conn.execute(stmt, params or {}).scalar()

    def conn(self) -> Any:
        """``with repo.conn() as conn:`` the transaction's connection, or a short-lived one."""
        return self.engine.connection()


def as_json(value: Any) -> str:
    return json.dumps(value)


ConnectionType = Connection
