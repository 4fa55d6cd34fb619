"""Deterministic human-loop names: readable slug + short hash, valid for any item id.

``loop_name(flow, item_id)`` is ``<flow slug>-<item slug>-<hash>``: at most 63 characters of
``[a-z0-9-]`` matching ``^[a-z0-9](-*[a-z0-9])*$``. The 12-character hash (base32 of SHA-256 of
the flow definition name and the item id as text) keeps names unique when slugs collide
(``"A b"`` and ``"a-b"``) or are cut short, and stays the same on every run, so a re-run finds
the loops it already started. Loop names are unique per account and region across all flow
definitions, which is why the flow name takes part.

Example:
    >>> loop_name("arn:aws:sagemaker:us-east-1:111122223333:flow-definition/reviews", "Ticket #42")
    'reviews-ticket-42-bn6f3hnrxmqn'
    >>> loop_name("reviews", "Ticket #42") == loop_name("reviews", "Ticket #42")
    True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Any

from a2i_kit.client.arns import flow_definition_name as flow_name

NAME_PATTERN = re.compile(r"^[a-z0-9](-*[a-z0-9])*$")
MAX_NAME = 63
HASH_CHARS = 12
FLOW_SLUG_CHARS = 20
TAG_BYTES = -(-HASH_CHARS // 8) * 5  # whole 5-byte base32 groups covering HASH_CHARS characters
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648's alphabet, lower-cased


def slug(text: str, limit: int) -> str:
    """Lower-case ASCII letters/digits joined by single hyphens, at most ``limit`` chars.

    >>> slug("Crème brûlée — №5!", 40)
    'creme-brulee-no5'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-")


def item_key(item_id: Any) -> str:
    """Item ids as text, the same way everywhere (``7``, ``np.int64(7)`` and ``"7"`` agree)."""
    if hasattr(item_id, "item") and not isinstance(item_id, str | bytes):
        item_id = item_id.item()  # numpy scalar -> Python
    if isinstance(item_id, float) and item_id.is_integer():
        item_id = int(item_id)
    return str(item_id)


def _base32_head(digest: bytes) -> str:
    """The first HASH_CHARS characters of ``base64.b32encode(digest).lower()``, without encoding it all.

    >>> import base64
    >>> _base32_head(bytes(range(32))) == base64.b32encode(bytes(range(32))).decode().lower()[:HASH_CHARS]
    True
    """
    bits = int.from_bytes(digest[:TAG_BYTES], "big") >> (TAG_BYTES * 8 - HASH_CHARS * 5)
    return "".join(_BASE32[(bits >> shift) & 31] for shift in range((HASH_CHARS - 1) * 5, -1, -5))


@lru_cache(maxsize=64)
def _head(text: str) -> str:
    """The flow (or prefix) part of loop names: the same for every item of a launch."""
    return slug(text, FLOW_SLUG_CHARS)


def loop_name(flow_definition: str, item_id: Any, *, prefix: str | None = None) -> str:
    """Deterministic, valid HumanLoopName for one item of one flow definition."""
    flow = flow_name(flow_definition)
    key = item_key(item_id)
    digest = hashlib.sha256(f"{flow}\x00{key}".encode()).digest()
    tag = _base32_head(digest)
    head = _head(prefix if prefix is not None else flow)
    room = MAX_NAME - len(tag) - 1 - (len(head) + 1 if head else 0)
    parts = [p for p in (head, slug(key, room), tag) if p]
    return "-".join(parts)
