"""Mask Liquid markup position for position, so HTML tools see the template's layout.

Every ``{{ }}`` / ``{% %}`` span becomes placeholder characters of the same length
(newlines kept): offsets, lines and columns of the masked text are the template's.

Example:
    >>> masked, loops = mask_liquid("a{{ x }}{% for i in y %}b{% endfor %}")
    >>> masked.count(OUT_MARK), loops[0].expression
    (7, 'i in y')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OUT_MARK = "\ue000"
TAG_MARK = "\ue001"
_STARTS = re.compile(r"(?=\{\{|\{%)")
_NOT_NEWLINE = re.compile(r"[^\n]")
_MARKUP = re.compile(r"\{\{.*?(?:\}\}|\Z)|\{%-?\s*(\w*)(.*?)(?:-?%\}|\Z)", re.DOTALL)


@dataclass
class LoopSpan:
    start: int
    end: int
    expression: str



def mask_liquid(source: str) -> tuple[str, list[LoopSpan]]:
    """Replace Liquid markup by same-length placeholders; also return `for` loop spans.

    A regex scan (not the Liquid lexer): fast, and it also copes with broken templates.
    ``raw`` blocks stay as text, ``comment`` blocks are masked.
    """
    pieces: list[str] = []
    loops: list[LoopSpan] = []
    stack: list[tuple[int, str]] = []
    position = 0
    for match in _MARKUP.finditer(source):
        if match.start() < position:
            continue
        pieces.append(source[position : match.start()])
        tag = match.group(1)
        end = match.end()
        if tag in ("raw", "comment"):
            close = re.compile(r"\{%-?\s*end" + tag + r"\s*-?%\}").search(source, end)
            stop = close.start() if close else len(source)
            pieces.append(_mask_markup(source[match.start() : end]))
            body = source[end:stop]
            pieces.append(body if tag == "raw" else _NOT_NEWLINE.sub(TAG_MARK, body))
            end = close.end() if close else len(source)
            if close:
                pieces.append(_mask_markup(source[stop:end]))
        else:
            pieces.append(_mask_markup(source[match.start() : end]))
            if tag in ("for", "tablerow"):
                stack.append((match.start(), match.group(2).strip()))
            elif tag in ("endfor", "endtablerow") and stack:
                opened, expression = stack.pop()
                loops.append(LoopSpan(opened, match.start(), expression))
        position = end
    pieces.append(source[position:])
    return "".join(pieces), loops


def _mask_markup(text: str) -> str:
    """Mask one run of Liquid markup, keeping newlines; {{ }} and {% %} get their own mark."""
    out = []
    for part in _STARTS.split(text):
        if not part:
            continue
        mark = OUT_MARK if part.startswith("{{") else TAG_MARK
        out.append(_NOT_NEWLINE.sub(mark, part) if "\n" in part else mark * len(part))
    return "".join(out)
