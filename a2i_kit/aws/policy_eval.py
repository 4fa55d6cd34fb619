"""Evaluate IAM identity policies locally, for when ``SimulatePrincipalPolicy`` is unavailable.

Covers what A2I's execution role needs: ``Allow``/``Deny`` statements, ``Action``/``NotAction``
and ``Resource``/``NotResource`` with ``*`` and ``?`` wildcards (actions case-insensitive,
resources case-sensitive). Limits: ``Condition`` blocks are not evaluated (a decision that
rests on one is flagged ``conditional``), and permission boundaries, service control policies,
session policies and bucket policies are not seen.

Example:
    >>> policy = {"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}]}
    >>> evaluate([policy], "s3:GetObject", "arn:aws:s3:::b/in/x.png").decision
    'allowed'
    >>> evaluate([policy], "s3:PutObject", "arn:aws:s3:::b/out/x").decision
    'implicitDeny'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class Decision:
    """``allowed``, ``explicitDeny`` or ``implicitDeny`` (IAM's words), and why."""

    decision: str
    statement: dict[str, Any] | None = None
    conditional: bool = False

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


def load_document(document: Any) -> dict[str, Any]:
    """A policy document as a dict, whether boto3 gave a dict, JSON or URL-encoded JSON.

    >>> load_document('%7B%22Statement%22%3A%20%5B%5D%7D')
    {'Statement': []}
    """
    if isinstance(document, dict):
        return document
    text = str(document)
    if text.lstrip().startswith("%"):
        text = unquote(text)
    return dict(json.loads(text))


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of a policy document (``Statement`` may be one object or a list)."""
    found = load_document(document).get("Statement", [])
    return [found] if isinstance(found, dict) else list(found)


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


@lru_cache(maxsize=512)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in glob)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(glob: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard match: ``*`` any run of characters, ``?`` one character.

    >>> matches("s3:*Object", "S3:GetObject", ignore_case=True)
    True
    """
    return _pattern(glob, ignore_case).fullmatch(value) is not None


def _any(globs: Iterable[str], value: str, ignore_case: bool) -> bool:
    return any(matches(g, value, ignore_case=ignore_case) for g in globs)


def applies(statement: dict[str, Any], action: str, resource: str) -> bool:
    """Does ``statement`` cover ``action`` on ``resource`` (conditions aside)?"""
    if "NotAction" in statement:
        action_ok = not _any(as_list(statement["NotAction"]), action, True)
    else:
        action_ok = _any(as_list(statement.get("Action")), action, True)
    if "NotResource" in statement:
        resource_ok = not _any(as_list(statement["NotResource"]), resource, False)
    else:
        resource_ok = _any(as_list(statement.get("Resource")), resource, False)
    return action_ok and resource_ok


def _all_statements(documents: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for document in documents:
        yield from statements(document)


def evaluate(documents: Iterable[Any], action: str, resource: str) -> Decision:
    """IAM's order: an applicable Deny wins, then an applicable Allow, else implicit deny."""
    allow: dict[str, Any] | None = None
    for statement in _all_statements(documents):
        if not applies(statement, action, resource):
            continue
        if statement.get("Effect") == "Deny":
            return Decision("explicitDeny", statement, conditional="Condition" in statement)
        if statement.get("Effect") == "Allow" and (allow is None or "Condition" in allow):
            allow = statement
    if allow is not None:
        return Decision("allowed", allow, conditional="Condition" in allow)
    return Decision("implicitDeny")
