"""Fixtures of the team-scale tests: moto's S3 server, and service processes on PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[dict[str, Any]]:
    """moto's S3 server on a loopback port: ``{"endpoint": url, "client": factory}``."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield {"endpoint": endpoint,
               "client": lambda: boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")}
    finally:
        server.stop()
