"""Fixtures of the AWS-shaped stack (see ``tests/aws/stack.py``); ``--run-aws`` is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from motoserver import MotoServer
from stack import AwsStack


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """One moto server for the whole run (emptied before each test by ``aws_stack``)."""
    server = MotoServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aws_stack(moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsStack]:
    """A fresh stack with its ``AWS_ENDPOINT_URL_*`` variables set for this test."""
    moto_server.reset()
    stack = AwsStack(moto_server, tmp_path / "a2i-data").start()
    for name, value in stack.environ.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_REGION", "A2I_KIT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield stack
    finally:
        stack.stop()

