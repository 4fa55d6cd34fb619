"""The local S3 mirror over HTTP: what ``grant_read_access`` links to in the embedded service.

``GET /_a2i/objects/{bucket}/{key}?sig=…`` serves ``<mirror_dir>/<bucket>/<key>`` to whoever holds
the signed link that ``grant_read_access`` rendered (like a presigned URL; answered with
``Access-Control-Allow-Origin: *``, the CORS rule A2I asks input buckets to have), or to the admin
token. Unsigned reads are refused: the mirror also holds every output.json. ``PUT`` (admin token)
uploads into the mirror.
Paths are resolved and must stay inside the bucket folder, so ``..`` or symlinks cannot escape.

Example:
    >>> import tempfile
    >>> from a2i_kit.service.context import ServiceConfig
    >>> config = ServiceConfig(data_dir=tempfile.mkdtemp())
    >>> put_object(config, "photos", "cats/1.png", b"png")
    's3://photos/cats/1.png'
    >>> object_path(config, "photos", "cats/1.png").read_bytes()
    b'png'
"""

from __future__ import annotations

import hmac
import mimetypes
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from a2i_kit.errors import InputError
from a2i_kit.service.context import ServiceConfig, ServiceContext

CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
                "Access-Control-Allow-Headers": "*"}
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
EXTRA_TYPES = {".json": "application/json", ".jsonl": "application/x-ndjson", ".webp": "image/webp",
               ".md": "text/markdown"}


def _config(ctx_or_config: ServiceContext | ServiceConfig) -> ServiceConfig:
    return ctx_or_config.config if isinstance(ctx_or_config, ServiceContext) else ctx_or_config


def object_path(ctx_or_config: ServiceContext | ServiceConfig, bucket: str, key: str) -> Path:
    """Where ``s3://bucket/key`` lives in the mirror; raises InputError when it would escape it."""
    if not _BUCKET.fullmatch(bucket or ""):
        raise InputError(f"bucket {bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, "
                         "digits, dots or hyphens)")
    if not key or key.endswith("/") or "\x00" in key:
        raise InputError(f"object key {key!r} must name a file, e.g. 'images/cat.png'")
    root = (Path(_config(ctx_or_config).mirror_dir) / bucket).resolve()
    path = (root / key).resolve()
    if root not in path.parents:
        raise InputError(f"object key {key!r} leaves bucket {bucket!r}; use a key without '..'")
    return path


def put_object(ctx_or_config: ServiceContext | ServiceConfig, bucket: str, key: str,
               data: bytes | str) -> str:
    """Write an object into the local mirror (atomically); returns its ``s3://`` URI."""
    path = object_path(ctx_or_config, bucket, key)
    body = data.encode() if isinstance(data, str) else bytes(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return f"s3://{bucket}/{key}"


def content_type(key: str) -> str:
    """MIME type by suffix (``application/octet-stream`` when unknown)."""
    suffix = Path(key).suffix.lower()
    return EXTRA_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status, headers=CORS_HEADERS)


def object_signature(ctx: ServiceContext, bucket: str, key: str) -> str:
    """The ``sig`` that makes a mirror URL readable (an HMAC keyed by the admin token)."""
    from a2i_kit.service.auth import sign

    return sign(ctx, f"objects:{bucket}/{key}")


def mirror_signer(ctx: ServiceContext) -> Any:
    """The service's ``grant_read_access``: a signed link to the local mirror.

    Like a presigned S3 URL, the link alone grants reading that one object; the mirror refuses
    unsigned reads, so review inputs and answers stay private even from other pages in the browser.
    """
    from a2i_kit.templates import local_signer

    unsigned = local_signer(ctx.base_url)

    def sign(bucket: str, key: str) -> str:
        return f"{unsigned(bucket, key)}?sig={object_signature(ctx, bucket, key)}"

    return sign


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """``GET``/``HEAD`` (signed link or admin), ``OPTIONS`` and ``PUT`` (admin) on the mirror."""

    async def get_object(request: Request) -> Response:
        from a2i_kit.service.auth import is_admin

        bucket, key = request.path_params["bucket"], request.path_params["key"]
        given = request.query_params.get("sig", "")
        expected = object_signature(ctx, bucket, key)
        if not (hmac.compare_digest(given.encode(), expected.encode()) or is_admin(request, ctx)):
            return _error(403, "AccessDenied", "reading the local mirror needs a signed link (from "
                          "grant_read_access / a2i_kit.service.objects.mirror_signer) or the admin token")
        try:
            path = object_path(ctx, bucket, key)
        except InputError:
            return _error(404, "NoSuchKey", f"no object s3://{bucket}/{key} in the local mirror")
        if not path.is_file():
            return _error(404, "NoSuchKey", f"no object s3://{bucket}/{key} in the local mirror; "
                          "upload it with a2i_kit.service.objects.put_object or PUT this URL")
        return FileResponse(path, media_type=content_type(key), headers=CORS_HEADERS)

    async def put(request: Request) -> Response:
        from a2i_kit.service.auth import is_admin

        if not is_admin(request, ctx):
            return _error(401, "Unauthorized", "uploading needs the admin token in X-A2I-Admin-Token")
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        body = await request.body()
        if len(body) > ctx.config.max_body_bytes:
            return _error(400, "EntityTooLarge", f"object is {len(body)} bytes; the limit is "
                          f"{ctx.config.max_body_bytes} (ServiceConfig.max_body_bytes)")
        try:
            uri = await run_in_threadpool(put_object, ctx, bucket, key, body)
        except InputError as exc:
            return _error(400, "InvalidRequest", str(exc))
        return JSONResponse({"uri": uri, "size": len(body)}, headers=CORS_HEADERS)

    async def options(_request: Request) -> Response:
        return Response(status_code=204, headers={**CORS_HEADERS, "Access-Control-Max-Age": "3600"})

    path = "/_a2i/objects/{bucket}/{key:path}"
    return [Route(path, get_object, methods=["GET", "HEAD"]), Route(path, put, methods=["PUT"]),
            Route(path, options, methods=["OPTIONS"])]
