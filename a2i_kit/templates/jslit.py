"""A small, lenient parser for JavaScript-literal attribute values (JSON5-ish).

Crowd elements read ``categories``, ``labels``, ``initial-value`` … leniently: single
quotes, unquoted keys and trailing commas are fine.

Example:
    >>> parse_js_literal("['Cat', 'Dog',]")
    ['Cat', 'Dog']
    >>> parse_js_literal("{ text: 'None of the above' }")
    {'text': 'None of the above'}
"""

from __future__ import annotations

import json
import re
from typing import Any

_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity|NaN)")
_IDENT = re.compile(r"[A-Za-z_$][\w$-]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_WORDS = {"true": True, "false": False, "null": None, "undefined": None}


class JsLiteralError(ValueError):
    """The text is not a JavaScript literal; ``.position`` is the 0-based offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at character {position + 1}")
        self.position = position


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                self.pos = len(text) if end < 0 else end + 2
            else:
                return

    def fail(self, message: str) -> JsLiteralError:
        return JsLiteralError(message, self.pos)

    def value(self, depth: int = 0) -> Any:
        if depth > 100:
            raise self.fail("nested too deeply")
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of value")
        char = self.text[self.pos]
        if char == "[":
            return self.sequence(depth)
        if char == "{":
            return self.mapping(depth)
        if char in "'\"":
            return self.string()
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            token = match.group(0)
            if "x" in token.lower():
                return int(token, 16)
            number = float(token)
            return int(number) if re.fullmatch(r"[+-]?\d+", token) else number
        word = _IDENT.match(self.text, self.pos)
        if word and word.group(0) in _WORDS:
            self.pos = word.end()
            return _WORDS[word.group(0)]
        raise self.fail(f"unexpected {char!r}")

    def sequence(self, depth: int) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return items
            items.append(self.value(depth + 1))
            if not self.comma("]"):
                raise self.fail("expected ',' or ']'")

    def mapping(self, depth: int) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        while True:
            self.skip()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return result
            key = self.key()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':' after a key")
            self.pos += 1
            result[key] = self.value(depth + 1)
            if not self.comma("}"):
                raise self.fail("expected ',' or '}'")

    def key(self) -> str:
        if self.pos < len(self.text) and self.text[self.pos] in "'\"":
            return self.string()
        match = _IDENT.match(self.text, self.pos) or re.compile(r"\d+").match(self.text, self.pos)
        if not match:
            raise self.fail("expected a key")
        self.pos = match.end()
        return match.group(0)

    def comma(self, closer: str) -> bool:
        self.skip()
        if self.text.startswith(",", self.pos):
            self.pos += 1
            return True
        return self.text.startswith(closer, self.pos)

    def string(self) -> str:
        quote, start = self.text[self.pos], self.pos
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(out)
            if char == "\\" and self.pos + 1 < len(self.text):
                nxt = self.text[self.pos + 1]
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", self.text[self.pos + 2 : self.pos + 6]):
                    out.append(chr(int(self.text[self.pos + 2 : self.pos + 6], 16)))
                    self.pos += 6
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                self.pos += 2
                continue
            out.append(char)
            self.pos += 1
        self.pos = start
        raise self.fail("unterminated string")


def parse_js_literal(text: str) -> Any:
    """Parse one JS literal (array, object, string, number, true/false/null).

    Raises :class:`JsLiteralError` with the offending position.

    Example:
        >>> parse_js_literal("[{label: 'car', left: 1,},]")
        [{'label': 'car', 'left': 1}]
    """
    try:  # strict JSON is the common case, and the C parser is much faster
        return json.loads(text)
    except ValueError:
        pass
    parser = _Parser(text)
    result = parser.value()
    parser.skip()
    if parser.pos != len(text):
        raise parser.fail("unexpected text after the value")
    return result
