"""Scan a template's HTML with the stdlib parser, Liquid masked out position for position.

Every ``{{ }}`` / ``{% %}`` span is replaced by placeholder characters of the same length
(newlines kept), so offsets, lines and columns in the scan are those of the template.

Example:
    >>> scan = scan_html('<crowd-form>\\n<crowd-input name="a{{ i }}"></crowd-input></crowd-form>')
    >>> [(e.tag, e.line, e.raw("name")) for e in scan.elements]
    [('crowd-form', 1, None), ('crowd-input', 2, 'a{{ i }}')]
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from a2i_kit.templates.masking import OUT_MARK, TAG_MARK, LoopSpan, mask_liquid

__all__ = [
    "OUT_MARK",
    "TAG_MARK",
    "Attr",
    "Element",
    "HtmlScan",
    "LoopSpan",
    "crowd_attribute_values",
    "mask_liquid",
    "scan_html",
]

KEEP_TAGS = {"input", "select", "textarea", "button", "script", "img", "audio", "video",
             "source", "a", "iframe", "embed", "object", "link", "track", "form",
             "short-instructions", "full-instructions", "classification-target",
             "worker-comment", "short-summary", "detailed-instructions", "positive-example",
             "negative-example"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_NEWLINE = re.compile(r"\n")


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
class HtmlScan:
    source: str
    masked: str
    elements: list[Element]
    inline_scripts: int
    script_srcs: list[str]
    loops: list[LoopSpan]
    value_spans: list[tuple[int, int, Element, Attr]] | None = None

    def by_tag(self, *tags: str) -> list[Element]:
        return [e for e in self.elements if e.tag in tags]

    def attr_at(self, offset: int) -> tuple[Element, Attr] | None:
        """The element attribute whose value contains ``offset``."""
        spans = self._spans()
        index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
        if index >= 0:
            start, end, element, attr = spans[index]
            if start <= offset < end:
                return element, attr
        return None

    def _spans(self) -> list[tuple[int, int, Element, Attr]]:
        if self.value_spans is None:
            self.value_spans = sorted(
                ((a.value_start, a.value_end, e, a) for e in self.elements
                 for a in e.attrs.values() if a.value_start >= 0),
                key=lambda span: (span[0], span[1]))
        return self.value_spans


class _Scanner(HTMLParser):
    def __init__(self, source: str, masked: str, loops: list[LoopSpan]) -> None:
        super().__init__(convert_charrefs=False)  # text content is not needed
        self.source, self.masked, self.loops = source, masked, loops
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(masked)]
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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not _interesting(tag, attrs):
            if tag not in VOID:
                self.stack.append(tag)
            return
        element = self._element(tag, False)
        if tag == "script":
            src = element.value("src")
            if src:
                self.script_srcs.append(src)
            else:
                self.inline_scripts += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if _interesting(tag, attrs):
            self._element(tag, True)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def _interesting(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """Elements worth recording: crowd elements, regions, form controls, media, and any
    element with Liquid in an attribute value."""
    if tag.startswith("crowd-") or tag in KEEP_TAGS:
        return True
    return any(v and (OUT_MARK in v or TAG_MARK in v) for _, v in attrs)


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


@functools.lru_cache(maxsize=32)
def scan_html(source: str) -> HtmlScan:
    """Parse ``source`` (a Liquid template) into elements with positions (cached: treat
    the result as read-only)."""
    masked, loops = mask_liquid(source)
    scanner = _Scanner(source, masked, loops)
    scanner.feed(masked)
    scanner.close()
    return HtmlScan(source, masked, scanner.elements, scanner.inline_scripts,
                    scanner.script_srcs, loops)


def crowd_attribute_values(
    html_text: str, wanted: dict[str, set[str]]
) -> list[tuple[str, dict[str, str]]]:
    """Quick scan of rendered HTML: the ``wanted`` attributes of the ``wanted`` crowd tags,
    in document order.

    Example:
        >>> crowd_attribute_values("<crowd-input name='a' label='x &amp; y'>",
        ...                        {"crowd-input": {"label"}})
        [('crowd-input', {'label': 'x & y'})]
    """
    if not wanted:
        return []
    tags = "|".join(re.escape(tag) for tag in sorted(wanted))
    pattern = re.compile(rf"""<({tags})(?=[\s>/])((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.I)
    found = []
    for match in pattern.finditer(html_text):
        tag, body = match.group(1).lower(), match.group(2)
        values = {}
        for name in wanted.get(tag, ()):
            attr = re.search(rf"""(?:^|\s){re.escape(name)}\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                             body)
            if attr:
                values[name] = html.unescape(next(g for g in attr.groups() if g is not None))
        found.append((tag, values))
    return found
