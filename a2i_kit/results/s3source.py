"""Incremental S3 ingest: paginated listing, parallel GETs, a small SQLite state + local cache.

Each sync lists the whole prefix (A2I writes a loop's output when it completes, so a key older than
the last one seen can still be new) and GETs only keys whose ETag is not yet in the state. Fetched
objects are kept in ``cache_dir/<bucket>/<key>`` so a later process re-reads them locally.

Example (needs an S3 endpoint, see tests/results/test_s3.py):
    >>> src = S3Source(boto3.client("s3"), "s3://acme/out/claims/", cache_dir="~/.a2i-cache")  # doctest: +SKIP
    >>> len(src.new_entries())  # doctest: +SKIP
    1200
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from a2i_kit.client.paging import iter_items
from a2i_kit.errors import ResultsError
from a2i_kit.results.keys import split_s3_uri
from a2i_kit.results.mirror import Entry


def default_cache_dir(s3_uri: str, endpoint: str | None) -> Path:
    """``$XDG_CACHE_HOME/a2i-kit/results/<hash of endpoint + uri>``."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(f"{endpoint}|{s3_uri}".encode()).hexdigest()[:16]
    return base / "a2i-kit" / "results" / digest


class SyncState:
    """Which keys were fetched (key, etag, size), in ``<cache_dir>/sync-state.sqlite3``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, etag TEXT, size INTEGER)"
        )

    def known(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, etag FROM objects"))

    def record(self, rows: list[tuple[str, str, int]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()


class S3Source:
    """New output.json objects under an S3 prefix, fetched ``max_workers`` at a time."""

    def __init__(self, client: Any, s3_uri: str, *, cache_dir: str | Path | None = None,
                 max_workers: int = 32, max_object_bytes: int = 10 * 1024 * 1024) -> None:  # fmt: skip
        self.client = client
        self.bucket, self.prefix = split_s3_uri(s3_uri)
        endpoint = getattr(getattr(client, "meta", None), "endpoint_url", None)
        self.cache_dir = Path(cache_dir or default_cache_dir(s3_uri, endpoint)).expanduser()
        self.state = SyncState(self.cache_dir / "sync-state.sqlite3")
        self.max_workers = max_workers
        self.max_object_bytes = max_object_bytes
        self.problems: list[dict[str, str]] = []

    def _cache_path(self, key: str) -> Path:
        return self.cache_dir.joinpath(self.bucket, *[p for p in key.split("/") if p])

    def list_outputs(self) -> list[dict[str, Any]]:
        """Every ``*/output.json`` object under the prefix (ListObjectsV2, all pages)."""
        objects = iter_items(self.client, "list_objects_v2", "Contents", page_size=1000,
                             token_key="NextContinuationToken", Bucket=self.bucket, Prefix=self.prefix)
        try:
            return [o for o in objects if o["Key"].endswith("/output.json")]
        except self.client.exceptions.NoSuchBucket as exc:
            raise ResultsError(
                f"bucket {self.bucket!r} does not exist: check the flow definition's S3OutputPath"
            ) from exc

    def _get(self, key: str) -> bytes | str:
        try:
            data = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except Exception as exc:  # one unreadable object must not stop the sync
            return f"GetObject failed ({exc}); it is retried on the next sync"
        path = self._cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

    def new_entries(self, known: set[str] | frozenset[str] = frozenset()) -> list[Entry]:
        """Cached entries not in ``known`` (URIs already parsed), then objects new or changed in S3."""
        fetched = self.state.known()
        entries = [
            self._cached(k) for k in sorted(fetched) if f"s3://{self.bucket}/{k}" not in known
        ]
        fresh = []
        for obj in self.list_outputs():
            key, etag = obj["Key"], obj.get("ETag", "")
            if fetched.get(key) == etag:
                continue
            if obj.get("Size", 0) > self.max_object_bytes:
                self._problem(key, "too_large", f"{obj['Size']} bytes is over max_object_bytes="
                              f"{self.max_object_bytes}; raise the limit to read it")  # fmt: skip
                continue
            fresh.append(obj)
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            blobs = list(pool.map(self._get, [o["Key"] for o in fresh]))
        done = []
        for obj, data in zip(fresh, blobs, strict=True):
            if isinstance(data, str):
                self._problem(obj["Key"], "read_error", data)
                continue
            done.append((obj["Key"], obj.get("ETag", ""), len(data)))
            entries.append(Entry(f"s3://{self.bucket}/{obj['Key']}", None, data, len(data)))
        self.state.record(done)
        return entries

    def _problem(self, key: str, kind: str, message: str) -> None:
        uri = f"s3://{self.bucket}/{key}"
        self.problems.append({"uri": uri, "kind": kind, "severity": "error", "message": message})

    def _cached(self, key: str) -> Entry:
        return Entry(f"s3://{self.bucket}/{key}", str(self._cache_path(key)), None, None)
