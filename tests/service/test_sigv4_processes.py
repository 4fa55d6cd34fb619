"""Signed requests with several service processes on one PostgreSQL database (``--workers 2``)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from a2i_kit.cli.admin import open_keys
from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.processes import Supervisor

TARGET = {"X-Amz-Target": "SageMaker.ListHumanTaskUis", "Content-Type": "application/x-amz-json-1.1"}


def call(url: str, key_id: str, secret: str) -> httpx.Response:
    """One signed ListHumanTaskUis on a new connection (so the processes take turns accepting)."""
    request = AWSRequest(method="POST", url=url + "/", data=b"{}", headers=TARGET)
    SigV4Auth(Credentials(key_id, secret), "sagemaker", "us-east-1").add_auth(request)
    with httpx.Client() as client:
        return client.post(url + "/", content=b"{}", headers=dict(request.headers.items()))


def test_keys_work_and_a_deleted_key_stops_in_every_process(tmp_path: Path, postgres: Any) -> None:
    config = ServiceConfig(data_dir=tmp_path / "data", require_auth=True,
                           database_url=postgres.create_database(f"t_{uuid.uuid4().hex[:16]}"))
    with Supervisor(config, workers=2) as running:
        assert len(running.pids()) == 2
        with open_keys(config) as keys:  # issued while the processes run, as `a2i-kit admin` does
            issued = keys.create("alice")
        answers = [call(running.url, issued.key_id, issued.secret) for _ in range(30)]
        assert [a.status_code for a in answers] == [200] * 30
        assert answers[0].json() == {"HumanTaskUiSummaries": []}
        with open_keys(config) as keys:
            assert keys.delete(issued.key_id)
        deadline, streak = time.monotonic() + 15, 0
        while streak < 30 and time.monotonic() < deadline:  # 30 refusals in a row on new connections
            answer = call(running.url, issued.key_id, issued.secret)
            streak = streak + 1 if answer.status_code == 403 else 0
        assert streak == 30
        assert answer.json() == {"__type": "UnrecognizedClientException",
                                 "Message": "The security token included in the request is invalid."}
