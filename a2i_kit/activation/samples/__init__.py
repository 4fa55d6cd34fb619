"""Saved Textract / Rekognition requests and responses for notebooks and tests (synthetic data).

Example:
    >>> sorted(sample_names())[:2]
    ['rekognition_moderation', 'textract_clean_form']
    >>> load_sample("rekognition_moderation")["response"]["ModerationModelVersion"]
    '7.0'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from a2i_kit.errors import InputError

HERE = Path(__file__).parent


def sample_names() -> list[str]:
    """Names accepted by :func:`load_sample`."""
    return sorted(p.name.removesuffix("_request.json") for p in HERE.glob("*_request.json"))


def load_sample(name: str) -> dict[str, Any]:
    """``{"request": ..., "response": ...}`` of one saved call (PascalCase, as boto3 returns it)."""
    if name not in sample_names():
        raise InputError(f"no sample named {name!r}; choose one of {sample_names()}")
    return {part: json.loads((HERE / f"{name}_{part}.json").read_text())
            for part in ("request", "response")}
