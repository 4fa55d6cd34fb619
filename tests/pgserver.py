"""A throwaway PostgreSQL cluster for tests, from Debian's binaries, run as the ``postgres`` user.

PostgreSQL refuses to run as root, so when the tests run as root the cluster's directory is
chowned to ``postgres`` and every binary runs through ``runuser -u postgres --``. It listens on a
free loopback port only (no Unix socket in a shared place), with password (scram) logins for a
role of its own, so a wrong password is refused like on a real server.

Example:
    >>> server = PgServer.start()                                          # doctest: +SKIP
    >>> url = server.create_database("t1")                                 # doctest: +SKIP
    >>> url                                                                # doctest: +SKIP
    'postgresql+psycopg://a2i:...@127.0.0.1:54321/t1'
    >>> server.stop()                                                      # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROLE = "a2i"
SEARCH = ("/usr/lib/postgresql/*/bin",)


class PgServerError(RuntimeError):
    """The test cluster cannot start (the message says how to fix it)."""


def find_bin_dir() -> Path:
    """The folder of ``initdb``/``pg_ctl``: Debian's newest, else the one on PATH."""
    candidates = sorted(glob.glob(SEARCH[0]), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PgServerError("PostgreSQL's initdb is missing: run `make postgresql` (installs Debian's postgresql)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One running cluster; :meth:`create_database` hands out fresh databases as URLs."""

    def __init__(self, root: Path, port: int, password: str, bin_dir: Path, as_postgres: bool) -> None:
        self.root, self.port, self.password, self.bin_dir = root, port, password, bin_dir
        self._as_postgres = as_postgres
        self._stopped = False

    # -- lifecycle ------------------------------------------------------------------------------
    @classmethod
    def start(cls) -> PgServer:
        bin_dir = find_bin_dir()
        as_postgres = os.geteuid() == 0
        root = Path(tempfile.mkdtemp(prefix="a2i-pg-"))
        os.chmod(root, 0o700)
        password = secrets.token_urlsafe(16)
        if as_postgres:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise PgServerError("running as root needs the `postgres` user to run PostgreSQL: "
                                    "run `make postgresql` (Debian's package creates it)") from None
            os.chown(root, entry.pw_uid, entry.pw_gid)
        server = cls(root, free_port(), password, bin_dir, as_postgres)
        pwfile = root / "pw"
        pwfile.write_text(password + "\n")
        if as_postgres:
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        os.chmod(pwfile, 0o600)
        server._run("initdb", "-D", str(root / "data"), "-U", ROLE, "--pwfile", str(pwfile), "-A", "scram-sha-256",
                    "-E", "UTF8", "--locale=C", "--no-sync")
        pwfile.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories='{root}' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=64MB")
        server._run("pg_ctl", "-D", str(root / "data"), "-l", str(root / "log"), "-o", options, "-w", "-t", "60",
                    "start")
        atexit.register(server.stop)
        return server

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        with contextlib.suppress(PgServerError):
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> str:
        command = [str(self.bin_dir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        if done.returncode != 0:
            log = (self.root / "log").read_text()[-2000:] if (self.root / "log").exists() else ""
            raise PgServerError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-1500:]} {log}")
        return done.stdout

    # -- databases ------------------------------------------------------------------------------
    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        """The SQLAlchemy URL of a database of this cluster (``password`` overrides the real one)."""
        return (f"postgresql+psycopg://{ROLE}:{self.password if password is None else password}"
                f"@127.0.0.1:{self.port}/{database}")

    def create_database(self, name: str) -> str:
        """A new empty database (byte-wise collation); returns its URL."""
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement as the cluster's superuser role (autocommit)."""
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(host="127.0.0.1", port=self.port, user=ROLE, password=self.password,
                                     dbname=database, autocommit=True) as conn:
                    conn.execute(sql)  # type: ignore[arg-type]
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


_server: PgServer | None = None


def shared_server() -> PgServer:
    """One cluster per process (each pytest-xdist worker starts its own), stopped at exit."""
    global _server
    if _server is None:
        _server = PgServer.start()
    return _server
