"""Unit tests of the shared body reader and strict JSON parser (a2i_kit.service.bodies)."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from a2i_kit.service.bodies import (
    MAX_DEPTH,
    BodyError,
    check_text,
    read_capped,
    strict_loads,
    strict_object,
)


@pytest.mark.parametrize(("raw", "expected"), [
    (b'{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
    ('{"é": "\\u00e9 \\ud83d\\ude00"}', {"é": "é 😀"}),  # a surrogate *pair* is valid text
    (b"1e308", 1e308),
    (b"-0.0", -0.0),
    (b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, json.loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)),
    (b'"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["', "[" * 68),  # brackets in a string
])
def test_strict_loads_accepts_strict_json(raw, expected):
    assert strict_loads(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    (b'{"a": NaN}', "holds NaN, which strict JSON parsers refuse; send null or a number"),
    (b'{"a": Infinity}', "holds Infinity"),
    (b"[-Infinity]", "holds -Infinity"),
    (b"1e999", "the JSON number 1e999 is too large for a double"),
    (b"-1e400", "the JSON number -1e400 is too large"),
    (b'"\\ud800"', "lone UTF-16 surrogate"),
    (b'{"\\udfff": 1}', "lone UTF-16 surrogate"),  # in a key too
    (b'["ok", "\\uDBFF x"]', "lone UTF-16 surrogate"),
    (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels deep"),
    (b"[" * 200_000, "nested more than"),
    (b"{", "not valid JSON"),
    (b"\xff\xfe{}", "not valid JSON"),
    (b"", "not valid JSON"),
    (b"1" * 5000, "not valid JSON"),  # more digits than Python converts
])
def test_strict_loads_refusals(raw, fragment):
    with pytest.raises(BodyError) as info:
        strict_loads(raw)
    assert fragment in info.value.message
    assert info.value.status == 400


def test_depth_limit_is_a_parameter():
    assert strict_loads("[[1]]", max_depth=2) == [[1]]
    with pytest.raises(BodyError, match="nested more than 2 levels deep"):
        strict_loads("[[[1]]]", max_depth=2)


@pytest.mark.parametrize(("raw", "expected"), [(b"", {}), (b"  \n", {}), (b'{"a": 1}', {"a": 1})])
def test_strict_object(raw, expected):
    assert strict_object(raw) == expected


@pytest.mark.parametrize(("raw", "kwargs", "fragment"), [
    (b"[]", {}, "must be a JSON object, not a JSON list"),
    (b'"x"', {}, "not a JSON str"),
    (b"", {"empty_ok": False}, "the body is empty; send a JSON object"),
])
def test_strict_object_refusals(raw, kwargs, fragment):
    with pytest.raises(BodyError, match=fragment):
        strict_object(raw, **kwargs)


def test_check_text():
    assert check_text("Équipe", "name") == "Équipe"
    with pytest.raises(BodyError, match="name holds a lone UTF-16 surrogate"):
        check_text("bad\udc80", "name")


class FakeRequest:
    """What read_capped uses of a starlette request: headers and an async byte stream."""

    def __init__(self, chunks: list[bytes], headers: dict[str, str] | None = None) -> None:
        self.headers = headers or {}
        self.chunks = chunks
        self.read = 0

    async def stream(self) -> Any:
        for chunk in self.chunks:
            self.read += 1
            yield chunk


def _read(request: FakeRequest, limit: int) -> bytes:
    """Run read_capped on a loop of its own thread (Playwright may hold this thread's loop)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(read_capped(request, limit)))
        except BaseException as exc:  # re-raised in the test's thread
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def test_read_capped_reads_small_bodies():
    assert _read(FakeRequest([b"ab", b"cd"], {"content-length": "4"}), 4) == b"abcd"


def test_read_capped_refuses_a_declared_size_before_reading():
    request = FakeRequest([b"x" * 10], {"content-length": "10"})
    with pytest.raises(BodyError) as info:
        _read(request, 5)
    assert info.value.status == 413
    assert info.value.message == "the body (10 bytes) is larger than this route accepts (5 bytes)"
    assert request.read == 0


def test_read_capped_stops_an_undeclared_stream_at_the_limit():
    request = FakeRequest([b"x" * 4] * 100)
    with pytest.raises(BodyError) as info:
        _read(request, 10)
    assert info.value.status == 413
    assert request.read == 3  # stopped as soon as the limit was passed


@pytest.mark.parametrize("declared", ["ten", "-1", "١٢", "1e3"])
def test_read_capped_refuses_a_non_numeric_content_length(declared):
    with pytest.raises(BodyError) as info:
        _read(FakeRequest([b""], {"content-length": declared}), 10)
    assert info.value.status == 400
    assert "is not a number" in info.value.message
