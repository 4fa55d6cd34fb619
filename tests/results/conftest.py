"""Fixtures for results tests: a moto S3 server on loopback and a fresh bucket per test."""

from __future__ import annotations

import threading
from typing import Any

import pytest


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
        lock = threading.Lock()  # sync fetches from several threads: a bare += can lose a count

        def count(model: Any, **_: Any) -> None:
            with lock:
                counts[model.name] = counts.get(model.name, 0) + 1

        client.meta.events.register("before-call.s3", count)
        return counts

    return attach
