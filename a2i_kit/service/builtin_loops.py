"""Built-in task types on the embedded service: what Textract/Rekognition do with HumanLoopConfig.

Routes (no admin token: they stand in for AWS APIs, like the runtime routes):

- ``POST /_a2i/builtin/textract/analyze-document``
- ``POST /_a2i/builtin/rekognition/detect-moderation-labels``

Body: ``{"Request": <AnalyzeDocument/DetectModerationLabels request>, "Response": <its saved
response>, "HumanLoopConfig": {"HumanLoopName", "FlowDefinitionArn", "DataAttributes"?}}`` (PascalCase,
as boto3 returns them; HumanLoopConfig may also sit inside Request). The flow definition's
activation conditions are evaluated (``a2i_kit.activation``); when they hold, the loop is started
with the built-in inputContent layout. Answer: the saved response (without ResponseMetadata) plus
``HumanLoopActivationOutput``. Errors: ``{"error": message, "code": Code}`` with the Textract/
Rekognition codes (InvalidParameterException 400, DocumentTooLargeException/ImageTooLargeException
413, HumanLoopQuotaExceededException 402, ConflictException 409, ResourceNotFoundException 404).

Bounded before anything else: the body is read up to :data:`MAX_BODY_BYTES` (4 MiB) and parsed
strictly (``a2i_kit.service.bodies``). A started loop's InputContent holds the request and the
response and A2I caps it at 3,145,728 characters, so a larger body could never start a loop; a
one-page AnalyzeDocument response and any DetectModerationLabels response fit well within it
(send large documents as ``S3Object`` rather than ``Bytes``, as the services recommend). The
fields the activation conditions read (labels' Name/Confidence/ParentName; blocks' Id,
BlockType, EntityTypes, Confidence, Text, Relationships) are type-checked here, so a malformed
saved response is a 400 naming the field, never a 500.

Example:
    >>> import httpx                                                        # doctest: +SKIP
    >>> httpx.post(url + "/_a2i/builtin/rekognition/detect-moderation-labels", json={  # doctest: +SKIP
    ...     "Request": request, "Response": response,
    ...     "HumanLoopConfig": {"HumanLoopName": "img-1", "FlowDefinitionArn": arn}}).json()
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from a2i_kit.activation.evaluate import (
    DROPPED_RESPONSE_KEYS,
    EvaluationOptions,
    evaluate_conditions,
)
from a2i_kit.activation.payload import build_input_content
from a2i_kit.activation.schema import REKOGNITION_SOURCE, TEXTRACT_SOURCE
from a2i_kit.errors import InputError
from a2i_kit.service.bodies import BodyError, read_capped, strict_object
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.protocol import AwsError

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 4 * 1024 * 1024
LOOP_NAME = re.compile(r"^[a-z0-9](-*[a-z0-9])*$")
CODE_MAP = {"ValidationException": ("InvalidParameterException", 400),
            "ServiceQuotaExceededException": ("HumanLoopQuotaExceededException", 402),
            "ConflictException": ("ConflictException", 409)}
TOO_LARGE = {TEXTRACT_SOURCE: "DocumentTooLargeException", REKOGNITION_SOURCE: "ImageTooLargeException"}
OPTION_KEYS = ("word_mode", "key_match", "and_mode")
CLASSIFIERS = ("FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent")
# Per source: the list the conditions read, and its items' fields -> (kind, required).
RESPONSE_SHAPES: dict[str, tuple[str, dict[str, tuple[str, bool]]]] = {
    REKOGNITION_SOURCE: ("ModerationLabels", {"Name": ("text", True), "Confidence": ("confidence", True),
                                              "ParentName": ("text", False)}),
    TEXTRACT_SOURCE: ("Blocks", {"Id": ("text", True), "BlockType": ("text", True),
                                 "EntityTypes": ("texts", False), "Confidence": ("confidence", False),
                                 "Text": ("text", False), "Relationships": ("relationships", False)}),
}
KINDS = {"text": "a string", "texts": "a list of strings", "confidence": "a number from 0 to 100",
         "relationships": 'a list of {"Type": string, "Ids": [strings]}'}


class BuiltinError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _invalid(message: str) -> BuiltinError:
    return BuiltinError("InvalidParameterException", message)


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """The two entry points, bound to the service context."""

    def endpoint(source: str) -> Any:
        async def handle(request: Request) -> Response:
            try:
                body = await _body(request, source)
                return JSONResponse(activate(ctx, source, body, options=_options(request)))
            except BuiltinError as exc:
                return JSONResponse({"error": exc.message, "code": exc.code}, status_code=exc.status)
        return handle

    return [Route("/_a2i/builtin/textract/analyze-document", endpoint(TEXTRACT_SOURCE), methods=["POST"]),
            Route("/_a2i/builtin/rekognition/detect-moderation-labels", endpoint(REKOGNITION_SOURCE),
                  methods=["POST"])]


async def _body(request: Request, source: str) -> dict[str, Any]:
    try:
        return strict_object(await read_capped(request, MAX_BODY_BYTES), empty_ok=False)
    except BodyError as exc:
        if exc.status == 413:
            raise BuiltinError(TOO_LARGE[source], f"{exc.message}; send the document as S3Object "
                               "instead of Bytes", 413) from None
        raise _invalid(f"the body is not accepted: {exc.message}") from None


def _options(request: Request) -> EvaluationOptions:
    chosen = {k: request.query_params[k] for k in OPTION_KEYS if k in request.query_params}
    allowed = {"word_mode": ("any", "each"), "key_match": ("exact", "normalized"),
               "and_mode": ("inference", "document")}
    for key, value in chosen.items():
        if value not in allowed[key]:
            raise _invalid(f"{key}={value[:40]!r}: use one of {allowed[key]}")
    return EvaluationOptions(**cast(Any, chosen))


def activate(ctx: ServiceContext, source: str, body: dict[str, Any], *,
             options: EvaluationOptions | None = None) -> dict[str, Any]:
    """Evaluate the flow definition's conditions and start the loop when they hold."""
    request, response = body.get("Request") or {}, body.get("Response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise _invalid("send {\"Request\": {...}, \"Response\": {...}, \"HumanLoopConfig\": {...}} "
                       "with the saved service request and response (PascalCase)")
    config: Any = body.get("HumanLoopConfig") or request.get("HumanLoopConfig")
    name, arn = _check_config(config)
    check_response(source, response)
    flow = _flow(ctx, arn, source)
    conditions = (((flow["doc"].get("HumanLoopActivationConfig") or {})
                   .get("HumanLoopActivationConditionsConfig") or {}).get("HumanLoopActivationConditions"))
    full_request = {**request, "HumanLoopConfig": config}
    try:
        evaluation = evaluate_conditions(source, conditions, response, flow_definition_arn=arn,
                                         request=full_request, options=options)
    except InputError as exc:
        raise _invalid(str(exc)) from exc
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a shape check_response missed
        log.warning("built-in evaluation failed on an unchecked response shape", exc_info=True)
        raise _invalid(f"the Response does not have the shape of a {source} response "
                       f"({type(exc).__name__}); send it as boto3 returned it") from exc
    loop_arn = None
    if evaluation.activated:
        content = build_input_content(source, full_request, response, evaluation, conditions)
        loop_arn = _start(ctx, name, arn, json.dumps(content), config.get("DataAttributes"), source)
    answer = {k: v for k, v in response.items() if k not in DROPPED_RESPONSE_KEYS}
    answer["HumanLoopActivationOutput"] = evaluation.activation_output(loop_arn)
    return answer


def _check_config(config: Any) -> tuple[str, str]:
    if not isinstance(config, dict):
        raise _invalid("HumanLoopConfig is required: {\"HumanLoopName\": ..., \"FlowDefinitionArn\": ...}")
    name, arn = config.get("HumanLoopName"), config.get("FlowDefinitionArn")
    if not isinstance(name, str) or not 1 <= len(name) <= 63 or not LOOP_NAME.match(name):
        shown = name[:80] if isinstance(name, str) else json.dumps(name)[:80]
        raise _invalid(f"1 validation error detected: Value '{shown}' at 'humanLoopConfig.humanLoopName' "
                       "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                       "^[a-z0-9](-*[a-z0-9])*$")
    if not isinstance(arn, str) or not arn or len(arn) > 256:
        raise _invalid("HumanLoopConfig.FlowDefinitionArn is required (a string of at most 256 characters)")
    attrs = config.get("DataAttributes")
    classifiers = attrs.get("ContentClassifiers") if isinstance(attrs, dict) else None
    if attrs is not None and not (isinstance(attrs, dict) and set(attrs) <= {"ContentClassifiers"}
                                  and isinstance(classifiers, list) and len(classifiers) <= 256
                                  and all(c in CLASSIFIERS for c in classifiers)):
        raise _invalid("HumanLoopConfig.DataAttributes must be {\"ContentClassifiers\": [...]} with "
                       f"values from {list(CLASSIFIERS)}")
    return name, arn


def check_response(source: str, response: dict[str, Any]) -> None:
    """Refuse a saved response whose fields read by the conditions have the wrong types.

    >>> check_response(REKOGNITION_SOURCE, {"ModerationLabels": [{"Name": "Gore", "Confidence": "high"}]})
    Traceback (most recent call last):
    ...
    a2i_kit.service.builtin_loops.BuiltinError: Response.ModerationLabels[0].Confidence must be a number from 0 to 100; send the saved response as boto3 returned it
    """
    field, item_fields = RESPONSE_SHAPES[source]
    items = response.get(field)
    if not isinstance(items, list):
        service, operation = source.split("/")[1:3]
        raise _invalid(f"the {service} response has no '{field}' list; pass the {operation} response as "
                       "returned by boto3 (PascalCase keys)")
    for index, item in enumerate(items):
        where = f"Response.{field}[{index}]"
        if not isinstance(item, dict):
            raise _invalid(f"{where} must be an object; send the saved response as boto3 returned it")
        for name, (kind, required) in item_fields.items():
            if name not in item and not required:
                continue
            if not _is_kind(item.get(name), kind):
                raise _invalid(f"{where}.{name} must be {KINDS[kind]}; send the saved response as boto3 "
                               "returned it")


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "texts":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "confidence":
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100
    return isinstance(value, list) and all(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and _is_kind(r.get("Ids"), "texts")
        for r in value)


def _flow(ctx: ServiceContext, arn: str, source: str) -> dict[str, Any]:
    from a2i_kit.service.sagemaker import flow_definitions

    flow = flow_definitions.find_by_arn(ctx, arn)
    if flow is None:
        raise BuiltinError("ResourceNotFoundException", f"FlowDefinition '{arn[:256]}' does not exist.", 404)
    wanted = ((flow["doc"].get("HumanLoopRequestSource") or {})
              .get("AwsManagedHumanLoopRequestSource"))
    if wanted != source:
        raise _invalid(f"FlowDefinition '{flow['name']}' has request source {wanted or 'none (custom)'}; "
                       f"this call needs a flow definition created with {source}.")
    return flow


def _start(ctx: ServiceContext, name: str, arn: str, content: str, attrs: Any, source: str) -> str:
    from a2i_kit.service.a2i_runtime import models

    try:
        return models.start_human_loop(ctx, name=name, flow_definition_arn=arn, input_content=content,
                                       data_attributes=attrs, request_source=source)
    except AwsError as exc:
        code, status = CODE_MAP.get(exc.code, (exc.code, exc.status))
        raise BuiltinError(code, exc.message, status) from exc
