"""Where a notebook works, on either backend, from one ``Session``: the session itself, its role,
bucket and files, and who answers its loops (the guided notebooks and ``a2i-kit demo`` use it).

``open_session`` connects as ``A2I_KIT_BACKEND`` says: locally, the embedded service in a
throw-away data directory; on AWS, ``connect("aws")``, with the execution role and bucket that
``session.setup`` discovers. The other helpers hide only *where* things live (the local mirror
folder or S3, a placeholder role or the discovered one) — every A2I call stays a boto3 call.

Simulated reviewers answer through the worker API of a2i-kit's service. Locally that is the
embedded service; on the AWS backend it exists only when a2i-kit's service stands in for A2I (its
URL in ``AWS_ENDPOINT_URL_SAGEMAKER``, its admin token in ``A2I_KIT_ADMIN_TOKEN``), as on the
AWS-shaped test stack; with real A2I, people answer in the worker portal.

Example:
    >>> session = open_session("00")                        # doctest: +SKIP
    >>> role_arn(session), bucket_name(session)             # doctest: +SKIP
    ('arn:aws:iam::111122223333:role/a2i-kit', 'a2i-kit-demo')
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import a2i_kit
from a2i_kit.config import Settings
from a2i_kit.errors import ConfigError
from a2i_kit.samples import digit_png

if TYPE_CHECKING:
    from a2i_kit.session import Session

__all__ = ["LOCAL_BUCKET", "LOCAL_ROLE", "TOKEN_ENV", "bucket_name", "is_aws", "open_session",
           "output_uris", "put_digit_images", "put_object", "put_sample_assets", "read_object",
           "reviewer_access", "reviewer_session", "role_arn", "service_url", "work_dir"]

LOCAL_ROLE = "arn:aws:iam::111122223333:role/a2i-kit"
LOCAL_BUCKET = "a2i-kit-demo"
TOKEN_ENV = "A2I_KIT_ADMIN_TOKEN"


def open_session(name: str, **local_options: Any) -> Session:
    """``connect()`` for the backend in ``A2I_KIT_BACKEND`` ("local" by default).

    Local: a fresh data directory ``/tmp/a2i-kit-<name>-*`` and ``local_options`` for the service
    (``flow_definition_init_seconds=30`` …). AWS: ``connect("aws")``; local options are not used.
    """
    if Settings.from_env().backend == "aws":
        session = a2i_kit.connect("aws")
        session.extras["work_dir"] = Path(tempfile.mkdtemp(prefix=f"a2i-kit-{name}-"))
        return session
    return a2i_kit.connect("local", data_dir=tempfile.mkdtemp(prefix=f"a2i-kit-{name}-"), **local_options)


def is_aws(session: Session) -> bool:
    """True for a ``connect("aws")`` session."""
    return bool(session.backend == "aws")


def work_dir(session: Session) -> Path:
    """A private folder for this run's files (launch ledgers, exports): the data directory locally."""
    if session.data_dir is not None:
        return Path(session.data_dir)
    return Path(session.extras.setdefault("work_dir", Path(tempfile.mkdtemp(prefix="a2i-kit-"))))


def role_arn(session: Session, local: str = LOCAL_ROLE) -> str:
    """The execution role for flow definitions: ``local`` on the embedded service (it checks only
    the ARN's form), the role ``session.setup`` discovered on AWS."""
    if not is_aws(session):
        return local
    found = session.setup.role
    if found.value is None:
        raise ConfigError(f"no execution role found ({found.source})")
    return str(found.value)


def bucket_name(session: Session, local: str = LOCAL_BUCKET) -> str:
    """The bucket for inputs and outputs: ``local`` in the service's mirror, the SageMaker default
    bucket on AWS (created if missing, as the SageMaker SDK's ``default_bucket()`` does)."""
    return str(session.setup.ensure_bucket()) if is_aws(session) else local


def _mirror_dir(session: Session) -> Path:
    """The local session's S3 mirror folder; ConfigError when its service runs in another process."""
    mirror = session.mirror_dir
    if mirror is None:
        raise ConfigError("this local session has no S3 mirror folder here: its service runs in another "
                          "process (a2i-kit serve); use a2i_kit.connect('local') in this process")
    return mirror


def put_object(session: Session, bucket: str, key: str, body: bytes, content_type: str = "image/png") -> str:
    """Store ``body`` at ``s3://bucket/key`` (the mirror folder locally, S3 on AWS); returns the URI."""
    if is_aws(session):
        session.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    else:
        path = _mirror_dir(session) / bucket / key
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_bytes(body)
    return f"s3://{bucket}/{key}"


def put_digit_images(session: Session, predictions: Any, bucket: str) -> int:
    """Store each prediction's digit image at ``s3://bucket/<image_key>``; returns how many."""
    for key in predictions["image_key"]:
        put_object(session, bucket, str(key), digit_png(int(str(key).rsplit("/", 1)[-1].split(".")[0])))
    return len(predictions)


def read_object(session: Session, uri: str, missing: bytes | None = None) -> bytes:
    """The bytes at ``s3://bucket/key`` (from the mirror folder locally, from S3 on AWS).

    A missing object returns ``missing`` when given, else raises (FileNotFoundError / NoSuchKey).
    """
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if is_aws(session):
        s3 = session.client("s3")
        try:
            return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except s3.exceptions.NoSuchKey:
            if missing is None:
                raise
            return missing
    path = _mirror_dir(session) / bucket / key
    if missing is not None and not path.exists():
        return missing
    return path.read_bytes()


def output_uris(session: Session, prefix_uri: str) -> list[str]:
    """Every ``output.json`` under ``s3://bucket/prefix``, sorted."""
    bucket, _, prefix = prefix_uri.removeprefix("s3://").partition("/")
    if not is_aws(session):
        root = _mirror_dir(session) / bucket
        return sorted(f"s3://{bucket}/{p.relative_to(root).as_posix()}"
                      for p in (root / prefix).rglob("output.json"))
    pages = session.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(f"s3://{bucket}/{item['Key']}" for page in pages for item in page.get("Contents", [])
                  if item["Key"].endswith("/output.json"))


def service_url(session: Session) -> str:
    """The a2i-kit service's address, for its own routes (replayed built-in calls, the clock):
    locally the embedded service; on AWS the service standing in for A2I at the SageMaker endpoint."""
    return reviewer_access(session)[0]


def reviewer_access(session: Session) -> tuple[str, str]:
    """``(url, admin_token)`` of the a2i-kit service whose worker API simulated reviewers use.

    Locally the embedded service; on AWS the service standing in for A2I at the SageMaker endpoint
    (on Amazon A2I, which has no such API, this raises ConfigError).
    """
    if not is_aws(session):
        return str(session.endpoint_url), str(session.admin_token)
    url, token = str(session.sagemaker.meta.endpoint_url), os.environ.get(TOKEN_ENV, "")
    if urlsplit(url).hostname is None or urlsplit(url).hostname.endswith(".amazonaws.com") or not token:  # type: ignore[union-attr]
        raise ConfigError("simulated reviewers need a2i-kit's service: on Amazon A2I your workteam answers in "
                          "the worker portal; with a2i-kit's service standing in for A2I, set "
                          f"{TOKEN_ENV} to its admin token")
    return url.rstrip("/"), token


def put_sample_assets(session: Session, bucket: str) -> list[str]:
    """The built-in templates' sample images at ``s3://bucket/<key>`` (mirror or S3); their URIs."""
    from a2i_kit.templates import builtin_assets

    return [put_object(session, bucket, key, path.read_bytes()) for _, key, path in builtin_assets()]


def reviewer_session(session: Session) -> Session:
    """``session`` with the service URL and admin token simulated reviewers need (for APIs that take
    one Session, such as ``a2i_kit.experiments.Reviews``): itself locally; on AWS a copy sharing its
    boto3 clients, with :func:`reviewer_access` filled in (ConfigError on Amazon A2I).

    >>> Reviews(reviewer_session(session), flow_definition_arn=flow_arn)   # doctest: +SKIP
    """
    if not is_aws(session):
        return session
    url, token = reviewer_access(session)
    return dataclasses.replace(session, endpoint_url=url, admin_token=token)
