"""Launch test helpers: a ready flow definition, a Session on the test service, and a way to list
what the service holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from a2i_kit.session import Session


def _loop_names(runtime: Any, flow_arn: str) -> list[str]:
    pages = runtime.get_paginator("list_human_loops").paginate(FlowDefinitionArn=flow_arn)
    return [s["HumanLoopName"] for page in pages for s in page["HumanLoopSummaries"]]


@pytest.fixture
def loop_names() -> Callable[[Any, str], list[str]]:
    """``loop_names(runtime, flow_arn)``: every loop name of a flow (paginated ListHumanLoops)."""
    return _loop_names


@pytest.fixture
def flow(make_flow: Any) -> dict[str, Any]:
    return make_flow("launch-flow")


@pytest.fixture
def session(service: Any, sagemaker_client: Any, runtime_client: Any) -> Session:
    """The Session ``connect()`` would return for the test service (its boto3 clients, URL and data)."""
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url, data_dir=service.context.config.data_dir)
