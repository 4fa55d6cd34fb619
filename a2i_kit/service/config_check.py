"""Check a service configuration before serving: ``a2i-kit serve --check`` and every start.

Each check returns what it found (one line) or raises :class:`~a2i_kit.errors.ConfigError` with
one line that names the fix (library errors become such lines in :mod:`config_errors`), so no bad
configuration ends in a traceback.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> config = ServiceConfig(data_dir=Path(tempfile.mkdtemp()))
    >>> [name for name, ok, _ in run_checks(config, host="127.0.0.1", port=0)]
    ['workers', 'data directory', 'database', 'outputs', 'access keys', 'port']
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
from collections.abc import Callable
from pathlib import Path

from a2i_kit.errors import ConfigError
from a2i_kit.service.config_errors import database_errors, public_url, s3_error
from a2i_kit.service.context import ServiceConfig

__all__ = ["preflight", "probe_database", "run_checks"]
TEAM_README = "see README, Run it for a team"
DB_FLAG = "--database-url (or A2I_KIT_DATABASE_URL)"


def is_sqlite(config: ServiceConfig) -> bool:
    """True when the store is SQLite (the default, or a ``sqlite:`` URL)."""
    return not config.database_url or config.database_url.startswith("sqlite")


def check_workers(config: ServiceConfig, workers: int) -> str:
    """Several processes need a shared database: SQLite is one process."""
    if workers < 1:
        raise ConfigError(f"--workers {workers}: give 1 or more processes")
    if workers > 1 and is_sqlite(config):
        raise ConfigError(f"--workers {workers} needs a shared database: SQLite is one process; pass "
                          f"--database-url postgresql+psycopg://... ({TEAM_README})")
    return f"{workers} process{'es' if workers > 1 else ''}"


def check_data_dir(config: ServiceConfig) -> str:
    """The data directory exists (or can be made) and takes a file."""
    from a2i_kit.service.private import private_dir

    folder = Path(config.data_dir)
    try:
        private_dir(folder)
        probe = folder / f".check-{os.getpid()}-{secrets.token_hex(4)}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"the data directory {folder} is not writable ({exc.strerror}); fix its owner or "
                          "permissions, or pass another --data-dir") from exc
    return str(folder)


def check_database(config: ServiceConfig) -> str:
    """Reachable, accepts writes, and its schema is this version (or will be made so at start)."""
    url = config.database_url or f"sqlite:///{config.store_path}"
    if is_sqlite(config) and not config.database_url and not config.store_path.exists():
        return f"SQLite {config.store_path} (created at first start)"
    with database_errors(url):
        version, read_only = probe_database(url)
    shown = public_url(url)
    if read_only:
        raise ConfigError(f"the database at {shown} is read-only ({read_only}); point {DB_FLAG} at a writable "
                          "primary with a role that may write (not default_transaction_read_only)")
    return f"{shown}, {_version_note(config, version)}"


def probe_database(url: str) -> tuple[int | None, str]:
    """(schema version, None when empty; why the database is read-only, or "")."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from a2i_kit.service.store.migrations import current_version

    postgres = url.startswith("postgres")
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5} if postgres else {})
    try:
        with engine.connect() as conn:
            read_only = ""
            if postgres:
                if conn.execute(text("SELECT pg_is_in_recovery()")).scalar():
                    read_only = "a standby in recovery"
                elif conn.execute(text("SHOW transaction_read_only")).scalar() == "on":
                    read_only = "transactions are read-only for this role"
            else:
                path = Path(url.split("///", 1)[1])
                if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
                    read_only = f"{path} or its folder is not writable by this user"
            return current_version(conn), read_only
    finally:
        engine.dispose()


def _version_note(config: ServiceConfig, version: int | None) -> str:
    from a2i_kit.service.store.schema import SCHEMA_VERSION

    if version is None:
        return f"empty (schema version {SCHEMA_VERSION} is created at first start)"
    if version > SCHEMA_VERSION:
        raise ConfigError(f"the database schema is version {version}, newer than this a2i-kit's {SCHEMA_VERSION}; "
                          "install the a2i-kit version that wrote it (pip install -U a2i-kit)")
    if version < SCHEMA_VERSION:
        if is_sqlite(config):
            return f"schema version {version} (upgraded to {SCHEMA_VERSION} at start)"
        raise ConfigError(f"the database schema is version {version}, this a2i-kit needs {SCHEMA_VERSION}; back it "
                          f"up, then run: a2i-kit db upgrade {DB_FLAG.split()[0]} URL")
    return f"schema version {version} (current)"


def check_outputs(config: ServiceConfig) -> str:
    """In S3 mode: the endpoint answers with our credentials and every output bucket exists."""
    if config.output_mode != "s3":
        return f"local mirror {config.mirror_dir}"
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    endpoint = config.s3_endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or "AWS S3"
    buckets = _output_buckets(config)
    client = boto3.client("s3", endpoint_url=config.s3_endpoint_url, region_name=config.region,
                          config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10))
    try:
        client.list_buckets()
    except ClientError as exc:  # AccessDenied still proves the endpoint and the key are real
        if exc.response.get("Error", {}).get("Code") not in ("AccessDenied", "403"):
            raise s3_error(exc, endpoint) from exc
    except Exception as exc:
        raise s3_error(exc, endpoint) from exc
    for bucket, flows in sorted(buckets.items()):
        try:
            client.head_bucket(Bucket=bucket)
        except Exception as exc:
            raise s3_error(exc, endpoint, bucket=bucket, flows=flows) from exc
    return f"{endpoint}: {len(buckets)} output bucket{'s' if len(buckets) != 1 else ''} found"


def _output_buckets(config: ServiceConfig) -> dict[str, list[str]]:
    """Bucket → names of the flow definitions whose ``S3OutputPath`` names it."""
    from sqlalchemy import create_engine, inspect, select
    from sqlalchemy.pool import NullPool

    from a2i_kit.service.outputs import split_s3_output_path
    from a2i_kit.service.store.schema import flow_definitions

    url = config.database_url or f"sqlite:///{config.store_path}"
    if not config.database_url and not config.store_path.exists():
        return {}
    engine = create_engine(url, poolclass=NullPool)
    try:
        with database_errors(url), engine.connect() as conn:
            if not inspect(conn).has_table("flow_definitions"):
                return {}
            rows = conn.execute(select(flow_definitions.c.name, flow_definitions.c.doc)).all()
    finally:
        engine.dispose()
    buckets: dict[str, list[str]] = {}
    for name, doc in rows:
        path = json.loads(doc).get("OutputConfig", {}).get("S3OutputPath", "")
        with contextlib.suppress(ValueError):
            buckets.setdefault(split_s3_output_path(path)[0], []).append(name)
    return buckets


def check_access_keys(config: ServiceConfig) -> str:
    """With signed requests on, the secret key file opens the access keys the store holds."""
    if not config.require_auth:
        return "signed requests off (loopback only)"
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    from a2i_kit.service.access_keys import AccessKeys, default_key_file
    from a2i_kit.service.store.access_keys import AccessKeyRepository

    path = default_key_file(config)
    url = config.database_url or f"sqlite:///{config.store_path}"
    if not config.database_url and not config.store_path.exists():
        return "signed requests on; no access keys yet (issue one: a2i-kit admin create-access-key --name NAME)"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with database_errors(url):
            with engine.connect() as conn:
                has_table = inspect(conn).has_table("access_keys")
            keys = AccessKeys(AccessKeyRepository(engine), path)
            count = len(keys.list()) if has_table else 0
            if count:
                keys.check()  # ConfigError naming the fix when the file is missing or another key
    except OSError as exc:
        raise ConfigError(f"the secret key file {path} is not readable ({exc.strerror}); let the service's "
                          "user read it (chmod 600, owned by that user)") from exc
    finally:
        engine.dispose()
    if not count:
        return "signed requests on; no access keys yet (issue one: a2i-kit admin create-access-key --name NAME)"
    return f"signed requests on; {count} access key{'s' if count != 1 else ''} open with {path}"


def check_port(host: str, port: int) -> str:
    """Nothing else listens on ``host:port`` (port 0 picks a free one at start)."""
    if port == 0:
        return "any free port"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror}); stop what uses it or pick "
                              "another --port") from exc
    return f"{host}:{port} free"


def run_checks(config: ServiceConfig, *, host: str, port: int, workers: int = 1,
               with_port: bool = True, with_database: bool = True) -> list[tuple[str, bool, str]]:
    """Every check in order: ``(name, passed, what it found or the one-line error)``.

    The database is checked before the outputs (the buckets come from its flow definitions);
    when it fails, the outputs are reported as not checked.
    """
    checks: list[tuple[str, Callable[[], str]]] = [
        ("workers", lambda: check_workers(config, workers)),
        ("data directory", lambda: check_data_dir(config)),
        ("database", lambda: check_database(config)),
        ("outputs", lambda: check_outputs(config)),
        ("access keys", lambda: check_access_keys(config)),
    ]
    if with_port:
        checks.append(("port", lambda: check_port(host, port)))
    if not with_database:
        checks = [(name, check) for name, check in checks if name != "database"]
    results: list[tuple[str, bool, str]] = []
    database_ok = True
    for name, check in checks:
        if name == "outputs" and not database_ok and config.output_mode == "s3":
            results.append((name, False, "not checked: the database check failed"))
            continue
        try:
            results.append((name, True, check()))
        except ConfigError as exc:
            results.append((name, False, str(exc)))
            database_ok = database_ok and name != "database"
    return results


def preflight(config: ServiceConfig, *, host: str, port: int, workers: int = 1) -> None:
    """Raise the first failing check's ConfigError (what ``serve`` runs before it binds).

    The embedded default (SQLite in the data directory) opens and upgrades its store at start,
    so only a ``database_url`` is probed here.
    """
    for _name, ok, detail in run_checks(config, host=host, port=port, workers=workers, with_port=False,
                                        with_database=bool(config.database_url)):
        if not ok and not detail.startswith("not checked"):
            raise ConfigError(detail)


def describe(config: ServiceConfig) -> str:
    """Where the state lives, password hidden: for banners and messages."""
    return public_url(config.database_url) if config.database_url else f"SQLite {config.store_path}"
