"""The local S3 mirror over HTTP: what ``grant_read_access`` links to in the embedded service.

``GET /_a2i/objects/{bucket}/{key}?expires=…&sig=…`` serves ``<mirror_dir>/<bucket>/<key>`` to
whoever holds the signed link that ``grant_read_access`` rendered (like a presigned URL, it stops
working ``ServiceConfig.signed_link_seconds`` after it was made; answered with
``Access-Control-Allow-Origin: *``, the CORS rule A2I asks input buckets to have), or to the admin
token. Unsigned reads are refused: the mirror also holds every output.json. ``PUT`` (admin token)
uploads into the mirror (body capped at ``ServiceConfig.max_body_bytes``). In ``s3`` output mode
the same links read and write the S3 bucket itself (``ServiceContext.outputs``) instead.

What a browser may do with a file (see :func:`serving_headers`): every answer carries
``X-Content-Type-Options: nosniff``; images, audio, video, PDF, JSON and plain text are served
inline (the portal shows images with ``<img>``); anything else (SVG, HTML, XHTML, XML, unknown)
is an attachment with ``Content-Security-Policy: sandbox``, so a hostile file opened through its
link never runs script in the service's origin.

Keys are checked before they touch the disk: no empty, ``.`` or ``..`` segment, no control character, valid
Unicode, at most 1024 UTF-8 bytes (S3's limit) and 255 bytes per segment (the file system's);
paths are resolved and must stay inside the bucket folder, so symlinks cannot escape either.

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

import base64
import mimetypes
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from a2i_kit.errors import InputError
from a2i_kit.service import private
from a2i_kit.service.auth import LinkRefused, is_admin, sign_link, verify_link
from a2i_kit.service.bodies import BodyError, read_capped
from a2i_kit.service.context import ServiceConfig, ServiceContext

CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
                "Access-Control-Allow-Headers": "*"}
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EXTRA_TYPES = {".json": "application/json", ".jsonl": "application/x-ndjson", ".webp": "image/webp",
               ".md": "text/markdown"}
INLINE_PREFIXES = ("image/", "audio/", "video/")
INLINE_TYPES = frozenset({"application/pdf", "application/json", "text/plain"})
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
# Behind a signing-in proxy, task pages carry images up to this size inline (see data_uri).
INLINE_LIMIT = 1024 * 1024


def _config(ctx_or_config: ServiceContext | ServiceConfig) -> ServiceConfig:
    return ctx_or_config.config if isinstance(ctx_or_config, ServiceContext) else ctx_or_config


def _show(text: str) -> str:
    """A user-given name for a message: quoted, escaped, cut to 80 characters."""
    return repr(text[:80] + ("…" if len(text) > 80 else ""))


def check_location(bucket: str, key: str) -> None:
    """Raise InputError unless ``s3://bucket/key`` can be a file of the mirror."""
    if not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise InputError(f"bucket {_show(str(bucket))} is not a valid S3 bucket name (3-63 lowercase "
                         "letters, digits, dots or hyphens)")
    if not isinstance(key, str) or not key or key.endswith("/"):
        raise InputError(f"object key {_show(str(key))} must name a file, e.g. 'images/cat.png'")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise InputError("the object key holds a lone UTF-16 surrogate, which is not text; "
                         "use valid Unicode") from None
    if size > MAX_KEY_BYTES:
        raise InputError(f"the object key is {size} bytes long; S3 keys are at most {MAX_KEY_BYTES} "
                         "bytes (UTF-8)")
    if _CONTROL.search(key):
        raise InputError(f"object key {_show(key)} holds a control character (newline, tab, NUL…), "
                         "which links to the mirror cannot carry; remove it")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InputError(f"object key {_show(key)} has an empty, '.' or '..' part; the mirror "
                             f"stores files, so use a plain path such as 'images/cat.png'")
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InputError(f"a part of object key {_show(key)} is longer than {MAX_SEGMENT_BYTES} "
                             "bytes, which the mirror's file system cannot store; split it with '/'")


def object_path(ctx_or_config: ServiceContext | ServiceConfig, bucket: str, key: str) -> Path:
    """Where ``s3://bucket/key`` lives in the mirror; raises InputError when it cannot or would escape."""
    check_location(bucket, key)
    root = (Path(_config(ctx_or_config).mirror_dir) / bucket).resolve()
    path = (root / key).resolve()
    if root not in path.parents:
        raise InputError(f"object key {_show(key)} leaves bucket {bucket!r}; use a key without links "
                         "out of the bucket")
    return path


def put_object(ctx_or_config: ServiceContext | ServiceConfig, bucket: str, key: str,
               data: bytes | str) -> str:
    """Write an object into the local mirror (atomically, 0600 in 0700 folders); returns its URI."""
    path = object_path(ctx_or_config, bucket, key)
    body = data.encode() if isinstance(data, str) else bytes(data)
    private.write_atomic(path, body, root=Path(_config(ctx_or_config).data_dir))
    return f"s3://{bucket}/{key}"


def content_type(key: str) -> str:
    """MIME type by suffix (``application/octet-stream`` when unknown)."""
    suffix = Path(key).suffix.lower()
    return EXTRA_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def is_inline(media_type: str) -> bool:
    """True for types a browser shows without running script (SVG and other XML are not).

    >>> is_inline("image/png"), is_inline("image/svg+xml"), is_inline("text/html")
    (True, False, False)
    """
    media_type = media_type.split(";")[0].strip().lower()
    if media_type.endswith(("+xml", "/xml")):
        return False
    return media_type in INLINE_TYPES or media_type.startswith(INLINE_PREFIXES)


def serving_headers(media_type: str) -> dict[str, str]:
    """Headers of a mirror file besides CORS: nosniff always; sandbox CSP for active types."""
    headers = {"X-Content-Type-Options": "nosniff"}
    if not is_inline(media_type):
        headers["Content-Security-Policy"] = "sandbox"
    return headers


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status,
                        headers={**CORS_HEADERS, "X-Content-Type-Options": "nosniff"})


def _link_text(bucket: str, key: str) -> str:
    return f"objects:{bucket}/{key}"


def object_signature(ctx: ServiceContext, bucket: str, key: str, seconds: float | None = None) -> str:
    """The query (``expires=…&sig=…``) that makes a mirror URL readable until it expires."""
    expires, signature = sign_link(ctx, _link_text(bucket, key), seconds)
    return f"expires={expires}&sig={signature}"


def mirror_signer(ctx: ServiceContext, seconds: float | None = None) -> Any:
    """The service's ``grant_read_access``: a signed, expiring link to the local mirror.

    Like a presigned S3 URL, the link alone grants reading that one object until it expires
    (``seconds``, default ``ServiceConfig.signed_link_seconds``); the mirror refuses unsigned
    reads, so review inputs and answers stay private even from other pages in the browser.
    """
    from a2i_kit.service.hosts import PAGE_PREFIX, link_base
    from a2i_kit.templates import local_signer

    unsigned, proxied = local_signer(link_base(ctx)), bool(PAGE_PREFIX.get())

    def sign(bucket: str, key: str) -> str:
        inline = data_uri(ctx, bucket, key) if proxied else None
        return inline or f"{unsigned(bucket, key)}?{object_signature(ctx, bucket, key, seconds)}"

    return sign


def data_uri(ctx: ServiceContext, bucket: str, key: str, limit: int = INLINE_LIMIT) -> str | None:
    """A small inline-safe object as a ``data:`` URI, else None.

    For portal pages behind a proxy that signs users in (Jupyter's): the task's sandboxed frame
    has an opaque origin, so its image requests carry no proxy cookie and the proxy refuses them.
    """
    media = content_type(key)
    if not is_inline(media) or not media.startswith(INLINE_PREFIXES):
        return None
    try:
        if ctx.config.output_mode == "s3":
            check_location(bucket, key)
            data = ctx.outputs.get_bytes(bucket, key)
        else:
            path = object_path(ctx, bucket, key)
            data = path.read_bytes() if path.is_file() and path.stat().st_size <= limit else None
    except (InputError, OSError):
        return None
    if data is None or len(data) > limit:
        return None
    return f"data:{media};base64,{base64.b64encode(data).decode()}"


def _refusal(exc: LinkRefused) -> JSONResponse:
    if exc.expired:
        return _error(403, "AccessDenied", f"Request has expired: this signed link stopped working at "
                      f"{exc.when()}. Reopen the task (or render the template again) for a fresh link.")
    return _error(403, "AccessDenied", "reading the local mirror needs a valid signed link (one that "
                  "grant_read_access rendered in a task) or the admin token; "
                  "this link's signature or expiry does not match")


def _bad_uri(request: Request) -> JSONResponse | None:
    """A 400 when the URL's key is not UTF-8 (the server would read it as U+FFFD and change it)."""
    try:
        unquote_to_bytes(request.scope.get("raw_path") or b"").decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "InvalidURI", "the bucket or key in this URL is not valid UTF-8 once "
                      "percent-decoded; encode the key's text as UTF-8")
    return None


def _from_s3(ctx: ServiceContext, bucket: str, key: str) -> Response:
    """In ``s3`` output mode the links read the bucket itself (``ServiceContext.outputs``)."""
    try:
        check_location(bucket, key)
        data = ctx.outputs.get_bytes(bucket, key)
    except InputError:
        data = None
    except Exception as exc:  # botocore: endpoint down, credentials refused
        return _error(502, "BadGateway", f"reading {_show(f's3://{bucket}/{key}')} from {ctx.outputs.endpoint} "
                      f"failed ({type(exc).__name__}); check the S3 endpoint and the service's credentials")
    if data is None:
        return _error(404, "NoSuchKey", f"no object {_show(f's3://{bucket}/{key}')} at {ctx.outputs.endpoint}")
    media = content_type(key)
    extra = {} if is_inline(media) else {"Content-Disposition": "attachment"}
    return Response(data, media_type=media, headers={**CORS_HEADERS, **serving_headers(media), **extra})


def _to_s3(ctx: ServiceContext, bucket: str, key: str, body: bytes) -> Response:
    try:
        ctx.outputs.put_bytes(bucket, key, body, content_type(key))
    except Exception as exc:
        return _error(502, "BadGateway", f"writing {_show(f's3://{bucket}/{key}')} to {ctx.outputs.endpoint} "
                      f"failed ({type(exc).__name__}); check that the bucket exists and the credentials")
    return JSONResponse({"uri": f"s3://{bucket}/{key}", "size": len(body)}, headers=CORS_HEADERS)


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """``GET``/``HEAD`` (signed link or admin), ``OPTIONS`` and ``PUT`` (admin) on the mirror."""

    async def get_object(request: Request) -> Response:
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        if (refused := _bad_uri(request)) is not None:
            return refused
        if not is_admin(request, ctx):
            query = request.query_params
            try:
                verify_link(ctx, _link_text(bucket, key), query.get("expires", ""), query.get("sig", ""))
            except LinkRefused as exc:
                return _refusal(exc)
        if ctx.config.output_mode == "s3":
            return await run_in_threadpool(_from_s3, ctx, bucket, key)
        try:
            path = object_path(ctx, bucket, key)
        except InputError:
            return _error(404, "NoSuchKey", "no such object in the local mirror (the bucket or key is "
                          "not a valid mirror location)")
        if not path.is_file():
            return _error(404, "NoSuchKey", f"no object {_show(f's3://{bucket}/{key}')} in the local mirror; "
                          "upload it by PUT to this URL with the admin token (AdminClient.put_object)")
        media = content_type(key)
        inline = is_inline(media)
        return FileResponse(path, media_type=media, headers={**CORS_HEADERS, **serving_headers(media)},
                            filename=None if inline else path.name, content_disposition_type="attachment")

    async def put(request: Request) -> Response:
        if not is_admin(request, ctx):
            return _error(401, "Unauthorized", "uploading needs the admin token in X-A2I-Admin-Token")
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        if (refused := _bad_uri(request)) is not None:
            return refused
        try:
            check_location(bucket, key)
            body = await read_capped(request, ctx.config.max_body_bytes)
        except BodyError as exc:
            code = "EntityTooLarge" if exc.status == 413 else "InvalidRequest"
            return _error(exc.status, code, f"{exc.message} (ServiceConfig.max_body_bytes)"
                          if exc.status == 413 else exc.message)
        except InputError as exc:
            return _error(400, "InvalidRequest", str(exc))
        try:
            if ctx.config.output_mode == "s3":
                return await run_in_threadpool(_to_s3, ctx, bucket, key, body)
            uri = await run_in_threadpool(put_object, ctx, bucket, key, body)
        except InputError as exc:
            return _error(400, "InvalidRequest", str(exc))
        except (NotADirectoryError, IsADirectoryError, FileExistsError):
            return _error(409, "Conflict", "the mirror cannot store this key: a part of its path is "
                          "already an object, or the key is a folder of other objects")
        return JSONResponse({"uri": uri, "size": len(body)}, headers=CORS_HEADERS)

    async def options(_request: Request) -> Response:
        return Response(status_code=204, headers={**CORS_HEADERS, "Access-Control-Max-Age": "3600"})

    path = "/_a2i/objects/{bucket}/{key:path}"
    return [Route(path, get_object, methods=["GET", "HEAD"]), Route(path, put, methods=["PUT"]),
            Route(path, options, methods=["OPTIONS"])]
