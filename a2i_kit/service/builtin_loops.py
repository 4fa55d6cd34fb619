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
Rekognition codes (InvalidParameterException 400, HumanLoopQuotaExceededException 402,
ConflictException 409, ResourceNotFoundException 404).

Example:
    >>> import httpx                                                        # doctest: +SKIP
    >>> httpx.post(url + "/_a2i/builtin/rekognition/detect-moderation-labels", json={  # doctest: +SKIP
    ...     "Request": request, "Response": response,
    ...     "HumanLoopConfig": {"HumanLoopName": "img-1", "FlowDefinitionArn": arn}}).json()
"""

from __future__ import annotations

import json
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
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.protocol import AwsError

LOOP_NAME = re.compile(r"^[a-z0-9](-*[a-z0-9])*$")
CODE_MAP = {"ValidationException": ("InvalidParameterException", 400),
            "ServiceQuotaExceededException": ("HumanLoopQuotaExceededException", 402),
            "ConflictException": ("ConflictException", 409)}
OPTION_KEYS = ("word_mode", "key_match", "and_mode")


class BuiltinError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    """The two entry points, bound to the service context."""

    def endpoint(source: str) -> Any:
        async def handle(request: Request) -> Response:
            try:
                body = await _body(request)
                return JSONResponse(activate(ctx, source, body, options=_options(request)))
            except BuiltinError as exc:
                return JSONResponse({"error": exc.message, "code": exc.code}, status_code=exc.status)
        return handle

    return [Route("/_a2i/builtin/textract/analyze-document", endpoint(TEXTRACT_SOURCE), methods=["POST"]),
            Route("/_a2i/builtin/rekognition/detect-moderation-labels", endpoint(REKOGNITION_SOURCE),
                  methods=["POST"])]


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise BuiltinError("InvalidParameterException", f"the body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise BuiltinError("InvalidParameterException", "the body must be a JSON object")
    return body


def _options(request: Request) -> EvaluationOptions:
    chosen = {k: request.query_params[k] for k in OPTION_KEYS if k in request.query_params}
    allowed = {"word_mode": ("any", "each"), "key_match": ("exact", "normalized"),
               "and_mode": ("inference", "document")}
    for key, value in chosen.items():
        if value not in allowed[key]:
            raise BuiltinError("InvalidParameterException", f"{key}={value!r}: use one of {allowed[key]}")
    return EvaluationOptions(**cast(Any, chosen))


def activate(ctx: ServiceContext, source: str, body: dict[str, Any], *,
             options: EvaluationOptions | None = None) -> dict[str, Any]:
    """Evaluate the flow definition's conditions and start the loop when they hold."""
    request, response = body.get("Request") or {}, body.get("Response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise BuiltinError("InvalidParameterException",
                           "send {\"Request\": {...}, \"Response\": {...}, \"HumanLoopConfig\": {...}} "
                           "with the saved service request and response (PascalCase)")
    config: Any = body.get("HumanLoopConfig") or request.get("HumanLoopConfig")
    name, arn = _check_config(config)
    flow = _flow(ctx, arn, source)
    conditions = (((flow["doc"].get("HumanLoopActivationConfig") or {})
                   .get("HumanLoopActivationConditionsConfig") or {}).get("HumanLoopActivationConditions"))
    full_request = {**request, "HumanLoopConfig": config}
    try:
        evaluation = evaluate_conditions(source, conditions, response, flow_definition_arn=arn,
                                         request=full_request, options=options)
    except InputError as exc:
        raise BuiltinError("InvalidParameterException", str(exc)) from exc
    loop_arn = None
    if evaluation.activated:
        content = build_input_content(source, full_request, response, evaluation, conditions)
        loop_arn = _start(ctx, name, arn, json.dumps(content), config.get("DataAttributes"), source)
    answer = {k: v for k, v in response.items() if k not in DROPPED_RESPONSE_KEYS}
    answer["HumanLoopActivationOutput"] = evaluation.activation_output(loop_arn)
    return answer


def _check_config(config: Any) -> tuple[str, str]:
    if not isinstance(config, dict):
        raise BuiltinError("InvalidParameterException", "HumanLoopConfig is required: "
                           "{\"HumanLoopName\": ..., \"FlowDefinitionArn\": ...}")
    name, arn = config.get("HumanLoopName"), config.get("FlowDefinitionArn")
    if not isinstance(name, str) or not 1 <= len(name) <= 63 or not LOOP_NAME.match(name):
        raise BuiltinError("InvalidParameterException",
                           f"1 validation error detected: Value '{name}' at 'humanLoopConfig.humanLoopName' "
                           "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                           "^[a-z0-9](-*[a-z0-9])*$")
    if not isinstance(arn, str) or not arn or len(arn) > 256:
        raise BuiltinError("InvalidParameterException",
                           "HumanLoopConfig.FlowDefinitionArn is required (at most 256 characters)")
    return name, arn


def _flow(ctx: ServiceContext, arn: str, source: str) -> dict[str, Any]:
    from a2i_kit.service.sagemaker import flow_definitions

    flow = flow_definitions.find_by_arn(ctx, arn)
    if flow is None:
        raise BuiltinError("ResourceNotFoundException", f"FlowDefinition '{arn}' does not exist.", 404)
    wanted = ((flow["doc"].get("HumanLoopRequestSource") or {})
              .get("AwsManagedHumanLoopRequestSource"))
    if wanted != source:
        raise BuiltinError("InvalidParameterException",
                           f"FlowDefinition '{flow['name']}' has request source {wanted or 'none (custom)'}; "
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
