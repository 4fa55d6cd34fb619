"""Where and how a finished loop's ``output.json`` is written, exactly in A2I's layout.

``s3://bucket/key`` lives at ``<mirror_dir>/bucket/key`` in local mode, or in a real bucket in
``s3`` mode: the endpoint is ``ServiceConfig.s3_endpoint_url`` (``a2i-kit serve
--s3-endpoint-url``), else ``AWS_ENDPOINT_URL_S3``, else AWS itself, with boto3's normal
credential chain. The outbox (``a2i_kit.service.outbox``) writes each output once and retries a
failed write with backoff; botocore retries each call too (standard mode). In ``s3`` mode
CreateFlowDefinition checks the output bucket with HeadBucket (:meth:`OutputWriter.output_path_errors`),
so a missing bucket is refused at the door instead of failing every loop later.

Example:
    >>> output_uri("s3://acme/out/", "claims-review", 1709647329.417, "claim-7731")
    's3://acme/out/claims-review/2024/03/05/14/02/09/claim-7731/output.json'
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from a2i_kit.service.context import ServiceConfig
from a2i_kit.service.private import TEMP_PREFIX, write_atomic
from a2i_kit.service.timefmt import path_stamp

# Temporary files of writers before a2i_kit.service.private (crash leftovers of older versions).
_OLD_TEMP_PREFIX = ".output-"
_S3_OUTPUT_PATH = re.compile(r"(https|s3)://([^/]+)/?(.*)", re.DOTALL)
MEMBER = "outputConfig.s3OutputPath"
# Writes: botocore's standard retries (3 tries with backoff) within each outbox attempt.
WRITE_RETRIES = {"mode": "standard", "max_attempts": 3}


def split_s3_output_path(s3_output_path: str) -> tuple[str, str]:
    """Return (bucket, prefix without surrounding slashes) of an ``S3OutputPath``.

    ``https://`` paths are read path-style (``https://s3.<region>.amazonaws.com/bucket/prefix``)
    or virtual-hosted (``https://bucket.s3.amazonaws.com/prefix``).
    """
    match = _S3_OUTPUT_PATH.fullmatch(s3_output_path)
    if not match:
        raise ValueError(f"not an S3 output path: {s3_output_path!r}")
    scheme, host, rest = match.groups()
    if scheme == "https":
        if host.startswith(("s3.", "s3-")):
            bucket, _, rest = rest.partition("/")
            host = bucket
        else:
            host = host.split(".s3", 1)[0]
    return host, rest.strip("/")


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` → ("bucket", "some/key")."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def output_uri(s3_output_path: str, flow_definition_name: str, creation_time: float, loop_name: str) -> str:
    """Full ``s3://`` URI of a loop's output.json (timestamp = loop creation time, UTC)."""
    bucket, prefix = split_s3_output_path(s3_output_path)
    parts = [p for p in (prefix, flow_definition_name, path_stamp(creation_time), loop_name) if p]
    return f"s3://{bucket}/{'/'.join(parts)}/output.json"


def build_output(loop_doc: dict[str, Any], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The output.json document: envelope from the loop, one ``humanAnswers`` item per worker."""
    output: dict[str, Any] = {}
    source = loop_doc.get("AwsManagedHumanLoopRequestSource")
    if source:
        output["awsManagedHumanLoopRequestSource"] = source
    output["flowDefinitionArn"] = loop_doc["FlowDefinitionArn"]
    output["humanAnswers"] = answers
    output["humanLoopName"] = loop_doc["HumanLoopName"]
    output["inputContent"] = json.loads(loop_doc["InputContent"])
    return output


class OutputWriter:
    """Writes and reads objects in the local mirror or in S3, as the config says."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._root: Path | None = None

    @property
    def endpoint(self) -> str:
        """Where S3 calls go, for messages: the endpoint URL or ``AWS S3 (<region>)``."""
        return (self.config.s3_endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
                or os.environ.get("AWS_ENDPOINT_URL") or f"AWS S3 ({self.config.region})")

    def local_path(self, uri: str) -> Path:
        bucket, key = split_s3_uri(uri)
        root = self._root
        if root is None:  # resolved once: every component is an lstat
            root = self._root = Path(self.config.mirror_dir).resolve()
        path = (root / bucket / key).resolve()
        if root not in path.parents:
            raise ValueError(f"{uri!r} escapes the local mirror")
        return path

    def write(self, uri: str, document: dict[str, Any], kms_key_id: str | None = None) -> None:
        """Write ``document`` as strict JSON (no NaN/Infinity) at ``uri``, whole or not at all.

        Raises ValueError for a document or URI that can never be written, OSError (or a
        botocore error) for a failure that may pass.
        """
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        if self.config.output_mode == "s3":
            bucket, key = split_s3_uri(uri)
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}
            self._client().put_object(Bucket=bucket, Key=key, Body=body,
                                      ContentType="application/json", **extra)
            return
        write_atomic(self.local_path(uri), body, root=self.config.mirror_dir)

    def output_path_errors(self, s3_output_path: str) -> list[str]:
        """In ``s3`` mode, why outputs could not go to this path's bucket (AWS wording), else []."""
        if self.config.output_mode != "s3":
            return []
        bucket, _prefix = split_s3_output_path(s3_output_path)
        problem = self.bucket_problem(bucket)
        if problem is None:
            return []
        shown = s3_output_path if len(s3_output_path) <= 256 else s3_output_path[:256] + "..."
        return [f"Value '{shown}' at '{MEMBER}' failed to satisfy constraint: {problem}"]

    def bucket_problem(self, bucket: str) -> str | None:
        """Why ``bucket`` cannot take outputs (checked with HeadBucket), or None."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client(door=True).head_bucket(Bucket=bucket)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404 or error.get("Code") in ("404", "NoSuchBucket", "NotFound"):
                return (f"the output bucket '{bucket}' does not exist at {self.endpoint} (HeadBucket); "
                        f"create it first (aws s3 mb s3://{bucket}) or use an existing bucket")
            if status == 403:
                return (f"the service's credentials may not use the output bucket '{bucket}' at "
                        f"{self.endpoint} (HeadBucket: 403); grant them s3:ListBucket and s3:PutObject on it")
            return f"HeadBucket on the output bucket '{bucket}' at {self.endpoint} failed ({error.get('Code')})"
        except BotoCoreError as exc:
            return (f"the S3 endpoint {self.endpoint} could not check the output bucket '{bucket}' "
                    f"({type(exc).__name__}); start it, or fix --s3-endpoint-url and the AWS credentials")
        return None

    def remove_temporaries(self) -> int:
        """Delete temporary files that dead processes left in the local mirror; returns how many.

        Files of this process (its pid is in their name) are left alone, so this is safe while
        the service runs.
        """
        root = Path(self.config.mirror_dir)
        if not root.is_dir():
            return 0
        mine = f".{os.getpid()}."
        removed = 0
        for folder, _dirs, files in os.walk(root):
            for name in files:
                stale = name.startswith(_OLD_TEMP_PREFIX) or (name.startswith(TEMP_PREFIX) and mine not in name)
                if stale:
                    Path(folder, name).unlink(missing_ok=True)
                    removed += 1
        return removed

    def read(self, uri: str) -> dict[str, Any]:
        if self.config.output_mode == "s3":
            data = self.get_bytes(*split_s3_uri(uri))
            if data is None:
                raise FileNotFoundError(f"no object {uri}")
            return json.loads(data)
        return json.loads(self.local_path(uri).read_text())

    def get_bytes(self, bucket: str, key: str) -> bytes | None:
        """An object's bytes from S3 (``s3`` mode), or None when there is no such key or bucket."""
        from botocore.exceptions import ClientError

        try:
            return bytes(self._client().get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404"):
                return None
            raise

    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        """Upload an object to S3 (``s3`` mode: what the mirror's PUT does there)."""
        self._client().put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    def _client(self, door: bool = False) -> Any:
        """The S3 client (``door``: one try and short timeouts, for checks during a request)."""
        kind = "door" if door else "write"
        with self._lock:
            if kind not in self._clients:
                import boto3
                from botocore.config import Config

                options = (Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=3,
                                  read_timeout=10) if door else
                           Config(retries=WRITE_RETRIES, connect_timeout=5, read_timeout=30))
                self._clients[kind] = boto3.client("s3", endpoint_url=self.config.s3_endpoint_url,
                                                   region_name=self.config.region, config=options)
            return self._clients[kind]
