"""Repository of small settings: clock offset, workforce subdomain, used links and ended sessions.

Values are stored as JSON text. Keys compare byte-wise on both databases, so a prefix is a range.

Example:
    >>> store.settings.set("clock_offset", 60.0)                          # doctest: +SKIP
    >>> store.settings.get("clock_offset", 0.0)                           # doctest: +SKIP
    60.0
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from a2i_kit.service.store import schema
from a2i_kit.service.store.base import Repository, insert_ignore, upsert
from a2i_kit.service.store.core import Engine

__all__ = ["Settings"]

s = schema.settings


class Settings(Repository):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._get = self.prepare(sa.select(s.c.value).where(s.c.key == sa.bindparam("key")))
        self._purge = self.prepare(sa.delete(s).where(s.c.key >= sa.bindparam("low"), s.c.key < sa.bindparam("high"),
                                                      sa.cast(s.c.value, sa.Double) < sa.bindparam("before")))
        self._set = self.prepare(upsert(self.dialect, s, ("key",), ("key", "value")))
        self._add = self.prepare(insert_ignore(self.dialect, s, ("key", "value")))

    def get(self, key: str, default: Any = None) -> Any:
        value = self.scalar(self._get, {"key": key})
        return default if value is None else json.loads(value)

    def set(self, key: str, value: Any) -> None:
        self.run(self._set, {"key": key, "value": json.dumps(value)})

    def add(self, key: str, value: Any) -> bool:
        """Store a key that must be new; False when it exists (two racers: exactly one wins)."""
        return self.added(self._add, {"key": key, "value": json.dumps(value)})

    def purge(self, prefix: str, before: float) -> int:
        """Delete keys starting with ``prefix`` (ending in ``:``) whose numeric value is before ``before``."""
        if not prefix.endswith(":"):
            raise ValueError(f"settings prefix must end with ':', not {prefix!r}")
        return self.run(self._purge, {"low": prefix, "high": prefix[:-1] + ";", "before": before})
