"""``PageToken.decode`` raises ValueError, and nothing else, for any token it did not make.

(The door maps that ValueError to a ValidationException on the AWS routes.)
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from a2i_kit.service.store import PageToken

SCOPE = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _token(value: Any) -> str:
    return _b64(json.dumps(value).encode())


FORGED = {
    "empty": "",
    "not base64": "!!!not-base64!!!",
    "spaces": "abc def",
    "padding inside": "YWJj=ZGVm",
    "one char too many": "a",  # a base64 length that cannot exist
    "not utf-8": _b64(b"\xff\xfe\xfd"),
    "not json": _b64(b"hello"),
    "json string": _token("x"),
    "json object": _token({"creation_time": 1, "name": "n"}),
    "empty list": _token([]),
    "two items": _token([1.0, "n"]),
    "four items": _token([1.0, "n", SCOPE, "extra"]),
    "other scope": _token([1.0, "n", "arn:other"]),
    "scope not a string": _token([1.0, "n", 7]),
    "name not a string": _token([1.0, 5, SCOPE]),
    "name null": _token([1.0, None, SCOPE]),
    "time a string": _token(["1.0", "n", SCOPE]),
    "time null": _token([None, "n", SCOPE]),
    "time a bool": _token([True, "n", SCOPE]),
    "time a list": _token([[1], "n", SCOPE]),
    "time NaN": _b64(f'[NaN,"n","{SCOPE}"]'.encode()),
    "time Infinity": _b64(f'[Infinity,"n","{SCOPE}"]'.encode()),
    "time -Infinity": _b64(f'[-Infinity,"n","{SCOPE}"]'.encode()),
    "time 1e999": _b64(f'[1e999,"n","{SCOPE}"]'.encode()),
    "time a huge integer": _b64(f'[{"9" * 400},"n","{SCOPE}"]'.encode()),
    "lone surrogate in the name": _b64(f'[1.0,"\\ud800","{SCOPE}"]'.encode()),
    "deeply nested": _b64(b"[" * 700 + b"]" * 700),
    "non-ASCII characters": "ëöü" + _token([1.0, "n", SCOPE]),
    "non-ASCII digits": "١٢٣٤",
    "over 1 KiB": _token([1.0, "n" * 1000, SCOPE]),
    "not a string at all": 12345,
    "bytes": b"abc",
}


@pytest.mark.parametrize("token", list(FORGED.values()), ids=list(FORGED))
def test_a_forged_token_raises_value_error_only(token: Any) -> None:
    with pytest.raises(ValueError, match="pagination token") as raised:
        PageToken.decode(token, SCOPE)
    assert type(raised.value) is ValueError


@pytest.mark.parametrize(("creation_time", "name"), [
    (1709647329.417, "loop-1"), (0.0, "a"), (1e12, "x" * 63), (17, "int-time")])
def test_our_own_tokens_round_trip(creation_time: float, name: str) -> None:
    token = PageToken.encode(creation_time, name, SCOPE)
    assert PageToken.decode(token, SCOPE) == (float(creation_time), name)
    assert isinstance(PageToken.decode(token, SCOPE)[0], float)
