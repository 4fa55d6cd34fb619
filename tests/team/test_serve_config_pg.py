"""``a2i-kit serve`` and ``a2i-kit db`` against a real PostgreSQL (tests/pgserver.py): wrong password,
read-only role, missing database, schema versions, and ``--workers 2`` serving one port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_serve_config import A2I_KIT, one_error_line, serve

from a2i_kit.service.store.schema import SCHEMA_VERSION


def redacted(url: str) -> str:
    return re.sub(r"://([^:]+):[^@]*@", r"://\1:***@", url)


def db(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "A2I_KIT_DATABASE_URL"}
    return subprocess.run([str(A2I_KIT), "db", *args], capture_output=True, text=True, env=env, timeout=120,
                          check=False)


def test_wrong_password(tmp_path, postgres: Any, team_database: str):
    url = postgres.url(team_database.rsplit("/", 1)[1], password="not-the-password")
    result = serve(tmp_path, "--database-url", url)
    assert result.returncode == 2
    assert one_error_line(result) == (
        f"the database at {redacted(url)} refused the login: check the user and password in --database-url "
        "(A2I_KIT_DATABASE_URL)")
    assert "not-the-password" not in result.stderr


def test_missing_database(tmp_path, postgres: Any):
    url = postgres.url("no_such_database")
    result = serve(tmp_path, "--database-url", url, "--check")
    assert result.returncode == 1
    assert one_error_line(result) == (
        f"the database named in {redacted(url)} does not exist: create it (createdb) or fix the URL")
    assert "FAIL outputs: not checked: the database check failed" not in result.stdout  # local outputs need no db


def test_read_only_role(tmp_path, postgres: Any, team_database: str):
    name = team_database.rsplit("/", 1)[1]
    assert db("upgrade", "--database-url", team_database).returncode == 0
    postgres.execute("DROP ROLE IF EXISTS reader")
    postgres.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
    postgres.execute("ALTER ROLE reader SET default_transaction_read_only = on")
    postgres.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO reader", database=name)
    url = team_database.replace(f"a2i:{postgres.password}@", "reader:reader-pw@")
    expected = (f"the database at {redacted(url)} is read-only (transactions are read-only for this role); "
                "point --database-url (or A2I_KIT_DATABASE_URL) at a writable primary with a role that may "
                "write (not default_transaction_read_only)")
    checked = serve(tmp_path, "--database-url", url, "--check")
    assert checked.returncode == 1
    assert one_error_line(checked) == expected
    refused = serve(tmp_path, "--database-url", url, "--workers", "2")
    assert refused.returncode == 2
    assert one_error_line(refused) == expected


def test_db_upgrade_and_version_on_postgresql(team_database: str):
    empty = db("version", "--database-url", team_database)
    assert empty.returncode == 1
    assert empty.stdout == f"{redacted(team_database)} is empty (db upgrade creates schema version {SCHEMA_VERSION})\n"
    created = db("upgrade", "--database-url", team_database)
    assert created.returncode == 0, created.stderr
    assert created.stdout == f"schema version none → {SCHEMA_VERSION}\n"
    again = db("upgrade", "--database-url", team_database)
    assert again.stdout == f"already at version {SCHEMA_VERSION}\n"
    current = db("version", "--database-url", team_database)
    assert current.returncode == 0
    assert current.stdout == f"schema version {SCHEMA_VERSION} (current)\n"


def test_check_of_a_team_configuration_passes(tmp_path, team_database: str):
    assert db("upgrade", "--database-url", team_database).returncode == 0
    result = serve(tmp_path, "--database-url", team_database, "--workers", "2", "--check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "ok   workers: 2 processes"
    assert lines[2] == f"ok   database: {redacted(team_database)}, schema version {SCHEMA_VERSION} (current)"
    assert lines[-1] == "configuration ok"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and "spawn_main" in (stat.parent / "cmdline").read_text():
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("stop", ["SIGTERM", "Ctrl-C"])
def test_serve_with_two_workers_on_one_port(tmp_path, team_database: str, stop: str):
    env = {**os.environ, "A2I_KIT_DATA_DIR": str(tmp_path / "data"), "A2I_KIT_DATABASE_URL": team_database}
    proc = subprocess.Popen([str(A2I_KIT), "serve", "--port", "0", "--workers", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        first = proc.stdout.readline()
        match = re.fullmatch(r"a2i-kit service ready at (http://127\.0\.0\.1:\d+)\n", first)
        assert match, first + proc.stderr.read() if proc.poll() is not None else first
        workers = _children(proc.pid)
        assert len(workers) == 2
        for _ in range(20):  # new connections each time: the kernel spreads them over both processes
            assert httpx.get(f"{match.group(1)}/_a2i/health", headers={"Connection": "close"}).status_code == 200
        banner = [proc.stdout.readline() for _ in range(5)]
        assert banner[3] == "2 service processes share this port\n"
        assert banner[4] == "Press Ctrl-C to stop.\n"
    finally:
        if stop == "SIGTERM":
            proc.send_signal(signal.SIGTERM)
        else:  # what a terminal does: SIGINT to the foreground process group
            os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "a2i-kit service stopped" in err
    assert not any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
                   for pid in workers)
