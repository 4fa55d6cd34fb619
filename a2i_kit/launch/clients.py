"""Client plumbing for launching: a connection pool per worker thread, public-crowd detection.

Example:
    >>> is_public_crowd_arn("arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default")
    True
"""

from __future__ import annotations

import random
import threading
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from a2i_kit.errors import LaunchError
from a2i_kit.launch.names import flow_name
from a2i_kit.launch.retry import RetryPolicy, call_with_retry


def is_public_crowd_arn(workteam_arn: str) -> bool:
    return ":workteam/public-crowd/" in workteam_arn


def pooled_client(client: Any, size: int, *, botocore_retries: bool, prevalidated: bool = False) -> Any:
    """A copy of ``client`` with ``size`` pooled connections (and botocore retries off unless asked).

    Built only from public API: the copy takes endpoint, region and config from ``client.meta``
    and holds no credentials of its own. Its requests are signed by ``client`` itself: the copy
    forwards botocore's ``request-created`` event to ``client.meta.events``, where ``client``'s
    signer (and any handler its owner registered) runs, so refreshing or session credentials
    behave exactly as on ``client``.

    ``prevalidated=True`` also turns botocore's client-side parameter validation off: the caller
    has already checked every parameter it sends (``launch_loops`` checks names, inputs and
    classifiers before the first call), so botocore would only repeat that work on each call.
    Falls back to ``client`` itself when it is not a botocore client (e.g. a stub in tests).
    """
    meta = getattr(client, "meta", None)
    events = getattr(meta, "events", None)
    if meta is None or events is None or not hasattr(meta, "service_model"):
        return client
    config = Config(max_pool_connections=max(size, 10), signature_version=UNSIGNED)
    if not botocore_retries:
        config = config.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))
    if prevalidated:
        config = config.merge(Config(parameter_validation=False))
    with _session_lock:  # a boto3 Session is not thread-safe; creating a client from one is quick
        copy = _shared_session().client(
            meta.service_model.service_name, endpoint_url=meta.endpoint_url, region_name=meta.region_name,
            config=meta.config.merge(config))
    service_id = meta.service_model.service_id.hyphenize()

    def sign_as_original(request: Any, operation_name: str, **_: Any) -> None:
        events.emit(f"request-created.{service_id}.{operation_name}", request=request,
                    operation_name=operation_name)

    copy.meta.events.register(f"request-created.{service_id}", sign_as_original)
    return copy


_session_lock = threading.Lock()
_sessions: list[boto3.session.Session] = []


def _shared_session() -> boto3.session.Session:
    """One Session for the launcher's clients: a new one reloads botocore's data (~0.15 s per launch)."""
    if not _sessions:
        _sessions.append(boto3.session.Session())
    return _sessions[0]


def flow_is_public_crowd(sagemaker: Any, flow_definition_arn: str) -> bool:
    """Describe the flow definition once: must be Active; True when its team is the public crowd."""
    name = flow_name(flow_definition_arn)
    try:
        flow, _ = call_with_retry(lambda: sagemaker.describe_flow_definition(FlowDefinitionName=name),
                                  RetryPolicy(), random.Random())
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise LaunchError(f"flow definition {name!r} cannot be used: {err.get('Code')}: "
                          f"{err.get('Message')}") from exc
    status = flow.get("FlowDefinitionStatus")
    if status != "Active":
        raise LaunchError(f"flow definition {name!r} is {status}; loops can only start on an Active "
                          "one (poll describe_flow_definition until it is Active)")
    team = (flow.get("HumanLoopConfig") or {}).get("WorkteamArn", "")
    return is_public_crowd_arn(team)
