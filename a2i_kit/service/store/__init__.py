"""The service's state: SQLite (the embedded default) or PostgreSQL, one repository per aggregate.

Every SQL statement of the service lives in this package; handlers, the sweeper and the portal
call repositories. Tables are in :mod:`.schema` (one ``MetaData``), versions and upgrades in
:mod:`.migrations`, the engine in :mod:`.core` (SQLite's settings in :mod:`.sqlite_wal`,
PostgreSQL's pools in :mod:`.pg_pool`), a transaction and its after-commit steps in :mod:`.tx`,
the per-process cache of workers and task UIs (kept exact across processes by LISTEN/NOTIFY) in
:mod:`.row_cache`.

``Store.open(config)`` picks SQLite at ``config.store_path`` when ``config.database_url`` is
None, else the URL (``postgresql+psycopg://user:pw@host:5432/db``). Repositories hang off it:
``store.task_uis``, ``flow_definitions``, ``workteams``, ``workers`` (:mod:`.resources`),
``loops`` (:mod:`.loops`), ``claims`` (:mod:`.claims`: assignments and answers), ``outbox``,
``events``, ``settings``.

Writing a repository module (e.g. ``store/access_keys.py``): build SQLAlchemy Core statements
from the tables in :mod:`.schema`. Two ways to run them:

- independent short transactions: ``store.engine`` is a SQLAlchemy ``Engine``
  (``with store.engine.begin() as conn: conn.execute(...)``). On SQLite it has connections of
  its own to the file (``BEGIN IMMEDIATE``, waiting for the service's writer); never call it
  while this thread is inside ``store.transaction()`` (it would wait for itself);
- joining the service's transaction (commit or roll back with everything else in it)::

    import sqlalchemy as sa
    from a2i_kit.service.store.schema import access_keys

    _by_id = sa.select(access_keys).where(access_keys.c.key_id == sa.bindparam("key_id"))

    def find(store, key_id):
        with store.connection() as conn:   # the open transaction's, else a short-lived one
            row = conn.execute(_by_id, {"key_id": key_id}).mappings().first()
        return dict(row) if row else None

    def create(store, key_id, name, sealed, now):
        with store.transaction() as tx:    # joins an enclosing transaction (re-entrant)
            tx.conn.execute(sa.insert(access_keys), {"key_id": key_id, "name": name,
                                                     "secret_sealed": sealed, "created": now})
            tx.after_commit(lambda: ...)   # side effects only once the commit is durable

Or subclass :class:`a2i_kit.service.store.base.Repository` (``self.rows(stmt, params)``,
``self.run``, ``self.scalar``; ``upsert``/``insert_ignore`` for portable ON CONFLICT). For
decisions that must be exactly-once across processes use unique constraints (``insert_ignore``
returns whether you won) or row locks (``stmt.with_for_update()``; SQLite ignores it, its
transactions already exclude every other writer). Never hold a Python lock for that.

Example:
    >>> import tempfile, os
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "a.sqlite3"))
    >>> with store.transaction() as tx:
    ...     store.settings.set("k", 1)
    >>> store.settings.get("k")
    1
"""

from __future__ import annotations

from a2i_kit.service.page_token import PageToken
from a2i_kit.service.store.core import StoreError, Tx, database_url
from a2i_kit.service.store.facade import Store
from a2i_kit.service.store.migrations import MigrationError, upgrade
from a2i_kit.service.store.schema import RESOURCE_TABLES, SCHEMA_VERSION

__all__ = ["RESOURCE_TABLES", "SCHEMA_VERSION", "MigrationError", "PageToken", "Store", "StoreError", "Tx",
           "database_url", "upgrade"]
