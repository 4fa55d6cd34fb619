"""AWS Signature Version 4 as the service checks it: parsing, scope, canonical request, signature.

``sigv4_guard.guard(app, ctx)`` applies it when ``ServiceConfig.require_auth`` is on: every request
outside ``/_a2i/`` (SageMaker JSON 1.1 ``POST /``, the A2I runtime's ``/human-loops…``) must carry
a SigV4 ``Authorization`` header, or the presigned ``X-Amz-*`` query parameters, signed for the
service name ``sagemaker`` (what boto3 uses for both clients) and the service's region. Refusals are
AWS's: HTTP 403 in the protocol's error shape with ``MissingAuthenticationToken``,
``IncompleteSignature``, ``InvalidSignatureException`` or ``UnrecognizedClientException``. The
clock is the service clock (``ctx.clock``); a signature more than 15 minutes off it is refused.

Example:
    >>> key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")
    >>> key.hex()[:16]
    'c4afb1cc5771d871'
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from urllib.parse import quote_from_bytes, unquote_to_bytes

from a2i_kit.service.protocol import AwsError

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE_NAME = "sagemaker"  # botocore's signingName of sagemaker and sagemaker-a2i-runtime
TERMINATOR = "aws4_request"
SKEW_SECONDS = 15 * 60
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your "
                 "AWS Secret Access Key and signing method. Consult the service documentation for details.")
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_QUERY_KEYS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders",
               "X-Amz-Expires")


class MissingAuthenticationToken(AwsError):
    code, status, json_status = "MissingAuthenticationToken", 403, 403


class IncompleteSignature(AwsError):
    code, status, json_status = "IncompleteSignature", 403, 403


class InvalidSignatureException(AwsError):
    code, status, json_status = "InvalidSignatureException", 403, 403


class UnrecognizedClientException(AwsError):
    code, status, json_status = "UnrecognizedClientException", 403, 403


@dataclass(frozen=True)
class Credential:
    """What a request claims: key id, scope, signed headers, signature and signing time."""

    key_id: str
    scope: str  # date/region/service/aws4_request
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str  # 20150830T123600Z
    presigned: bool = False
    expires: int = 0


@functools.lru_cache(maxsize=1024)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 signing key of ``secret`` for one day, region and service (cached: 4 HMACs saved)."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def amz_time(seconds: float) -> str:
    """Epoch seconds as SigV4's basic ISO-8601 (``20150830T123600Z``)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def _amz_seconds(text: str) -> float:
    if _AMZ_DATE.fullmatch(text):
        y, mo, d, h, mi, sec = (int(text[a:b]) for a, b in ((0, 4), (4, 6), (6, 8), (9, 11), (11, 13), (13, 15)))
        if 1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and sec < 61:
            return float(calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0)))
    raise IncompleteSignature(f"Date must be in ISO-8601 'basic format'. Got '{text[:64]}'. "
                              "See http://en.wikipedia.org/wiki/ISO_8601")


def _pairs(header: str) -> dict[str, str]:
    """``Credential=…, SignedHeaders=…, Signature=…`` after the algorithm, as a dict."""
    rest = header[len(ALGORITHM):]
    found: dict[str, str] = {}
    for piece in (p.strip() for p in rest.split(",")):
        if not piece:
            continue
        name, equal, value = piece.partition("=")
        if not equal:
            raise IncompleteSignature(f"'{piece[:200]}' not a valid key=value pair (missing equal-sign) in "
                                      f"Authorization header: '{header[:500]}'.")
        found[name.strip()] = value.strip()
    return found


def parse(headers: dict[str, str], query: dict[str, str]) -> Credential:
    """The request's claimed credential, or AWS's refusal for an absent or incomplete one."""
    header = headers.get("authorization")
    if header is None and "X-Amz-Algorithm" in query:
        return _parse_query(query)
    if header is None:
        raise MissingAuthenticationToken("Missing Authentication Token")
    fields = _pairs(header) if header.startswith(ALGORITHM + " ") else {}
    amz_date = headers.get("x-amz-date") or _from_http_date(headers.get("date"))
    problems = [f"Authorization header requires '{name}' parameter." for name in
                ("Credential", "Signature", "SignedHeaders") if not fields.get(name)]
    if not amz_date:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        raise IncompleteSignature(" ".join([*problems, f"Authorization={header[:500]}"]))
    return _credential(fields["Credential"], fields["SignedHeaders"], fields["Signature"], amz_date)


def _parse_query(query: dict[str, str]) -> Credential:
    missing = [name for name in _QUERY_KEYS if not query.get(name)]
    if missing:
        raise IncompleteSignature(" ".join(f"AWS query-string parameters must include '{name}'." for name in missing)
                                  + " Re-examine the query-string parameters.")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{query['X-Amz-Algorithm'][:64]}'")
    expires = query.get("X-Amz-Expires", "")
    if not (expires.isascii() and expires.isdigit()):
        raise IncompleteSignature("X-Amz-Expires must be non-negative")
    if int(expires) > MAX_PRESIGN_SECONDS:
        raise IncompleteSignature(f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGN_SECONDS}")
    credential = _credential(query["X-Amz-Credential"], query["X-Amz-SignedHeaders"],
                             query["X-Amz-Signature"], query["X-Amz-Date"])
    return replace(credential, presigned=True, expires=int(expires))


def _from_http_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return amz_time(parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError, OverflowError):
        return ""


def _credential(credential: str, signed: str, signature: str, amz_date: str) -> Credential:
    parts = credential.split("/")
    if len(parts) != 5:
        raise IncompleteSignature("Credential must have exactly 5 slash-delimited elements, e.g. "
                                  f"keyid/date/region/service/term, got '{credential[:200]}'")
    return Credential(parts[0], "/".join(parts[1:]), tuple(signed.lower().split(";")), signature, amz_date)


def check_scope(cred: Credential, region: str, now: float) -> None:
    """Refuse a scope for another region, service or day, or a time more than 15 minutes off ``now``."""
    date, scope_region, service, terminator = cred.scope.split("/")
    if terminator != TERMINATOR:
        raise InvalidSignatureException(f"Credential should be scoped with a valid terminator: "
                                        f"'{TERMINATOR}', not '{terminator[:64]}'.")
    if service != SERVICE_NAME:
        raise InvalidSignatureException(f"Credential should be scoped to correct service: '{SERVICE_NAME}'.")
    if scope_region != region:
        raise InvalidSignatureException(f"Credential should be scoped to a valid region, not '{scope_region[:64]}'.")
    signed_at = _amz_seconds(cred.amz_date)
    if date != cred.amz_date[:8]:
        source = "x-amz-date" if not cred.presigned else "X-Amz-Date"
        raise InvalidSignatureException("Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                                        f"of date from HTTP: '{date[:16]}' != '{cred.amz_date[:8]}', from '{source}'.")
    if "host" not in cred.signed_headers:
        raise InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if cred.presigned and now > signed_at + cred.expires:
        raise InvalidSignatureException("Request has expired")
    if not cred.presigned and signed_at < now - SKEW_SECONDS:
        raise InvalidSignatureException(f"Signature expired: {cred.amz_date} is now earlier than "
                                        f"{amz_time(now - SKEW_SECONDS)} ({amz_time(now)} - 15 min.)")
    if signed_at > now + SKEW_SECONDS:
        raise InvalidSignatureException(f"Signature not yet current: {cred.amz_date} is still later than "
                                        f"{amz_time(now + SKEW_SECONDS)} ({amz_time(now)} + 15 min.)")


def _encode(raw: str, safe: str) -> str:
    return quote_from_bytes(unquote_to_bytes(raw), safe=safe)


def canonical_path(raw_path: str) -> str:
    """The path without dot segments or repeated slashes, each segment URI-encoded once more.

    >>> canonical_path("/human-loops/a%20b/../c//")
    '/human-loops/c/'
    """
    segments: list[str] = []
    for segment in raw_path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    path = "/" + "/".join(segments) + ("/" if segments and raw_path.endswith("/") else "")
    return quote_from_bytes(path.encode("latin-1"), safe="/~")


def canonical_query(query_string: str, presigned: bool = False) -> str:
    """Query parameters URI-encoded and sorted by name, then value (without ``X-Amz-Signature``).

    >>> canonical_query("b=2&a=x%3Ay&a=1")
    'a=1&a=x%3Ay&b=2'
    """
    pairs = []
    for piece in query_string.split("&") if query_string else []:
        name, _, value = piece.partition("=")
        if presigned and name == "X-Amz-Signature":
            continue
        pairs.append((_encode(name, "-_.~"), _encode(value, "-_.~")))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def string_to_sign(cred: Credential, method: str, raw_path: str, query_string: str,
                   headers: Iterable[tuple[str, str]], payload_hash: str) -> str:
    """SigV4's string to sign for a request as the service received it."""
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.lower(), []).append(" ".join(value.split()))
    canonical_headers = "".join(f"{name}:{','.join(values.get(name, []))}\n" for name in cred.signed_headers)
    request = "\n".join([method.upper(), canonical_path(raw_path), canonical_query(query_string, cred.presigned),
                         canonical_headers, ";".join(cred.signed_headers), payload_hash])
    return "\n".join([ALGORITHM, cred.amz_date, cred.scope, hashlib.sha256(request.encode()).hexdigest()])


def signature(secret: str, cred: Credential, text: str) -> str:
    date, region, service, _ = cred.scope.split("/")
    return hmac.new(signing_key(secret, date, region, service), text.encode(), hashlib.sha256).hexdigest()


def verify_signature(secret: str, cred: Credential, text: str) -> None:
    """Compare in constant time; raise ``InvalidSignatureException`` on a mismatch."""
    if not hmac.compare_digest(signature(secret, cred, text).encode(), cred.signature.encode("utf-8", "replace")):
        raise InvalidSignatureException(BAD_SIGNATURE)


def payload_hash(headers: dict[str, str], body: bytes) -> str:
    """``UNSIGNED-PAYLOAD`` when the client says so, else the body's SHA-256 (what was signed)."""
    if headers.get("x-amz-content-sha256") == UNSIGNED_PAYLOAD:
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(body).hexdigest()
