"""Where A2I puts output.json, and how to read a key back into its parts.

Layout (reference §6.1)::

    <S3OutputPath>/<flow-definition-name>/YYYY/MM/DD/hh/mm/ss/<human-loop-name>/output.json

Example:
    >>> parts = key_parts("out/claims/2024/05/02/09/14/03/claim-7f3a/output.json")
    >>> parts.flow_definition_name, parts.creation_time, parts.human_loop_name
    ('claims', '2024-05-02T09:14:03Z', 'claim-7f3a')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from a2i_kit.errors import InputError

_KEY_TAIL = re.compile(
    r"(?:^|/)(?P<fd>[^/]+)/(?P<y>\d{4})/(?P<mo>\d{2})/(?P<d>\d{2})/(?P<h>\d{2})/(?P<mi>\d{2})/"
    r"(?P<s>\d{2})/(?P<loop>[^/]+)/output\.json$"
)


class KeyParts(NamedTuple):
    """Parts of an output key; fields are None when the key does not follow the A2I layout."""

    flow_definition_name: str | None
    creation_time: str | None  # ISO 8601 UTC, second precision
    human_loop_name: str | None


_EMPTY = KeyParts(None, None, None)


def key_parts(key: str) -> KeyParts:
    """Split an output key (or URI, or path) into flow definition, creation time and loop name."""
    match = _KEY_TAIL.search(key)
    if match is None:
        return _EMPTY
    g = match.group
    created = f"{g('y')}-{g('mo')}-{g('d')}T{g('h')}:{g('mi')}:{g('s')}Z"
    return KeyParts(g("fd"), created, g("loop"))


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix")``.

    >>> split_s3_uri("s3://acme/a2i-output/claims/")
    ('acme', 'a2i-output/claims/')
    """
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise InputError(f"{uri!r} is not an S3 URI: write it as s3://bucket/prefix")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise InputError(f"{uri!r} has no bucket name: write it as s3://bucket/prefix")
    return bucket, key


def flow_prefix(s3_output_path: str, flow_definition_name: str) -> str:
    """The URI under which one flow definition's outputs live (always ends with '/').

    >>> flow_prefix("s3://acme/out/", "claims")
    's3://acme/out/claims/'
    >>> flow_prefix("s3://acme/", "claims")
    's3://acme/claims/'
    """
    bucket, key = split_s3_uri(s3_output_path)
    key = key.strip("/")
    middle = f"{key}/" if key else ""
    return f"s3://{bucket}/{middle}{flow_definition_name}/"


def uri_to_path(mirror_dir: str | Path, uri: str) -> Path:
    """``s3://b/k`` ↔ ``<mirror_dir>/b/k`` (the embedded service's local mirror)."""
    bucket, key = split_s3_uri(uri)
    return Path(mirror_dir, bucket, *[p for p in key.split("/") if p])


def path_to_uri(mirror_dir: str | Path, path: str | Path) -> str:
    """Inverse of :func:`uri_to_path` for a file inside the mirror."""
    rel = Path(path).resolve().relative_to(Path(mirror_dir).resolve())
    return "s3://" + "/".join(rel.parts)
