from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).with_name("samples")
LOADER = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>\n'


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


@pytest.fixture
def signer() -> object:
    return lambda bucket, key: f"https://signed.example/{bucket}/{key}?sig=1"
