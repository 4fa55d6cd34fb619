"""Helpers for the service tests: error assertions, loop starters, raw HTTP access."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::111122223333:role/a2i-kit-test"


def _aws_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def aws_error() -> Callable[..., tuple[str, str, int]]:
    """``aws_error(call, **kwargs)``: run a boto3 call that must fail; (Error.Code, Error.Message, status)."""
    return _aws_error


@pytest.fixture
def start_loop(runtime_client: Any) -> Callable[..., str]:
    """Factory: start a loop with a small JSON input; returns its ARN."""

    def start(name: str, flow_arn: str, content: dict[str, Any] | None = None) -> str:
        return runtime_client.start_human_loop(
            HumanLoopName=name, FlowDefinitionArn=flow_arn,
            HumanLoopInput={"InputContent": json.dumps(content or {"text": "great product"})})["HumanLoopArn"]

    return start


@pytest.fixture
def http(service: Any) -> Any:
    """A raw HTTP client on the service (for requests boto3 would never send)."""
    with httpx.Client(base_url=service.url, timeout=10) as client:
        yield client


@pytest.fixture
def admin(service: Any) -> dict[str, str]:
    return {"X-A2I-Admin-Token": service.admin_token}


def boto_client(service: Any, name: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(name, endpoint_url=service.url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def custom_service(tmp_path: Any) -> Any:
    """Factory: ``custom_service(**config)`` → (service, sagemaker client, runtime client); stopped at the end."""
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    started: list[Any] = []

    def make(data_dir: Any = None, **config: Any) -> tuple[Any, Any, Any]:
        service = ServiceThread(ServiceConfig(data_dir=data_dir or tmp_path / f"svc-{len(started)}", **config))
        started.append(service.start())
        return service, boto_client(service, "sagemaker"), boto_client(service, "sagemaker-a2i-runtime")

    yield make
    for service in started:
        service.stop()
