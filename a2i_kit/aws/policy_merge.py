"""Merge generated statements and CORS rules into existing ones without silently widening them.

A merge only appends what is missing, so the result is always a superset of what existed; when
that is not enough (a same-``Sid`` statement or same-``ID`` rule says something else, a ``Deny``
still blocks the access) :class:`PolicyConflict` is raised with a unified diff to review.

Example:
    >>> old = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
    ...        "Resource": "*"}]}
    >>> new = merge_statements(old, [{"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}])
    >>> [s["Sid"] for s in new["Statement"]]
    ['A', 'B']
"""

from __future__ import annotations

import difflib
import json
from fnmatch import fnmatchcase
from typing import Any

from a2i_kit.errors import ConfigError

MAX_CORS_RULES = 100


class PolicyConflict(ConfigError):
    """An existing policy or CORS rule cannot take the needed change by only adding to it."""


def diff(before: Any, after: Any, label: str = "policy") -> str:
    """Unified diff of two JSON documents (sorted keys, two-space indent)."""
    lines = [json.dumps(doc, indent=2, sort_keys=True).splitlines() for doc in (before, after)]
    return "\n".join(difflib.unified_diff(lines[0], lines[1], f"{label} (now)", f"{label} (proposed)", lineterm=""))


def merge_statements(existing: dict[str, Any] | None, additions: list[dict[str, Any]], *,
                     what: str = "policy") -> dict[str, Any]:
    """``existing`` plus ``additions`` (already-present statements are not repeated)."""
    if existing is None:
        return {"Version": "2012-10-17", "Statement": list(additions)}
    current = existing.get("Statement", [])
    current = [current] if isinstance(current, dict) else list(current)
    merged = list(current)
    by_sid = {s.get("Sid"): s for s in current if s.get("Sid")}
    for statement in additions:
        if statement in merged:
            continue
        clash = by_sid.get(statement.get("Sid"))
        if clash is not None:
            proposed = {**existing, "Statement": [statement if s is clash else s for s in current]}
            raise PolicyConflict(
                f"{what}: statement Sid {statement['Sid']!r} exists with other content; replacing it could "
                f"remove access someone relies on. Review and apply this change yourself:\n"
                f"{diff(existing, proposed, what)}")
        merged.append(statement)
    return {**existing, "Statement": merged}


def origin_covered(allowed: list[str], origin: str) -> bool:
    """Does an AllowedOrigins list (S3 allows one ``*`` wildcard per origin) cover ``origin``?

    >>> origin_covered(["https://*.labeling.us-east-1.sagemaker.aws"], "https://ab12.labeling.us-east-1.sagemaker.aws")
    True
    """
    return any(a == "*" or fnmatchcase(origin, a) for a in allowed)


def cors_covers(rules: list[dict[str, Any]], origins: list[str]) -> dict[str, Any] | None:
    """The first rule allowing GET from every one of ``origins``, or None."""
    for rule in rules:
        if "GET" in rule.get("AllowedMethods", []) and all(
                origin_covered(rule.get("AllowedOrigins", []), o) for o in origins):
            return rule
    return None


def merge_cors(existing: list[dict[str, Any]], rule: dict[str, Any], *, bucket: str) -> list[dict[str, Any]]:
    """Existing CORS rules plus ``rule`` (unchanged when one already covers its origins)."""
    if cors_covers(existing, rule["AllowedOrigins"]) is not None:
        return existing
    same_id = [r for r in existing if r.get("ID") and r.get("ID") == rule.get("ID")]
    if same_id or len(existing) >= MAX_CORS_RULES:
        proposed = [rule if r in same_id else r for r in existing] if same_id else [*existing[1:], rule]
        reason = (f"rule ID {rule['ID']!r} exists with other content" if same_id
                  else f"the bucket already has the maximum {MAX_CORS_RULES} CORS rules")
        raise PolicyConflict(f"CORS of bucket {bucket!r}: {reason}; review and apply this change yourself:\n"
                             f"{diff(existing, proposed, f's3://{bucket} CORS')}")
    return [*existing, rule]
