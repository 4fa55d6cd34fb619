"""Server-side request validation driven by botocore's service models, with AWS wording.

botocore checks only required members, types and minimums on the client; the service must
also enforce maximums, patterns (full match) and enums. Each operation's checks are compiled
once into closures and cached, so a request costs a few dictionary lookups.

Example:
    >>> validate("sagemaker-a2i-runtime", "StopHumanLoop", {"HumanLoopName": "Bad_Name"})
    Traceback (most recent call last):
    ...
    a2i_kit.service.protocol.ValidationException: 1 validation error detected: Value 'Bad_Name' at 'humanLoopName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](-*[a-z0-9])*$
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from a2i_kit.service.bodies import BodyError, strict_loads
from a2i_kit.service.protocol import ValidationException, parse_timestamp

Check = Callable[[Any, str, list[str]], None]
SAGEMAKER = "sagemaker"
RUNTIME = "sagemaker-a2i-runtime"
MAX_INPUT_CONTENT = 3_145_728
LENIENT_LOOP_NAME = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"

# Java's Unicode categories, approximated with ranges Python's ``re`` understands.
_JAVA_CATEGORIES = {
    "L": "A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u1fff\u2c00-\u2dff\u3040-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd",
    "M": "\u0300-\u036f\u0483-\u0489\u20d0-\u20ff\ufe20-\ufe2f",
    "N": "0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u2150-\u218f\u2460-\u249b\uff10-\uff19",
    "P": r"!-#%-*,-/:;?@\[-\]_{}\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf\u2010-\u2027\u2030-\u205e\u3001-\u3003",
    "S": r"$+<->\^`|~\u00a2-\u00a9\u00ac\u00ae-\u00b1\u00b4\u00b8\u00d7\u00f7\u2100-\u214f\u2190-\u23ff\u2500-\u27bf",
    "Z": " \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
}


def python_regex(pattern: str) -> re.Pattern[str]:
    """Compile a model (Java) regex for ``fullmatch``; ``\\p{X}`` inside classes is translated."""
    return re.compile(re.sub(r"\\p\{(\w)\}", lambda m: _JAVA_CATEGORIES[m.group(1)], pattern))


@lru_cache(maxsize=4)
def _shapes(service: str) -> dict[str, Any]:
    import botocore.loaders

    return botocore.loaders.Loader().load_service_model(service, "service-2")


def operation_model(service: str, operation: str) -> dict[str, Any] | None:
    """The raw model entry of an operation, or None when the service has no such operation."""
    return _shapes(service)["operations"].get(operation)


def _show(value: Any) -> str:
    """The value as AWS prints it in a message (lists as ``[a, b]``), cut at 256 characters."""
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = "[" + ", ".join(map(str, value)) + "]"
    elif isinstance(value, list | dict):
        try:
            text = json.dumps(value, default=str)
        except (RecursionError, ValueError):
            text = "<deeply nested value>"
    else:
        text = str(value)
    return text if len(text) <= 256 else text[:256] + "..."


def _fail(errors: list[str], value: Any, path: str, constraint: str) -> None:
    shown = "null" if value is None else f"'{_show(value)}'"
    errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")


class _Compiler:
    def __init__(self, service: str, lenient_names: bool) -> None:
        self.shapes = _shapes(service)["shapes"]
        self.lenient = lenient_names
        self.cache: dict[str, Check] = {}

    def shape(self, name: str) -> Check:
        if name not in self.cache:
            slot: list[Check] = []
            self.cache[name] = lambda v, p, e: slot[0](v, p, e)  # recursion placeholder
            slot.append(self._build(name, self.shapes[name]))
            self.cache[name] = slot[0]
        return self.cache[name]

    def _build(self, name: str, shape: dict[str, Any]) -> Check:
        kind = shape["type"]
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        if kind == "string":
            return self._string(name, shape)
        if kind in ("integer", "long", "float", "double"):
            return _number(shape, integral=kind in ("integer", "long"))
        if kind == "boolean":
            return _typed(bool, "boolean")
        if kind == "timestamp":
            return _timestamp
        return _accept

    def _structure(self, shape: dict[str, Any]) -> Check:
        members = {m: (m[:1].lower() + m[1:], self.shape(spec["shape"]))
                   for m, spec in shape.get("members", {}).items()}
        required = tuple(shape.get("required", ()))

        def check(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, dict):
                _fail(errors, value, path or "request", "Member must be a structure")
                return
            for member in required:
                if value.get(member) is None:
                    _fail(errors, None, _join(path, members[member][0]), "Member must not be null")
            for key, item in value.items():
                known = members.get(key)
                if known is not None and item is not None:
                    known[1](item, _join(path, known[0]), errors)
        return check

    def _list(self, shape: dict[str, Any]) -> Check:
        item_check = self.shape(shape["member"]["shape"])
        low, high = shape.get("min"), shape.get("max")

        def check(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, list):
                _fail(errors, value, path, "Member must be a list")
                return
            _length(value, path, errors, low, high)
            for index, item in enumerate(value, 1):
                item_check(item, f"{path}.{index}.member", errors)
        return check

    def _map(self, shape: dict[str, Any]) -> Check:
        key_check = self.shape(shape["key"]["shape"])
        value_check = self.shape(shape["value"]["shape"])
        low, high = shape.get("min"), shape.get("max")

        def check(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, dict):
                _fail(errors, value, path, "Member must be a map")
                return
            _length(value, path, errors, low, high)
            for key, item in value.items():
                key_check(key, f"{path}.{key}.key", errors)
                value_check(item, f"{path}.{key}.value", errors)
        return check

    def _string(self, name: str, shape: dict[str, Any]) -> Check:
        low, high = shape.get("min"), shape.get("max")
        enum = shape.get("enum")
        pattern_text = shape.get("pattern")
        if name == "HumanLoopName" and self.lenient:
            pattern_text = LENIENT_LOOP_NAME
        regex = None if pattern_text in (None, ".*", r"[\S\s]+") else python_regex(pattern_text)
        enum_text = f"Member must satisfy enum value set: [{', '.join(enum)}]" if enum else ""

        def check(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, str):
                _fail(errors, value, path, "Member must be a string")
                return
            _length(value, path, errors, low, high)
            if enum and value not in enum:
                _fail(errors, value, path, enum_text)
            elif regex is not None and regex.fullmatch(value) is None:
                _fail(errors, value, path, f"Member must satisfy regular expression pattern: {pattern_text}")
        return check


def _accept(value: Any, path: str, errors: list[str]) -> None:
    """Checker for shapes without constraints."""


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _length(value: Any, path: str, errors: list[str], low: int | None, high: int | None) -> None:
    size = len(value)
    if high is not None and size > high:
        _fail(errors, value, path, f"Member must have length less than or equal to {high}")
    elif low is not None and size < low:
        _fail(errors, value, path, f"Member must have length greater than or equal to {low}")


def _number(shape: dict[str, Any], *, integral: bool) -> Check:
    low, high = shape.get("min"), shape.get("max")
    kinds: tuple[type, ...] = (int,) if integral else (int, float)
    label = "an integer" if integral else "a number"

    def check(value: Any, path: str, errors: list[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, kinds):
            _fail(errors, value, path, f"Member must be {label}")
        elif high is not None and value > high:
            _fail(errors, value, path, f"Member must have value less than or equal to {high}")
        elif low is not None and value < low:
            _fail(errors, value, path, f"Member must have value greater than or equal to {low}")
    return check


def _typed(kind: type, label: str) -> Check:
    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, kind):
            _fail(errors, value, path, f"Member must be a {label}")
    return check


def _timestamp(value: Any, path: str, errors: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        _fail(errors, value, path, "Member must be a timestamp")
        return
    try:
        parse_timestamp(value, path)
    except ValidationException as exc:
        errors.append(exc.message.split(": ", 1)[1])


@lru_cache(maxsize=128)
def compiled(service: str, operation: str, lenient_names: bool = False) -> Check:
    """The cached checker of an operation's input (raises KeyError for unknown operations)."""
    op = _shapes(service)["operations"][operation]
    if "input" not in op:
        return _accept
    return _Compiler(service, lenient_names).shape(op["input"]["shape"])


def collect(service: str, operation: str, params: dict[str, Any], *,
            lenient_names: bool = False) -> list[str]:
    """All constraint violations of ``params`` (empty when valid)."""
    errors: list[str] = []
    compiled(service, operation, lenient_names)(params, "", errors)
    return errors


def raise_for(errors: list[str]) -> None:
    """Raise one ValidationException worded like AWS when ``errors`` is not empty."""
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


def validate(service: str, operation: str, params: dict[str, Any], *, lenient_names: bool = False) -> None:
    """Check ``params`` against the model; raises ValidationException listing every problem."""
    raise_for(collect(service, operation, params, lenient_names=lenient_names))


def parse_input_content(text: str) -> dict[str, Any]:
    """``HumanLoopInput.InputContent`` as a dict: a strict JSON object of ≤ 3,145,728 chars.

    Strict because it is copied into ``output.json``, which must parse with any JSON parser:
    ``NaN``, ``Infinity``, ``1e999``, lone surrogates and nesting deeper than 64 are refused.

    >>> parse_input_content('{"a": 1}')
    {'a': 1}
    """
    if len(text) > MAX_INPUT_CONTENT:
        raise ValidationException(
            f"HumanLoopInput.InputContent has {len(text)} characters; the limit is {MAX_INPUT_CONTENT}. "
            "Put large data in S3 and pass its URI in the input instead.")
    try:
        value = strict_loads(text)
    except BodyError as exc:
        raise ValidationException(
            f"HumanLoopInput.InputContent is not strict JSON ({exc.message}); it is copied into "
            "output.json, which must parse with any JSON parser. Pass json.dumps(<your input dict>, "
            "allow_nan=False).") from None
    if not isinstance(value, dict):
        raise ValidationException(
            f"HumanLoopInput.InputContent must be a JSON object such as {{\"taskObject\": ...}}, "
            f"not a JSON {type(value).__name__}.")
    return value
