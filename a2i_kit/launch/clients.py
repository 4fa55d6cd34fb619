"""Client plumbing for launching: a pooled copy of the caller's client, a compiled StartHumanLoop.

- :func:`pooled_client`: a copy of the caller's runtime client with enough pooled connections,
  signed by the caller's client itself.
- :class:`CompiledStart`: ``start_human_loop`` on that copy when it talks to the loopback
  transport, with botocore's per-call work that is identical for every call done once.
- :func:`flow_is_public_crowd`: one DescribeFlowDefinition before a launch.

Example:
    >>> is_public_crowd_arn("arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default")
    True
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from typing import Any

from botocore import UNSIGNED
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserFactory

from a2i_kit.client import RetryPolicy, call_with_retry, flow_definition_name
from a2i_kit.errors import LaunchError
from a2i_kit.session import boto_session

OPERATION = "StartHumanLoop"
NO_RETRIES = {"mode": "standard", "total_max_attempts": 1}  # what pooled_client(botocore_retries=False) sets
_TEMPLATE_HEADERS = frozenset({"Content-Type", "User-Agent"})


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
        config = config.merge(Config(retries=dict(NO_RETRIES)))
    if prevalidated:
        config = config.merge(Config(parameter_validation=False))
    with _session_lock:  # a boto3 Session is not thread-safe; creating a client from one is quick
        if not _sessions:  # one Session: a new one reloads botocore's data (~0.15 s of every launch)
            _sessions.append(boto_session())
        copy = _sessions[0].client(
            meta.service_model.service_name, endpoint_url=meta.endpoint_url, region_name=meta.region_name,
            config=meta.config.merge(config))
    service_id = meta.service_model.service_id.hyphenize()

    def sign_as_original(request: Any, operation_name: str, **_: Any) -> None:
        events.emit(f"request-created.{service_id}.{operation_name}", request=request,
                    operation_name=operation_name)

    copy.meta.events.register(f"request-created.{service_id}", sign_as_original)
    return copy


_session_lock = threading.Lock()
_sessions: list[Any] = []


class CompiledStart:
    """``client.start_human_loop(**params)`` for a pooled copy on the loopback transport ``wire``.

    botocore repeats, on every call, work whose result is the same for every StartHumanLoop of
    one client: emitting parameter events, resolving the endpoint, serializing, the retry
    bookkeeping of a client whose retries are off, and parsing a one-field answer. The first call
    goes through botocore whole and is recorded (URL, method, the two headers set before signing,
    the request context, the final User-Agent); it also proves the body serializer (botocore's
    rest-json body is ``json.dumps`` of the parameters). Later calls send the same request
    built from that record: botocore's own ``request-created`` handlers of the copy still add
    the signature (by the caller's client), ``X-Amz-Date``, ``amz-sdk-invocation-id`` (a new
    UUID) and ``amz-sdk-request``; the bytes travel over ``wire``. A plain answer (200 and only
    ``HumanLoopArn``) is read directly; any other answer is parsed by botocore's parser and
    raised as the client's own exception class, as the client would.

    Only for a copy with botocore's retries off whose caller checks every parameter, as botocore's
    validation is skipped too (``pooled_client(..., botocore_retries=False, prevalidated=True)``);
    :meth:`usable` says whether it applies.

    Example:
        >>> start = CompiledStart(pooled, wire)  # doctest: +SKIP
        >>> start(HumanLoopName="a-1", FlowDefinitionArn=arn, HumanLoopInput={"InputContent": "{}"})  # doctest: +SKIP
    """

    def __init__(self, client: Any, wire: Any) -> None:
        meta = client.meta
        self.client, self.wire, self.events = client, wire, meta.events
        service_id = meta.service_model.service_id.hyphenize()
        self._created = f"request-created.{service_id}.{OPERATION}"
        operation = meta.service_model.operation_model(OPERATION)
        self._output, self._service_model = operation.output_shape, meta.service_model
        self._parser = ResponseParserFactory().create_parser(meta.service_model.resolved_protocol)
        self._record: dict[str, Any] | None = None
        self._recording = threading.Lock()
        self._local = threading.local()
        self.events.register_last(f"before-call.{service_id}.{OPERATION}", self._note_request)
        self.events.register_first(f"before-send.{service_id}.{OPERATION}", self._note_sent)

    @staticmethod
    def usable(client: Any, *, prevalidated: bool) -> bool:
        """True for a copy without botocore retries whose parameters the caller checks (it skips botocore's)."""
        return prevalidated and client.meta.config.retries == NO_RETRIES

    def __call__(self, **params: Any) -> dict[str, Any]:
        record = self._record
        if record is None:
            return self._through_botocore(params)
        body = json.dumps(params).encode("utf-8")
        request = AWSRequest(method=record["method"], url=record["url"], data=body, headers=record["headers"])
        context = {**record["context"], "retries": {"attempt": 1, "invocation-id": str(uuid.uuid4())}}
        for key in record["nested"]:  # handlers may write into these: each call gets its own
            context[key] = dict(context[key])
        request.context = context
        request.stream_output = False
        self.events.emit(self._created, request=request, operation_name=OPERATION)
        headers = request.headers
        for name, value in headers.items():
            if isinstance(value, str):  # as botocore's endpoint encodes them
                headers[name] = value.encode("utf-8")
        if headers["User-Agent"] != record["user_agent"]:
            headers.replace_header("User-Agent", record["user_agent"])
        answer = self.wire.send(request.prepare())
        if answer is None:
            raise LaunchError("the loopback transport declined a StartHumanLoop request it had accepted before")
        return self._parsed(answer, request.context)

    def _parsed(self, answer: Any, context: dict[str, Any]) -> dict[str, Any]:
        """What botocore returns (or raises) for this answer of a call that is not retried."""
        content = answer.content
        headers = {name.lower(): value for name, value in answer.headers.items()}
        if answer.status_code == 200 and "x-amzn-requestid" in headers and content.startswith(b'{"HumanLoopArn"'):
            doc = json.loads(content)
            if len(doc) == 1 and isinstance(doc["HumanLoopArn"], str):
                return {"ResponseMetadata": {"RequestId": headers["x-amzn-requestid"], "HTTPStatusCode": 200,
                                             "HTTPHeaders": headers, "MaxAttemptsReached": True, "RetryAttempts": 0},
                        "HumanLoopArn": doc["HumanLoopArn"]}
        response = {"headers": answer.headers, "status_code": answer.status_code, "body": content,
                    "context": context}
        parsed = self._parser.parse(response, self._output)
        code = parsed.get("Error", {}).get("Code")
        if answer.status_code >= 300 and code is not None:
            shape = self._service_model.shape_for_error_code(code)
            if shape is not None:
                parsed.update(self._parser.parse(response, shape))
        parsed.setdefault("ResponseMetadata", {})["MaxAttemptsReached"] = True
        parsed["ResponseMetadata"]["RetryAttempts"] = 0
        if answer.status_code >= 300:
            raise self.client.exceptions.from_code(code)(parsed, OPERATION)
        return parsed

    def _through_botocore(self, params: dict[str, Any]) -> dict[str, Any]:
        """A call through botocore; the first one that succeeds is recorded for the later ones."""
        if not self._recording.acquire(blocking=False):
            return self.client.start_human_loop(**params)  # another thread is recording
        try:
            seen: dict[str, Any] = {}
            self._local.seen = seen
            answer = self.client.start_human_loop(**params)
            request = seen.get("request")
            if (request is not None and seen.get("user_agent") is not None
                    and request["body"] == json.dumps(params).encode("utf-8")):
                self._record = {**request, "user_agent": seen["user_agent"]}
            return answer
        finally:
            self._local.seen = None
            self._recording.release()

    def _note_request(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """``before-call``: botocore's request dict, when it can be replayed (no query, two headers)."""
        seen = getattr(self._local, "seen", None)
        if seen is None:
            return
        if (params.get("query_string") or params.get("auth_path") or params["method"] != "POST"
                or set(params["headers"]) != _TEMPLATE_HEADERS or not isinstance(params["body"], bytes)):
            return
        base = {key: value for key, value in context.items() if key != "retries"}
        seen["request"] = {"method": params["method"], "url": params["url"], "body": params["body"],
                           "headers": dict(params["headers"]), "context": base,
                           "nested": [key for key, value in base.items() if isinstance(value, dict)]}

    def _note_sent(self, request: Any, **_: Any) -> None:
        """``before-send``: the User-Agent botocore sent (it may carry per-call feature ids)."""
        seen = getattr(self._local, "seen", None)
        if seen is not None:
            seen["user_agent"] = request.headers.get("User-Agent")


def flow_is_public_crowd(sagemaker: Any, flow_definition_arn: str) -> bool:
    """Describe the flow definition once: must be Active; True when its team is the public crowd."""
    name = flow_definition_name(flow_definition_arn)
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
