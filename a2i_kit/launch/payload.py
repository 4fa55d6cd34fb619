"""Turn row values into JSON that StartHumanLoop accepts, converting numpy/pandas types.

NaN/NA/NaT become ``null``; numpy scalars and arrays become Python numbers and lists;
timestamps and dates become ISO-8601 text; Decimals become floats. Values with no JSON form
(bytes, sets, infinities, arbitrary objects) raise InputError naming the item and the field.

Example:
    >>> import numpy as np, pandas as pd
    >>> to_jsonable({"n": np.int64(3), "p": np.float32(0.5), "t": pd.Timestamp("2026-01-02"),
    ...              "x": float("nan"), "v": np.array([1, 2])}, item="a")
    {'n': 3, 'p': 0.5, 't': '2026-01-02T00:00:00', 'x': None, 'v': [1, 2]}
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.errors import InputError

MAX_INPUT_CHARS = 3_145_728
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)  # built once


def _fail(item: str, path: str, why: str) -> InputError:
    where = f"field {path!r}" if path else "the input"
    return InputError(f"item {item!r}: {where} {why}")


def to_jsonable(value: Any, *, item: str, path: str = "") -> Any:
    """A JSON-ready copy of ``value``; raises InputError for values JSON cannot hold."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is dict and all(type(k) is str for k in value):  # a row: the usual case, no ABC checks
        return {k: to_jsonable(v, item=item, path=f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise _fail(item, path, "is infinite; JSON has no infinity (use null or a large number)")
        return value
    if isinstance(value, np.generic):
        return to_jsonable(value.item(), item=item, path=path)
    if isinstance(value, Mapping):
        return {_key(k, item, path): to_jsonable(v, item=item, path=f"{path}.{k}" if path else str(k))
                for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray | pd.Series | pd.Index):
        seq = value.tolist() if hasattr(value, "tolist") else value
        return [to_jsonable(v, item=item, path=f"{path}[{i}]") for i, v in enumerate(seq)]
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, decimal.Decimal):
        return to_jsonable(float(value), item=item, path=path)
    if isinstance(value, bytes | bytearray):
        raise _fail(item, path, "is bytes; put the object in S3 and pass its s3:// URI, or base64 it")
    raise _fail(item, path, f"is a {type(value).__name__}, which has no JSON form; convert it to "
                            "a string, number, list or dict")


def _key(key: Any, item: str, path: str) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        return str(int(key))
    raise _fail(item, path, f"has a non-string key {key!r}; JSON object keys must be strings")


def input_content(obj: Any, *, item: str) -> str:
    """``InputContent`` for one item: a JSON object string within the 3,145,728-char limit."""
    data = to_jsonable(obj, item=item)
    if not isinstance(data, dict):
        raise _fail(item, "", f"must be a JSON object (dict), got {type(data).__name__}")
    text = _ENCODER.encode(data)
    if len(text) > MAX_INPUT_CHARS:
        raise _fail(item, "", f"is {len(text):,} characters of JSON; InputContent allows at most "
                              f"{MAX_INPUT_CHARS:,}. Store large objects in S3 and pass their URIs")
    return text
