"""Lint findings: what a rule reports, with a 1-based line and column.

Example:
    >>> c = Collector("a\\nbc")
    >>> c.add("demo", "info", 3, "hello")
    >>> str(c.findings[0])
    '2:2: info [demo] hello'
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Any

from a2i_kit.templates.errors import locate

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One lint result; ``line``/``column`` are 1-based."""

    code: str
    severity: str  # error | warning | info
    line: int
    column: int
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        text = f"{self.line}:{self.column}: {self.severity} [{self.code}] {self.message}"
        return text + (f"\n    hint: {self.hint}" if self.hint else "")


class Collector:
    """Collects findings, turning offsets into line/column."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.findings: list[Finding] = []

    def add(self, code: str, severity: str, offset: int, message: str, hint: str = "") -> None:
        line, column = locate(self.source, offset)
        self.findings.append(Finding(code, severity, line, column, message, hint))

    def at(self, code: str, severity: str, line: int, column: int, message: str,
           hint: str = "") -> None:
        self.findings.append(Finding(code, severity, line, column, message, hint))


def suggest(word: str, choices: Any) -> str:
    """'did you mean …?' text, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
