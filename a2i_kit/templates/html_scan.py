"""Scan a template's HTML with the stdlib parser, Liquid masked out position for position.

Every ``{{ }}`` / ``{% %}`` span is replaced by placeholder characters of the same length
(newlines kept), so offsets, lines and columns in the scan are those of the template.

Example:
    >>> scan = scan_html('<crowd-form>\\n<crowd-input name="a{{ i }}"></crowd-input></crowd-form>')
    >>> [(e.tag, e.line, e.raw("name")) for e in scan.elements]
    [('crowd-form', 1, None), ('crowd-input', 2, 'a{{ i }}')]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from liquid.exceptions import LiquidError

from a2i_kit.templates.environment import get_environment

OUT_MARK = "\ue000"
TAG_MARK = "\ue001"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_LIQUID = re.compile(r"\{\{.*?(?:\}\}|$)|\{%.*?(?:%\}|$)", re.DOTALL)


@dataclass
class Attr:
    name: str
    value: str | None  # masked value, entities decoded
    raw: str | None  # original text with Liquid, as written
    offset: int  # offset of the attribute name
    value_start: int = -1
    value_end: int = -1

    @property
    def has_liquid(self) -> bool:
        return self.value is not None and (OUT_MARK in self.value or TAG_MARK in self.value)


@dataclass
class Element:
    tag: str
    offset: int
    line: int
    column: int
    attrs: dict[str, Attr]
    parents: tuple[str, ...]
    self_closing: bool = False
    loops: list[LoopSpan] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        attr = self.attrs.get(name)
        return attr.value if attr else None

    def raw(self, name: str) -> str | None:
        attr = self.attrs.get(name)
        return attr.raw if attr else None


@dataclass
class LoopSpan:
    start: int
    end: int
    expression: str


@dataclass
class HtmlScan:
    source: str
    masked: str
    elements: list[Element]
    inline_scripts: int
    script_srcs: list[str]
    loops: list[LoopSpan]

    def by_tag(self, *tags: str) -> list[Element]:
        return [e for e in self.elements if e.tag in tags]

    def attr_at(self, offset: int) -> tuple[Element, Attr] | None:
        """The element attribute whose value contains ``offset``."""
        for element in self.elements:
            for attr in element.attrs.values():
                if attr.value_start <= offset < attr.value_end:
                    return element, attr
        return None


def mask_liquid(source: str) -> tuple[str, list[LoopSpan]]:
    """Replace Liquid markup by same-length placeholders; also return `for` loop spans."""
    chars = list(source)
    keep = [False] * len(source)
    loops: list[LoopSpan] = []
    try:
        stack: list[tuple[int, str]] = []
        expression = ""
        for token in get_environment("lax").tokenizer()(source):
            if token.kind == "content":
                start = token.start_index
                if source.startswith(token.value, start):
                    keep[start : start + len(token.value)] = [True] * len(token.value)
            elif token.kind == "tag" and token.value in ("for", "tablerow"):
                stack.append((source.rfind("{%", 0, token.start_index), ""))
            elif token.kind == "expression" and stack and stack[-1][1] == "":
                expression = token.value
                stack[-1] = (stack[-1][0], expression)
            elif token.kind == "tag" and token.value in ("endfor", "endtablerow") and stack:
                start, expression = stack.pop()
                loops.append(LoopSpan(start, token.start_index, expression))
    except LiquidError:
        keep = [True] * len(source)
        for match in _LIQUID.finditer(source):
            keep[match.start() : match.end()] = [False] * (match.end() - match.start())
    mark = TAG_MARK
    for index, char in enumerate(chars):
        if keep[index]:
            continue
        if char == "{" and index + 1 < len(source) and source[index + 1] in "{%":
            mark = OUT_MARK if source[index + 1] == "{" else TAG_MARK
        if char != "\n":
            chars[index] = mark
    return "".join(chars), loops


class _Scanner(HTMLParser):
    def __init__(self, source: str, masked: str, loops: list[LoopSpan]) -> None:
        super().__init__(convert_charrefs=True)
        self.source, self.masked, self.loops = source, masked, loops
        self.line_starts = [0] + [i + 1 for i, c in enumerate(masked) if c == "\n"]
        self.stack: list[str] = []
        self.elements: list[Element] = []
        self.inline_scripts = 0
        self.script_srcs: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _element(self, tag: str, self_closing: bool) -> Element:
        offset = self._offset()
        text = self.get_starttag_text() or ""
        line, col = self.getpos()
        attrs = _parse_attrs(text, offset, self.source)
        loops = [loop for loop in self.loops if loop.start < offset < loop.end]
        element = Element(tag, offset, line, col + 1, attrs, tuple(self.stack),
                          self_closing, loops)
        self.elements.append(element)
        return element

    def handle_starttag(self, tag: str, attrs: object) -> None:  # noqa: ARG002
        element = self._element(tag, False)
        if tag == "script":
            src = element.value("src")
            if src:
                self.script_srcs.append(src)
            else:
                self.inline_scripts += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:  # noqa: ARG002
        self._element(tag, True)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def _parse_attrs(text: str, offset: int, source: str) -> dict[str, Attr]:
    attrs: dict[str, Attr] = {}
    name_end = re.match(r"<[^\s/>]*", text)
    pos = name_end.end() if name_end else 1
    for match in _ATTR.finditer(text, pos):
        name = match.group(1).lower()
        if name in attrs or OUT_MARK in name or TAG_MARK in name:
            continue
        group = next((g for g in (2, 3, 4) if match.group(g) is not None), None)
        attr = Attr(name, None, None, offset + match.start())
        if group is not None:
            start, end = offset + match.start(group), offset + match.end(group)
            attr.value = html.unescape(match.group(group))
            attr.raw = source[start:end]
            attr.value_start, attr.value_end = start, end
        attrs[name] = attr
    return attrs


def scan_html(source: str) -> HtmlScan:
    """Parse ``source`` (a Liquid template) into elements with positions."""
    masked, loops = mask_liquid(source)
    scanner = _Scanner(source, masked, loops)
    scanner.feed(masked)
    scanner.close()
    return HtmlScan(source, masked, scanner.elements, scanner.inline_scripts,
                    scanner.script_srcs, loops)
