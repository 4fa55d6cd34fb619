"""Template errors that point at a line and column, with a caret excerpt.

Example:
    >>> err = TemplateRenderError("unknown filter 'nope'", source="a\\n{{ x | nope }}",
    ...                           index=9, name="task.html")
    >>> (err.line, err.column)
    (2, 8)
    >>> print(err.excerpt)
    2 | {{ x | nope }}
      |        ^
"""

from __future__ import annotations

from a2i_kit.errors import TemplateError


def locate(source: str, index: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of ``index`` in ``source``.

    An index at or past the end points just after the last character.

    Example:
        >>> locate("ab\\ncd", 4)
        (2, 2)
    """
    index = max(0, min(index, len(source)))
    line = source.count("\n", 0, index) + 1
    start = source.rfind("\n", 0, index) + 1
    return line, index - start + 1


def caret_excerpt(source: str, line: int, column: int, width: int = 1) -> str:
    """Two lines: the source line, then a caret under ``column``.

    Example:
        >>> print(caret_excerpt("abc", 1, 2))
        1 | abc
          |  ^
    """
    lines = source.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    text = text.replace("\t", " ").rstrip("\r")
    if len(text) > 160:  # keep long minified lines readable
        start = max(0, column - 80)
        text, column = text[start : start + 160], column - start
    pad = " " * len(str(line))
    caret = " " * (column - 1) + "^" * max(1, width)
    return f"{line} | {text}\n{pad} | {caret}"


class TemplateRenderError(TemplateError):
    """A template failed to parse or render.

    Attributes: ``name`` (template name), ``line``/``column`` (1-based, None when
    unknown), ``excerpt`` (source line + caret), ``message`` (short text without the
    location) and ``code`` (the RenderUiTemplate error code, e.g. ``InvalidParameters``).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        index: int | None = None,
        name: str = "template",
        code: str = "TemplateError",
        hint: str = "",
    ) -> None:
        self.message = message
        self.name = name
        self.code = code
        self.hint = hint
        self.line: int | None = None
        self.column: int | None = None
        self.excerpt = ""
        if source is not None and index is not None:
            self.line, self.column = locate(source, index)
            self.excerpt = caret_excerpt(source, self.line, self.column)
        super().__init__(self._full_text())

    def _full_text(self) -> str:
        where = f"{self.name}:{self.line}:{self.column}: " if self.line else f"{self.name}: "
        text = where + self.message
        if self.excerpt:
            text += "\n" + self.excerpt
        if self.hint:
            text += "\nhint: " + self.hint
        return text
