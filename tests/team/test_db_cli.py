"""``a2i-kit db version`` and ``a2i-kit db upgrade`` as a user runs them (subprocesses).

A data directory made by a2i-kit before schema versions existed (version 0: the tables as
``store.py`` created them, no ``schema_version``) is upgraded and keeps its rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from a2i_kit.service.store.schema import SCHEMA_VERSION

A2I_KIT = Path(sys.executable).parent / "a2i-kit"

# The store as main created it before schema versions (a2i_kit/service/store.py's SCHEMA).
VERSION_0 = """
CREATE TABLE task_uis (name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE flow_definitions (name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE workteams (name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE workers (name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE loops (name TEXT PRIMARY KEY, arn TEXT NOT NULL, status TEXT NOT NULL,
    creation_time REAL NOT NULL, doc TEXT NOT NULL, flow_definition_arn TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, updated_time REAL NOT NULL DEFAULT 0);
CREATE INDEX loops_by_flow ON loops (flow_definition_arn, deleted, creation_time, name);
CREATE INDEX loops_by_status ON loops (status);
CREATE TABLE assignments (loop_name TEXT NOT NULL, worker_id TEXT NOT NULL, status TEXT NOT NULL,
    claimed_at REAL NOT NULL, deadline REAL NOT NULL, submitted_at REAL, doc TEXT NOT NULL,
    PRIMARY KEY (loop_name, worker_id));
CREATE INDEX assignments_by_status ON assignments (status, deadline);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, loop_name TEXT NOT NULL, status TEXT NOT NULL,
    write_output INTEGER NOT NULL, event TEXT, log_offset INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT, created REAL NOT NULL);
"""


def db(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "A2I_KIT_DATABASE_URL"}
    full_env.update(env or {})
    return subprocess.run([str(A2I_KIT), "db", *args], capture_output=True, text=True, env=full_env,
                          timeout=120, check=False)


def version_0_data_dir(data: Path) -> None:
    data.mkdir(mode=0o700)
    with sqlite3.connect(data / "a2i.sqlite3") as conn:
        conn.executescript(VERSION_0)
        doc = {"HumanLoopName": "old-loop", "TaskCount": 1, "InputContent": json.dumps({"a": 1})}
        conn.execute("INSERT INTO loops VALUES ('old-loop', 'arn:old', 'InProgress', 1.0, ?, 'arn:flow', 0, 1.0)",
                     (json.dumps(doc),))
        conn.execute("INSERT INTO settings VALUES ('clock_offset', '12.5')")


def test_upgrade_of_a_version_0_data_directory_keeps_its_rows(tmp_path):
    data = tmp_path / "data"
    version_0_data_dir(data)
    before = db("version", "--data-dir", str(data))
    assert before.returncode == 1
    assert before.stdout == f"schema version 0 (this a2i-kit needs {SCHEMA_VERSION}: run a2i-kit db upgrade)\n"
    upgraded = db("upgrade", "--data-dir", str(data))
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout == f"schema version 0 → {SCHEMA_VERSION}\n"
    again = db("upgrade", env={"A2I_KIT_DATA_DIR": str(data)})
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"already at version {SCHEMA_VERSION}\n"
    after = db("version", "--data-dir", str(data))
    assert after.returncode == 0
    assert after.stdout == f"schema version {SCHEMA_VERSION} (current)\n"
    with sqlite3.connect(data / "a2i.sqlite3") as conn:
        assert conn.execute("SELECT name, status FROM loops").fetchall() == [("old-loop", "InProgress")]
        assert conn.execute("SELECT value FROM settings WHERE key = 'clock_offset'").fetchone() == ("12.5",)
    assert (data / "a2i.sqlite3").stat().st_mode & 0o777 == 0o600


def test_version_of_a_data_directory_without_a_database(tmp_path):
    result = db("version", "--data-dir", str(tmp_path / "fresh"))
    assert result.returncode == 1
    assert result.stdout == (f"no database at {tmp_path / 'fresh' / 'a2i.sqlite3'} yet (the service creates "
                             f"schema version {SCHEMA_VERSION} at first start)\n")


def test_upgrade_of_an_unreachable_database_is_one_line():
    result = db("upgrade", "--database-url", "postgresql+psycopg://a2i:pw@127.0.0.1:1/a2i")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("a2i-kit: error: cannot reach the database "
                                     "postgresql+psycopg://a2i:***@127.0.0.1:1/a2i (")
    assert result.stderr.endswith("): check --database-url (A2I_KIT_DATABASE_URL) and that the server is running\n")
    assert result.stderr.count("\n") == 1


def test_data_dir_and_database_url_exclude_each_other(tmp_path):
    result = db("upgrade", "--data-dir", str(tmp_path), "--database-url", "postgresql+psycopg://x@y/z")
    assert result.returncode == 2
    assert "argument --database-url: not allowed with argument --data-dir" in result.stderr
