"""Fixtures for results tests: a moto S3 server on loopback and a fresh bucket per test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[dict[str, Any]]:
    """A moto S3 server on a loopback port of its own; yields the endpoint and a client factory."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield {"endpoint": endpoint, "client": lambda: boto3.client("s3", endpoint_url=endpoint,
                                                                      region_name="us-east-1")}  # fmt: skip
    finally:
        server.stop()


@pytest.fixture
def bucket(moto_s3: dict[str, Any], request: pytest.FixtureRequest) -> tuple[Any, str]:
    """A fresh bucket per test: (client, bucket name)."""
    client = moto_s3["client"]()
    name = "res-" + request.node.name.lower().replace("_", "-")[:40].strip("-[]")
    name = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in name)
    client.create_bucket(Bucket=name)
    return client, name


@pytest.fixture
def s3_calls() -> Any:
    """Attach to a client: counts API calls by operation name."""

    def attach(client: Any) -> dict[str, int]:
        counts: dict[str, int] = {}

        def count(model: Any, **_: Any) -> None:
            counts[model.name] = counts.get(model.name, 0) + 1

        client.meta.events.register("before-call.s3", count)
        return counts

    return attach
