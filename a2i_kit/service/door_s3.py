"""``OutputConfig.S3OutputPath`` checked when a flow definition is created, not when a loop ends.

Every loop of a flow definition writes ``<prefix>/<flow>/<YYYY/MM/DD/hh/mm/ss>/<loop>/output.json``.
A path whose bucket S3 would refuse, whose prefix holds ``..`` or empty segments, or whose longest
output key (a 63-character loop name) exceeds S3's 1,024-byte key limit would make every loop's
output unwritable; CreateFlowDefinition refuses it with a ValidationException instead.

Example:
    >>> s3_output_path_errors("s3://my-bucket/a2i/out", "claims")
    []
    >>> s3_output_path_errors("s3://ab/out", "claims")[0].split("constraint: ")[1]
    "the bucket name 'ab' must be 3 to 63 characters long"
"""

from __future__ import annotations

import re

MEMBER = "outputConfig.s3OutputPath"
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255  # one folder or file name in the local mirror (NAME_MAX)
DATE_PATH_CHARS = 19  # YYYY/MM/DD/hh/mm/ss
MAX_LOOP_NAME = 63
OUTPUT_FILE = "output.json"

_PATH = re.compile(r"(https|s3)://([^/]+)/?(.*)", re.DOTALL)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def split_output_path(path: str) -> tuple[str, str] | None:
    """(bucket, prefix) of an ``s3://`` or ``https://`` output path, or None when it is neither.

    The prefix keeps any doubled slash (only one trailing slash is dropped) so it can be refused.
    """
    match = _PATH.fullmatch(path)
    if match is None:
        return None
    scheme, host, rest = match.groups()
    if scheme == "https":
        if host.startswith(("s3.", "s3-")):  # path style: https://s3.<region>.amazonaws.com/bucket/prefix
            host, _, rest = rest.partition("/")
        else:  # virtual-hosted: https://bucket.s3.<region>.amazonaws.com/prefix
            host = host.split(".s3", 1)[0]
    return host, rest[:-1] if rest.endswith("/") else rest


def bucket_problem(bucket: str) -> str | None:
    """Why S3 would refuse ``bucket`` as a bucket name, or None."""
    if not 3 <= len(bucket) <= 63:
        return f"the bucket name '{bucket[:80]}' must be 3 to 63 characters long"
    if not _BUCKET.fullmatch(bucket):
        return (f"the bucket name '{bucket}' may hold only lowercase letters, digits, dots and hyphens, "
                "and must start and end with a letter or digit")
    if ".." in bucket or ".-" in bucket or "-." in bucket:
        return f"the bucket name '{bucket}' must not hold '..', '.-' or '-.'"
    if _IP.fullmatch(bucket):
        return f"the bucket name '{bucket}' must not look like an IP address"
    if bucket.startswith(_BAD_PREFIXES) or bucket.endswith(_BAD_SUFFIXES):
        return f"the bucket name '{bucket}' uses a prefix or suffix that S3 reserves"
    return None


def prefix_problem(prefix: str, flow_name: str) -> str | None:
    """Why keys under ``prefix`` could not be written (by S3 or the local mirror), or None."""
    segments = prefix.split("/") if prefix else []
    if any(segment == "" for segment in segments):
        return "the key prefix must not hold empty segments ('//')"
    if any(segment in (".", "..") for segment in segments):
        return "the key prefix must not hold '.' or '..' segments"
    if _CONTROL.search(prefix):
        return "the key prefix must not hold control characters"
    if any(len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES for segment in segments):
        return f"each segment of the key prefix must be at most {MAX_SEGMENT_BYTES} bytes"
    longest = len("/".join(p for p in (prefix.strip("/"), flow_name) if p).encode("utf-8")) + len(
        f"/{'0' * DATE_PATH_CHARS}/{'a' * MAX_LOOP_NAME}/{OUTPUT_FILE}")
    if longest > MAX_KEY_BYTES:
        return (f"the longest output key would be {longest} bytes (prefix, flow definition name, "
                f"{DATE_PATH_CHARS}-character date path, {MAX_LOOP_NAME}-character loop name and "
                f"/{OUTPUT_FILE}); S3 keys are limited to {MAX_KEY_BYTES} bytes, so use a shorter prefix")
    return None


def s3_output_path_errors(path: str, flow_name: str) -> list[str]:
    """Validation errors (AWS wording) of an ``S3OutputPath`` for flow definition ``flow_name``."""
    split = split_output_path(path)
    problem: str | None
    if split is None:
        problem = "it must look like s3://bucket/prefix"
    else:
        bucket, prefix = split
        problem = bucket_problem(bucket) or prefix_problem(prefix, flow_name)
    if problem is None:
        return []
    shown = path if len(path) <= 256 else path[:256] + "..."
    return [f"Value '{shown}' at '{MEMBER}' failed to satisfy constraint: {problem}"]
