"""Notebook helpers: send a saved Textract/Rekognition call to the embedded service's built-in loops.

They post to ``/_a2i/builtin/...`` and return what AnalyzeDocument / DetectModerationLabels
would have returned with a HumanLoopConfig: the response plus ``HumanLoopActivationOutput``.

Example:
    >>> from a2i_kit.activation.samples import load_sample                  # doctest: +SKIP
    >>> call = load_sample("textract_invoice")  # doctest: +SKIP
    >>> out = analyze_document_with_review(session, call["request"], call["response"],  # doctest: +SKIP
    ...                                    flow_definition_arn=arn, human_loop_name="invoice-42")
    >>> out["HumanLoopActivationOutput"]["HumanLoopActivationReasons"]  # doctest: +SKIP
    ['ConditionsEvaluation']
"""

from __future__ import annotations

from typing import Any

import httpx

from a2i_kit.errors import InputError, ServiceError

__all__ = ["analyze_document_with_review", "detect_moderation_labels_with_review"]


def _base_url(target: Any) -> str:
    url = target if isinstance(target, str) else getattr(target, "endpoint_url", None)
    if not url:
        raise InputError("pass a2i_kit.connect()'s session or the service URL (http://127.0.0.1:PORT); "
                         "built-in loops run on the embedded service only")
    return str(url).rstrip("/")


def _post(target: Any, path: str, request: dict[str, Any], response: dict[str, Any],
          flow_definition_arn: str, human_loop_name: str,
          data_attributes: dict[str, Any] | None, options: dict[str, str] | None) -> dict[str, Any]:
    config: dict[str, Any] = {"HumanLoopName": human_loop_name, "FlowDefinitionArn": flow_definition_arn}
    if data_attributes:
        config["DataAttributes"] = data_attributes
    body = {"Request": {k: v for k, v in request.items() if k != "HumanLoopConfig"},
            "Response": response, "HumanLoopConfig": config}
    answer = httpx.post(_base_url(target) + path, json=body, params=options or {}, timeout=60)
    data = answer.json()
    if answer.status_code != 200:
        raise ServiceError(f"{data.get('code', answer.status_code)}: {data.get('error', answer.text)}")
    return data


def analyze_document_with_review(target: Any, request: dict[str, Any], response: dict[str, Any], *,
                                 flow_definition_arn: str, human_loop_name: str,
                                 data_attributes: dict[str, Any] | None = None,
                                 options: dict[str, str] | None = None) -> dict[str, Any]:
    """AnalyzeDocument (FORMS) + HumanLoopConfig, replayed from a saved request/response."""
    return _post(target, "/_a2i/builtin/textract/analyze-document", request, response,
                 flow_definition_arn, human_loop_name, data_attributes, options)


def detect_moderation_labels_with_review(target: Any, request: dict[str, Any], response: dict[str, Any],
                                         *, flow_definition_arn: str, human_loop_name: str,
                                         data_attributes: dict[str, Any] | None = None,
                                         options: dict[str, str] | None = None) -> dict[str, Any]:
    """DetectModerationLabels + HumanLoopConfig, replayed from a saved request/response."""
    return _post(target, "/_a2i/builtin/rekognition/detect-moderation-labels", request, response,
                 flow_definition_arn, human_loop_name, data_attributes, options)
