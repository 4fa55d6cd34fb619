"""The access-key repository: every SQL statement about ``access_keys`` (SQLite and PostgreSQL).

Rows are plain dicts with ``key_id``, ``name``, ``secret_sealed`` (Fernet token, never the
secret), ``created`` and ``last_used``. Sealing is the caller's job (``a2i_kit.service.access_keys``).

Example:
    >>> from sqlalchemy import create_engine
    >>> repo = AccessKeyRepository(create_engine("sqlite://"), create=True)
    >>> repo.insert("AKIAEXAMPLE", "alice", "sealed", 1.0), repo.insert("AKIAOTHER", "alice", "sealed", 2.0)
    (True, False)
    >>> repo.get("AKIAEXAMPLE")["name"], repo.delete("AKIAEXAMPLE"), repo.get("AKIAEXAMPLE")
    ('alice', True, None)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from a2i_kit.service.store.schema import access_keys

COLUMNS = ("key_id", "name", "secret_sealed", "created", "last_used")


class AccessKeyRepository:
    """Insert, read, list, touch and delete access keys; each call is one short transaction.

    Built on a running service's store (``of(store)``: reads on its connection, writes in its
    transactions) or on a bare SQLAlchemy engine (configuration checks, the doctest above).
    """

    def __init__(self, engine: Engine | None = None, *, store: Any = None, create: bool = False) -> None:
        self.engine, self.store = engine, store
        if create and engine is not None:
            access_keys.create(engine, checkfirst=True)

    @classmethod
    def of(cls, store: Any) -> AccessKeyRepository:
        """The repository of a ``a2i_kit.service.store.Store``."""
        return cls(store=store)

    def _reading(self) -> Any:
        return self.store.connection() if self.store is not None else self.engine.connect()  # type: ignore[union-attr]

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        if self.store is None:
            with self.engine.begin() as conn:  # type: ignore[union-attr]
                yield conn
        else:
            with self.store.transaction() as tx:
                yield tx.conn

    def insert(self, key_id: str, name: str, secret_sealed: str, created: float) -> bool:
        """Add a key; False when its name (or id) is already taken."""
        try:
            with self._writing() as conn:
                conn.execute(insert(access_keys).values(key_id=key_id, name=name, secret_sealed=secret_sealed,
                                                        created=created, last_used=None))
        except IntegrityError:
            return False
        return True

    def get(self, key_id: str) -> dict[str, Any] | None:
        with self._reading() as conn:
            row = conn.execute(select(access_keys).where(access_keys.c.key_id == key_id)).mappings().first()
        return None if row is None else dict(row)

    def list(self) -> list[dict[str, Any]]:
        """Every key, oldest first."""
        with self._reading() as conn:
            rows = conn.execute(select(access_keys).order_by(access_keys.c.created, access_keys.c.key_id))
            return [dict(row) for row in rows.mappings()]

    def touch(self, key_id: str, when: float) -> None:
        with self._writing() as conn:
            conn.execute(update(access_keys).where(access_keys.c.key_id == key_id).values(last_used=when))

    def delete(self, key_id: str) -> bool:
        with self._writing() as conn:
            return conn.execute(delete(access_keys).where(access_keys.c.key_id == key_id)).rowcount > 0
