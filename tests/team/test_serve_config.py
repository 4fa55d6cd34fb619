"""``a2i-kit serve`` with bad team configuration: one actionable line, a non-zero exit, no traceback.

Each case runs the real CLI as a subprocess, both as ``serve --check`` (a report, exit 1) and as a
plain ``serve`` (refuses to start, exit 2). The PostgreSQL cases are in test_serve_config_pg.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

TEMPLATE = "<p>{{ task.input.text }}</p>"

A2I_KIT = Path(sys.executable).parent / "a2i-kit"


def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run ``a2i-kit serve`` (it must exit by itself: every case here is refused or a --check)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("A2I_KIT_DATABASE_URL", "AWS_ENDPOINT_URL_S3")}
    full_env.update({"A2I_KIT_DATA_DIR": str(tmp_path / "data"), **(env or {})})
    return subprocess.run([str(A2I_KIT), "serve", "--port", "0", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, check=False)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single ``a2i-kit: error:`` line of stderr (and nothing that looks like a traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("a2i-kit: error: "), lines[0]
    return lines[0].removeprefix("a2i-kit: error: ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_workers_above_one_on_sqlite_is_refused(tmp_path):
    result = serve(tmp_path, "--workers", "2")
    assert result.returncode == 2
    assert one_error_line(result) == (
        "--workers 2 needs a shared database: SQLite is one process; pass --database-url "
        "postgresql+psycopg://... (see README, Run it for a team)")
    assert result.stdout == ""


def test_workers_above_one_on_sqlite_fails_the_check(tmp_path):
    result = serve(tmp_path, "--workers", "3", "--check")
    assert result.returncode == 1
    assert "FAIL workers: --workers 3 needs a shared database: SQLite is one process\n" in result.stdout
    assert "1 check failed" in result.stdout
    assert "--workers 3 needs a shared database" in one_error_line(result)


def test_check_of_the_embedded_default_passes(tmp_path):
    port = free_port()
    result = serve(tmp_path, "--check", "--port", str(port))
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    assert result.stdout.splitlines() == [
        "ok   workers: 1 process",
        f"ok   data directory: {data}",
        f"ok   database: SQLite {data / 'a2i.sqlite3'} (created at first start)",
        f"ok   outputs: local mirror {data / 's3'}",
        "ok   access keys: signed requests off (loopback only)",
        f"ok   port: 127.0.0.1:{port} free",
        "configuration ok",
    ]
    assert result.stderr == ""


def test_check_finds_the_port_taken(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = serve(tmp_path, "--check", "--port", str(port))
    assert result.returncode == 1
    assert one_error_line(result) == (
        f"cannot listen on 127.0.0.1:{port} (Address already in use); stop what uses it or pick another --port")


@pytest.mark.parametrize("flag", ["--database-url", "env"])
def test_unreachable_database(tmp_path, flag):
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://a2i:sekrit@127.0.0.1:{port}/a2i"
    args, env = (("--database-url", url), {}) if flag != "env" else ((), {"A2I_KIT_DATABASE_URL": url})
    result = serve(tmp_path, *args, env=env)
    assert result.returncode == 2
    line = one_error_line(result)
    assert line.startswith(f"cannot reach the database postgresql+psycopg://a2i:***@127.0.0.1:{port}/a2i (")
    assert "Connection refused" in line
    assert line.endswith("): check --database-url (A2I_KIT_DATABASE_URL) and that the server is running")
    assert "sekrit" not in result.stderr + result.stdout


def test_not_a_database_url(tmp_path):
    result = serve(tmp_path, "--database-url", "postgres://a2i@db/a2i", "--check")
    assert result.returncode == 1
    assert one_error_line(result) == (
        "postgres://a2i@db/a2i is not a database URL a2i-kit can use (Can't load plugin: "
        "sqlalchemy.dialects:postgres): use postgresql+psycopg://user:password@host:5432/dbname or leave it "
        "unset for SQLite")


def test_access_keys_need_their_secret_key_file(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "A2I_KIT_DATA_DIR": str(data)}
    issued = subprocess.run([str(A2I_KIT), "admin", "create-access-key", "--name", "alice"], capture_output=True,
                            text=True, env=env, timeout=60, check=False)
    assert issued.returncode == 0, issued.stderr
    fine = serve(tmp_path, "--require-auth", "--check")
    assert fine.returncode == 0, fine.stderr
    assert f"ok   access keys: signed requests on; 1 access key open with {data / 'secret.key'}\n" in fine.stdout
    (data / "secret.key").rename(tmp_path / "elsewhere.key")
    result = serve(tmp_path, "--require-auth")
    assert result.returncode == 2
    assert one_error_line(result) == (
        f"the secret key file {data / 'secret.key'} is missing, so the secrets sealed in the store (access keys, "
        "webhooks) cannot be read; restore it (or point secret_key_file / A2I_KIT_SECRET_KEY_FILE at it), or "
        "delete them and create new ones")
    moved = serve(tmp_path, "--require-auth", "--check", env={"A2I_KIT_SECRET_KEY_FILE": str(tmp_path / "elsewhere.key")})
    assert moved.returncode == 0, moved.stderr


# -- S3 outputs (moto's server as the S3 endpoint) -------------------------------------------------
def _flow_with_bucket(tmp_path: Path, bucket: str) -> None:
    """A flow definition whose S3OutputPath names ``bucket``, made by a one-process service."""
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    with ServiceThread(ServiceConfig(data_dir=tmp_path / "data")) as service:
        sm = boto3.client("sagemaker", endpoint_url=service.url, region_name="us-east-1")
        team = sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[
            {"OidcMemberDefinition": {"Groups": ["reviewers"]}}])["WorkteamArn"]
        ui = sm.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": TEMPLATE})
        sm.create_flow_definition(
            FlowDefinitionName="claims", RoleArn="arn:aws:iam::111122223333:role/r",
            OutputConfig={"S3OutputPath": f"s3://{bucket}/out"},
            HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui["HumanTaskUiArn"], "TaskTitle": "t",
                             "TaskDescription": "d", "TaskCount": 1})


def test_missing_output_bucket(tmp_path, moto_s3: dict[str, Any]):
    _flow_with_bucket(tmp_path, "team-missing-bucket")
    endpoint = moto_s3["endpoint"]
    expected = (f"bucket team-missing-bucket (S3OutputPath of flow definition claims) does not exist at "
                f"{endpoint}; create it (aws s3 mb s3://team-missing-bucket) or point --s3-endpoint-url at "
                "the store that has it")
    checked = serve(tmp_path, "--s3-endpoint-url", endpoint, "--check")
    assert checked.returncode == 1
    assert one_error_line(checked) == expected
    assert "FAIL outputs: bucket team-missing-bucket" in checked.stdout
    refused = serve(tmp_path, env={"AWS_ENDPOINT_URL_S3": endpoint})
    assert refused.returncode == 2
    assert one_error_line(refused) == expected
    moto_s3["client"]().create_bucket(Bucket="team-missing-bucket")
    fixed = serve(tmp_path, "--s3-endpoint-url", endpoint, "--check")
    assert fixed.returncode == 0, fixed.stderr
    assert f"ok   outputs: {endpoint}: 1 output bucket found\n" in fixed.stdout


def test_s3_endpoint_unreachable(tmp_path):
    endpoint = f"http://127.0.0.1:{free_port()}"
    result = serve(tmp_path, "--s3-endpoint-url", endpoint, "--check")
    assert result.returncode == 1
    line = one_error_line(result)
    assert line.startswith(f"cannot reach S3 at {endpoint} (Could not connect to the endpoint URL: ")
    assert line.endswith("); check --s3-endpoint-url (or AWS_ENDPOINT_URL_S3)")


def test_s3_without_credentials(tmp_path, moto_s3: dict[str, Any]):
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"}
    result = serve(tmp_path, "--s3-endpoint-url", moto_s3["endpoint"], "--check", env=env)
    assert result.returncode == 1
    assert one_error_line(result) == (
        f"no AWS credentials for S3 at {moto_s3['endpoint']} (Unable to locate credentials); set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, for the service's user")
