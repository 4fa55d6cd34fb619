"""What every repository shares: row mapping, dialect-aware upserts and JSON fields of ``doc``.

Statements are built once per repository and compiled once (:meth:`Repository.prepare`): on
SQLite run on sqlite3, on PostgreSQL on psycopg as server-side prepared statements, both past
SQLAlchemy's per-call work; rows come back as plain dicts with ``doc`` already parsed.

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

__all__ = ["Repository", "dialect_insert", "dicts", "doc_field", "insert_ignore", "inserted", "json_copy", "upsert"]


def dicts(result: Result[Any]) -> list[dict[str, Any]]:
    """Rows as dicts; a ``doc`` column holding JSON text is parsed."""
    keys = list(result.keys())
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    if "doc" in keys:
        for row in rows:
            if isinstance(row["doc"], str):
                row["doc"] = json.loads(row["doc"])
    return rows


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars), several times faster than ``copy.deepcopy``.

    >>> doc = {"a": [1, {"b": 2}]}
    >>> copied = json_copy(doc)
    >>> copied == doc, copied["a"][1] is doc["a"][1]
    (True, False)
    """
    kind = type(value)
    if kind is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if kind is list:
        return [json_copy(item) for item in value]
    return value


def dialect_insert(dialect: str, table: sa.Table) -> Any:
    """SQLite's or PostgreSQL's INSERT (both have ON CONFLICT)."""
    return (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)


def upsert(dialect: str, table: sa.Table, keys: Sequence[str], columns: Iterable[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE of the other ``columns`` (bound by column name)."""
    stmt = dialect_insert(dialect, table).values({c: sa.bindparam(c) for c in columns})
    changed = {c: stmt.excluded[c] for c in columns if c not in keys}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=changed)


def insert_ignore(dialect: str, table: sa.Table, columns: Iterable[str]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING (atomic everywhere); :func:`inserted` says whether it won.

    On PostgreSQL it returns the new row's key (psycopg reports no rowcount for it).
    """
    stmt = dialect_insert(dialect, table).values({c: sa.bindparam(c) for c in columns}).on_conflict_do_nothing()
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
FLOAT8 = 701  # PostgreSQL's type oid of double precision


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


class PgPrepared:
    """A statement compiled once to PostgreSQL's SQL and run on psycopg directly (server-side prepared).

    SQLAlchemy's per-execution work cost ~0.35 ms of CPU per statement, more than psycopg itself
    and the statement's own time in the server together; the team service runs ~100 statements
    per loop. A statement that needs SQLAlchemy's help (expanding IN, bind or result type
    processing, escaped names) is not turned into one: it runs through SQLAlchemy as before.
    """

    __slots__ = ("defaults", "keys", "sql", "stmt", "writes")

    def __init__(self, stmt: Any, compiled: Any) -> None:
        self.stmt, self.sql = stmt, compiled.string
        self.defaults = dict(compiled.params)
        self.writes = not isinstance(stmt, sa.Select)  # a SELECT (… FOR UPDATE) changes nothing
        self.keys: list[str] | None = None  # result column names, from the first execution

    # what a cursor that ran the statement gives back (``Repository._pg``)
    def rows(self, cursor: Any) -> list[dict[str, Any]]:
        keys = self.keys
        if keys is None:  # psycopg builds ``description`` anew on every access: read it once
            keys = self.keys = [column.name for column in cursor.description]
        return _parse_docs([dict(zip(keys, row, strict=False)) for row in cursor.fetchall()])

    @staticmethod
    def count(cursor: Any) -> int:
        return int(cursor.rowcount)

    @staticmethod
    def first(cursor: Any) -> Any:
        row = cursor.fetchone() if cursor.pgresult is not None and cursor.pgresult.nfields else None
        return None if row is None else row[0]

    @classmethod
    def of(cls, stmt: Any, dialect: Any) -> Any:
        """The prepared form of ``stmt``, or ``stmt`` itself when SQLAlchemy must run it."""
        compiled = stmt.compile(dialect=dialect)
        if ("POSTCOMPILE" in compiled.string or compiled.escaped_bind_names or compiled._bind_processors
                or not _plain_results(compiled, dialect)):
            return stmt
        return cls(stmt, compiled)

    def args(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **params}


def _statement(stmt: Any) -> Any:
    """What SQLAlchemy runs: the statement behind a :class:`PgPrepared`."""
    return stmt.stmt if type(stmt) is PgPrepared else stmt


def _plain_results(compiled: Any, dialect: Any) -> bool:
    """Whether SQLAlchemy would hand back every result column as psycopg returns it."""
    for column in compiled._result_columns:
        code = FLOAT8 if isinstance(column.type, sa.Float) else None  # a Double column is float8
        try:
            if column.type._cached_result_processor(dialect, code) is not None:
                return False
        except Exception:  # a type whose processing depends on what the server sends (numeric)
            return False
    return True


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
        if self.dialect == "sqlite":
            return Prepared(stmt)
        return PgPrepared.of(stmt, self.engine.sa.dialect)

    def _cursor(self, stmt: Prepared, params: dict[str, Any]) -> Any:
        engine = self.engine
        with engine.lock:
            return engine.raw().execute(stmt.sql, stmt.args(params))

    def _pg(self, stmt: PgPrepared, params: dict[str, Any], want: str) -> Any:
        """Run on psycopg: ``want`` is "rows" (dicts), "count" (rows changed) or "first" (the first column of the first row)."""
        return self.engine.on_driver(stmt.sql, stmt.args(params), writes=stmt.writes, fetch=getattr(stmt, want))

    def _direct(self, stmt: Any) -> bool:
        """A :class:`PgPrepared` runs on psycopg unless someone listens to SQLAlchemy's cursor events."""
        return type(stmt) is PgPrepared and not self.engine.sa.dispatch.before_cursor_execute

    def rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if type(stmt) is Prepared:
            with self.engine.lock:
                cursor = self.engine.raw().execute(stmt.sql, stmt.args(params or {}))
                keys = [d[0] for d in cursor.description]
                return _parse_docs([dict(zip(keys, row, strict=False)) for row in cursor.fetchall()])
        if self._direct(stmt):
            return self._pg(stmt, params or {}, "rows")
        with self.engine.connection() as conn:
            return dicts(conn.execute(_statement(stmt), params or {}))

    def run(self, stmt: Any, params: dict[str, Any] | None = None) -> int:
        """Execute a write; returns the number of rows it changed."""
        if type(stmt) is Prepared:
            return int(self._cursor(stmt, params or {}).rowcount)
        if self._direct(stmt):
            return int(self._pg(stmt, params or {}, "count"))
        with self.engine.connection() as conn:
            return conn.execute(_statement(stmt), params or {}).rowcount

    def added(self, stmt: Any, params: dict[str, Any]) -> bool:
        """Run an :func:`insert_ignore`; True when the row is new."""
        return self.add_key(stmt, params) is not None

    def add_key(self, stmt: Any, params: dict[str, Any]) -> Any:
        """Run an :func:`insert_ignore`; the new row's key, or None when the row existed."""
        if type(stmt) is Prepared:
            cursor = self._cursor(stmt, params)
            return cursor.lastrowid if cursor.rowcount == 1 else None
        if self._direct(stmt):
            return self._pg(stmt, params, "first")  # its RETURNING column
        with self.engine.connection() as conn:
            return inserted(conn.execute(_statement(stmt), params))

    def scalar(self, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        if type(stmt) is Prepared:
            row = self._cursor(stmt, params or {}).fetchone()
            return None if row is None else row[0]
        if self._direct(stmt):
            return self._pg(stmt, params or {}, "first")
        with self.engine.connection() as conn:
            return conn.execute(_statement(stmt), params or {}).scalar()

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
