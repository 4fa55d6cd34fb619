"""Fixtures of the review area: an admin client, workers on demand, loops started over boto3."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from a2i_kit.review import AdminClient, WorkerClient


@pytest.fixture
def admin(service: Any) -> Iterator[AdminClient]:
    with AdminClient(service.url, service.admin_token) as client:
        yield client


@pytest.fixture
def http(service: Any) -> Iterator[httpx.Client]:
    """A raw HTTP client (no credentials) for status-code and header checks."""
    with httpx.Client(base_url=service.url, timeout=30) as client:
        yield client


@pytest.fixture
def add_worker(service: Any, admin: AdminClient) -> Iterator[Callable[..., WorkerClient]]:
    """Factory: ``add_worker("alice", groups=["reviewers"])`` → a WorkerClient with ``.info``."""
    clients: list[WorkerClient] = []

    def make(name: str, groups: list[str] | None = None, identity_provider: str = "Cognito") -> WorkerClient:
        info = admin.add_worker(name, groups or ["reviewers"], identity_provider)
        client = WorkerClient(service.url, info["token"])
        client.info = info  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def start_loops(runtime_client: Any) -> Callable[..., list[str]]:
    """Start ``n`` loops on a flow; inputs ``{"text": ..., "label": ...}`` unless given."""

    def start(flow: dict[str, Any], n: int = 1, *, prefix: str = "loop",
              inputs: list[dict[str, Any]] | None = None) -> list[str]:
        names = []
        for i in range(n):
            name = f"{prefix}-{i}"
            data = inputs[i] if inputs else {"text": f"review number {i}", "label": "positive"}
            runtime_client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                                            HumanLoopInput={"InputContent": json.dumps(data)})
            names.append(name)
        return names

    return start


@pytest.fixture
def read_output(service: Any, runtime_client: Any) -> Callable[[str], dict[str, Any]]:
    """``read_output(loop)``: the loop's output.json from the local mirror (via its OutputS3Uri)."""

    def read(loop: str) -> dict[str, Any]:
        uri = runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopOutput"]["OutputS3Uri"]
        bucket, _, key = uri[len("s3://"):].partition("/")
        return json.loads((service.context.config.mirror_dir / bucket / key).read_text())

    return read
