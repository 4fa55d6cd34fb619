"""Webhooks: what a delivery looks like on the wire, how it is signed, and what may be registered.

Every status-change event (EventBridge shape, see ``a2i_kit.service.events``) is POSTed to each
registered URL as ``application/json`` with these headers:

- ``X-A2I-Kit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``
- ``X-A2I-Kit-Delivery: <webhook id>.<event seq>`` (the same on every retry of one delivery)
- ``X-A2I-Kit-Event-Id: <event id>`` and ``X-A2I-Kit-Attempt: <1, 2, ...>``

A 2xx answer delivers it; anything else (or no answer within :data:`SEND_TIMEOUT_SECONDS`) is
retried with exponential backoff (:func:`backoff_seconds`) up to :data:`MAX_ATTEMPTS` times,
then the delivery is ``failed``. Delivery is at least once: de-duplicate by the delivery id or
by (``humanLoopArn``, ``humanLoopStatus``), as AWS advises for EventBridge.

Verify a delivery on the receiving side (reject old timestamps to stop replays):

    >>> body = b'{"id":"e-1"}'
    >>> header = signature_header("s3cret-s3cret-s3cret", body, timestamp=1700000000)
    >>> verify_signature("s3cret-s3cret-s3cret", body, header, now=1700000010)
    True
    >>> verify_signature("wrong-secret-wrong", body, header, now=1700000010)
    False
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

from a2i_kit.errors import InputError

SIGNATURE_HEADER = "X-A2I-Kit-Signature"
DELIVERY_HEADER = "X-A2I-Kit-Delivery"
EVENT_ID_HEADER = "X-A2I-Kit-Event-Id"
ATTEMPT_HEADER = "X-A2I-Kit-Attempt"
USER_AGENT = "a2i-kit-webhooks/1"
MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 600.0
SEND_TIMEOUT_SECONDS = 10.0
TOLERANCE_SECONDS = 300
MAX_URL_CHARS = 2048
MIN_SECRET_CHARS, MAX_SECRET_CHARS = 16, 256
_SECRET = re.compile(r"[\x21-\x7e]+")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
MAKE_SECRET = "python -c 'import secrets; print(secrets.token_hex(32))'"


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``X-A2I-Kit-Signature`` value for ``body`` sent at ``timestamp`` (default: now)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_signature(secret: str, body: bytes, header: str, *, now: float | None = None,
                     tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its time is within ``tolerance``.

    This is what a receiver runs; it is also the reference for the format.
    """
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    stamps = fields.get("t", [])
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    t = int(stamps[0])
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = signature_header(secret, body, t).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


def backoff_seconds(attempts: int, base: float = BASE_DELAY_SECONDS, cap: float = MAX_DELAY_SECONDS) -> float:
    """Wait before the next try after ``attempts`` failed ones: base, 2·base, 4·base, … up to cap.

    >>> [backoff_seconds(n) for n in (1, 2, 3, 10)]
    [2.0, 4.0, 8.0, 600.0]
    """
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def check_url(url: Any) -> str:
    """The URL itself when a webhook may be registered for it; InputError (how to fix it) otherwise.

    >>> check_url("https://hooks.example.com/a2i")
    'https://hooks.example.com/a2i'
    """
    if not isinstance(url, str) or not url:
        raise InputError('the webhook needs "url": an http:// or https:// URL')
    if len(url) > MAX_URL_CHARS:
        raise InputError(f"the webhook URL is {len(url)} characters long; use at most {MAX_URL_CHARS}")
    if _CONTROL_OR_SPACE.search(url):
        raise InputError("the webhook URL holds a space or control character; percent-encode it")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise InputError(f"{url[:100]!r} is not a valid URL; use e.g. https://hooks.example.com/a2i") from None
    if parts.scheme not in ("http", "https"):
        raise InputError(f"webhook URLs must be http:// or https://, not {parts.scheme + ':' if parts.scheme else url[:40]!r}; "
                         "events are delivered by HTTP POST")
    if not parts.hostname:
        raise InputError(f"the webhook URL {url[:100]!r} names no host; use e.g. https://hooks.example.com/a2i")
    if parts.username is not None or parts.password is not None:
        raise InputError("the webhook URL holds a user name or password; drop them (deliveries are "
                         "authenticated by the signature header)")
    if parts.fragment:
        raise InputError("the webhook URL has a #fragment, which HTTP never sends; drop it")
    return url


def check_secret(secret: Any) -> str:
    """The secret itself when it can sign deliveries; InputError (how to make one) otherwise."""
    if not isinstance(secret, str) or not secret:
        raise InputError(f'the webhook needs "secret": {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} characters; '
                         f"make one with {MAKE_SECRET}")
    if not MIN_SECRET_CHARS <= len(secret) <= MAX_SECRET_CHARS:
        raise InputError(f"the webhook secret is {len(secret)} characters; use {MIN_SECRET_CHARS} to "
                         f"{MAX_SECRET_CHARS} (make one with {MAKE_SECRET})")
    if not _SECRET.fullmatch(secret):
        raise InputError("the webhook secret may hold only printable ASCII without spaces; "
                         f"make one with {MAKE_SECRET}")
    return secret


def delivery_id(webhook_id: int, event_seq: int) -> str:
    """Stable id of one (webhook, event) delivery, the same on every retry.

    >>> delivery_id(3, 41)
    '3.41'
    """
    return f"{webhook_id}.{event_seq}"


def request_parts(secret: str, event: dict[str, Any], *, webhook_id: int, event_seq: int,
                  attempt: int, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """Body and headers of one POST of ``event``."""
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(secret, body, timestamp),
        DELIVERY_HEADER: delivery_id(webhook_id, event_seq),
        EVENT_ID_HEADER: str(event.get("id", "")),
        ATTEMPT_HEADER: str(attempt),
    }
    return body, headers


def post(url: str, body: bytes, headers: dict[str, str],
         timeout: float = SEND_TIMEOUT_SECONDS) -> tuple[int | None, str | None]:
    """POST once; returns (HTTP status or None, error text or None).

    Redirects are not followed; at most the first 1 KiB of an error answer is read.
    """
    import httpx

    try:
        with httpx.stream("POST", url, content=body, headers=headers, timeout=timeout,
                          follow_redirects=False) as answer:
            if 200 <= answer.status_code < 300:
                return answer.status_code, None
            head = b""
            for chunk in answer.iter_bytes():
                head += chunk
                if len(head) >= 1024:
                    break
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:300] or 'no answer'}"
    text = head[:200].decode("utf-8", "replace")
    return answer.status_code, f"HTTP {answer.status_code}: {text}"
