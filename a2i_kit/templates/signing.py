"""S3 URI parsing and the signers behind the ``grant_read_access`` filter.

A signer is any callable ``signer(bucket, key) -> url``.

Example:
    >>> parse_s3_location("s3://bkt/img/a b.png")
    ('bkt', 'img/a b.png')
    >>> local_signer("http://127.0.0.1:8080")("bkt", "img/a b.png")
    'http://127.0.0.1:8080/_a2i/objects/bkt/img/a%20b.png'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

Signer = Callable[[str, str], str]

_BUCKET = r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}"
_S3_URI = re.compile(rf"^s3://({_BUCKET})/(.+)$", re.DOTALL)
# s3.amazonaws.com, s3.eu-west-1.amazonaws.com, s3-eu-west-1.amazonaws.com (+ .cn)
_S3_HOST = re.compile(r"^s3(?:-[a-z0-9-]+)?(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$")
_VHOST = re.compile(
    rf"^({_BUCKET})\.s3(?:-[a-z0-9-]+)?(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$")


class NotS3Error(ValueError):
    """The value is an http(s) URL that does not point into S3 (pass it through)."""


def parse_s3_location(value: str) -> tuple[str, str]:
    """Return ``(bucket, key)`` for an S3 URI or an S3 http(s) URL.

    Raises ``NotS3Error`` for another http(s) URL and ``ValueError`` for anything
    else (blank, relative, other schemes, missing key).

    Example:
        >>> parse_s3_location("https://bkt.s3.eu-west-1.amazonaws.com/a/b.jpg")
        ('bkt', 'a/b.jpg')
    """
    text = value.strip()
    match = _S3_URI.match(text)
    if match:
        return match.group(1), match.group(2)
    if not re.match(r"^https?://", text, re.IGNORECASE):
        raise ValueError(value)
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    if _S3_HOST.match(host):
        bucket, _, key = path.lstrip("/").partition("/")
        if not re.fullmatch(_BUCKET, bucket) or not key:
            raise ValueError(value)
        return bucket, key
    vhost = _VHOST.match(host)
    if vhost:
        key = path.lstrip("/")
        if not key:
            raise ValueError(value)
        return vhost.group(1), key
    raise NotS3Error(value)


def is_presigned(value: str) -> bool:
    """True when an http(s) URL already carries a signature query.

    Example:
        >>> is_presigned("https://s3.amazonaws.com/b/k?X-Amz-Signature=abc")
        True
    """
    query = urlsplit(value.strip()).query.lower()
    return "x-amz-signature=" in query or "signature=" in query


def local_signer(base_url: str) -> Signer:
    """A signer for the embedded service's local S3 mirror: plain links, without a signature.

    The service's mirror refuses unsigned reads; inside the service,
    ``a2i_kit.service.objects.mirror_signer`` adds ``expires=…&sig=…`` to these links (as a
    presigned S3 URL carries ``X-Amz-Expires``), so a link stops working after
    ``ServiceConfig.signed_link_seconds``.

    Example:
        >>> local_signer("http://h:1/")("b", "k/x.png")
        'http://h:1/_a2i/objects/b/k/x.png'
    """
    root = base_url.rstrip("/")

    def sign(bucket: str, key: str) -> str:
        return f"{root}/_a2i/objects/{quote(bucket, safe='')}/{quote(key, safe='/')}"

    return sign


def aws_signer(s3_client: Any, expires: int = 3600) -> Signer:
    """A signer giving presigned GET URLs from a boto3 S3 client (AWS backend).

    Example:
        >>> sign = aws_signer(boto3.client("s3"))          # doctest: +SKIP
        >>> sign("my-bucket", "images/cat.png")            # doctest: +SKIP
        'https://my-bucket.s3.amazonaws.com/images/cat.png?X-Amz-...'
    """

    def sign(bucket: str, key: str) -> str:
        return str(
            s3_client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
            )
        )

    return sign
