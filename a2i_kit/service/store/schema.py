"""Every table of the service's store, in one SQLAlchemy ``MetaData`` for SQLite and PostgreSQL.

Names are compared byte-wise on both databases (``COLLATE "C"`` on PostgreSQL, SQLite's default
``BINARY``), so keyset page tokens order rows the same way on either. ``doc`` columns hold the
JSON document AWS echoes back, as text. Version 1 is the schema of a2i-kit 0.x before schema
versions existed (version 0, no ``schema_version`` table) plus the team-scale tables. Version 2
copies what the sweeper and the worker task lists filter on out of a loop's ``doc`` into indexed
columns: ``expires_at`` (creation + TaskAvailabilityLifetimeInSeconds) and ``workteam_arn``.
Version 3 adds reviewer quality control (:mod:`a2i_kit.service.quality`): per-flow settings, gold
and qualification items, and each worker's hidden gold/qualification tasks. Hidden tasks live in
tables of their own, never in ``loops``: no listing, event or output.json can reach them.
Version 4 adds ``loops.summary``: the few ``doc`` fields a worker's task list shows, as a small
JSON text, so that a list never parses a loop's document (whose input may be megabytes).

Example:
    >>> sorted(metadata.tables)[:3]
    ['access_keys', 'assignments', 'events']
    >>> SCHEMA_VERSION
    4
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["QUALITY_TABLES", "RESOURCE_TABLES", "SCHEMA_VERSION", "SUMMARY_FIELDS", "access_keys", "assignments", "events",
           "flow_definitions", "loops", "metadata", "outbox", "quality_configs", "quality_items", "quality_tasks", "quality_workers",
           "schema_version", "settings", "task_uis", "webhook_deliveries", "webhooks", "workers", "workteams"]

SCHEMA_VERSION = 4

# Byte-wise comparison of names and keys on PostgreSQL too (page tokens, key ranges).
Key = Text().with_variant(Text(collation="C"), "postgresql")
# 64-bit autoincrement ids on PostgreSQL; SQLite's INTEGER PRIMARY KEY is already 64-bit.
Serial = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()
# The fields of a loop's doc that ``loops.summary`` copies (a worker's task list shows them).
SUMMARY_FIELDS = ("FlowDefinitionName", "TaskTitle", "TaskDescription", "TaskCount",
                  "TaskAvailabilityLifetimeInSeconds")


def _resource(name: str, *extra: Column | Index) -> Table:
    return Table(
        name, metadata,
        Column("name", Key, primary_key=True),
        Column("arn", Text, nullable=False),
        Column("status", Text, nullable=False),
        Column("creation_time", Double, nullable=False),
        Column("doc", Text, nullable=False),
        *extra,
    )


task_uis = _resource("task_uis")
flow_definitions = _resource("flow_definitions")
workteams = _resource("workteams")
workers = _resource("workers")
loops = _resource(
    "loops",
    Column("flow_definition_arn", Text, nullable=False),
    Column("deleted", Integer, nullable=False, server_default="0"),
    Column("updated_time", Double, nullable=False, server_default="0"),
    # v2: copies of immutable doc fields, so the sweeper and task lists never parse documents
    Column("expires_at", Double),
    Column("workteam_arn", Text),
    Column("summary", Text),  # v4: the task list's fields of doc (SUMMARY_FIELDS), as JSON text
    Index("loops_by_flow", "flow_definition_arn", "deleted", "creation_time", "name"),
    Index("loops_expiring", "status", "expires_at"),  # also serves lookups by status alone
    Index("loops_by_team", "workteam_arn", "status"),
)

assignments = Table(
    "assignments", metadata,
    Column("loop_name", Key, primary_key=True),
    Column("worker_id", Key, primary_key=True),
    Column("status", Text, nullable=False),
    Column("claimed_at", Double, nullable=False),
    Column("deadline", Double, nullable=False),
    Column("submitted_at", Double),
    Column("doc", Text, nullable=False),
    Index("assignments_by_status", "status", "deadline"),
)

settings = Table(
    "settings", metadata,
    Column("key", Key, primary_key=True),
    Column("value", Text, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Serial, Identity(), primary_key=True, autoincrement=True),
    Column("loop_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("write_output", Integer, nullable=False),
    Column("event", Text),
    Column("log_offset", BigInteger, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", Double, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("created", Double, nullable=False),
    sqlite_autoincrement=True,
)

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("upgraded_at", Double, nullable=False),
)

# -- team scale: access keys (SigV4), the event log with a cursor, webhooks ----------------------
access_keys = Table(
    "access_keys", metadata,
    Column("key_id", Key, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("secret_sealed", Text, nullable=False),
    Column("created", Double, nullable=False),
    Column("last_used", Double),
)

events = Table(
    "events", metadata,
    Column("seq", Serial, Identity(), primary_key=True, autoincrement=True),
    Column("event_id", Text, nullable=False, unique=True),
    Column("loop_name", Text, nullable=False),
    Column("time", Double, nullable=False),
    Column("doc", Text, nullable=False),
    sqlite_autoincrement=True,
)

webhooks = Table(
    "webhooks", metadata,
    Column("id", Serial, Identity(), primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("secret_sealed", Text, nullable=False),
    Column("created", Double, nullable=False),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    sqlite_autoincrement=True,
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("id", Serial, Identity(), primary_key=True, autoincrement=True),
    Column("webhook_id", BigInteger, nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", Double, nullable=False, server_default="0"),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("delivered_at", Double),
    UniqueConstraint("webhook_id", "event_seq"),
    Index("webhook_deliveries_due", "status", "next_attempt"),
    sqlite_autoincrement=True,
)

# -- v3: reviewer quality control (gold tasks, qualification) -------------------------------------
quality_configs = Table(  # one row per flow definition (by name) that has quality control
    "quality_configs", metadata,
    Column("flow_name", Key, primary_key=True),
    Column("gold_rate", Double),  # None: no gold tasks mixed in
    Column("pass_threshold", Double),  # None: no qualification needed
    Column("updated", Double, nullable=False),
)

quality_items = Table(  # known answers: doc = {"input": {...}, "answer": {...}, "paths": [...]}
    "quality_items", metadata,
    Column("flow_name", Key, primary_key=True),
    Column("kind", Key, primary_key=True),  # gold | qualification
    Column("item_id", Key, primary_key=True),
    Column("doc", Text, nullable=False),
    Column("created", Double, nullable=False),
)

quality_tasks = Table(  # one worker's hidden task: open | claimed | submitted
    "quality_tasks", metadata,
    Column("name", Key, primary_key=True),
    Column("worker_id", Key, nullable=False),
    Column("flow_name", Key, nullable=False),
    Column("kind", Text, nullable=False),
    Column("item_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("creation_time", Double, nullable=False),
    Column("claimed_at", Double),
    Column("deadline", Double),
    Column("submitted_at", Double),
    Column("correct", Integer),
    Column("doc", Text, nullable=False),
    Index("quality_tasks_by_worker", "worker_id", "flow_name", "status"),
)

quality_workers = Table(  # per (flow, worker): real answers counted and the qualification outcome
    "quality_workers", metadata,
    Column("flow_name", Key, primary_key=True),
    Column("worker_id", Key, primary_key=True),
    Column("real_answers", Integer, nullable=False, server_default="0"),
    Column("qualification", Text, nullable=False, server_default="none"),  # none|pending|passed|failed
    Column("doc", Text, nullable=False),
)

QUALITY_TABLES = ("quality_configs", "quality_items", "quality_tasks", "quality_workers")

# Tables that hold named resources with the common columns (name, arn, status, creation_time, doc).
RESOURCE_TABLES: dict[str, Table] = {t.name: t for t in (task_uis, flow_definitions, workteams, workers, loops)}
