"""The ``inputContent`` a built-in loop carries: request/response lower-camel-cased, plus results.

Layout (A2I "Output Data" page, restated): ``aiServiceRequest``, ``aiServiceResponse``,
``selectedAiServiceResponse`` (all lower-camel-cased keys), ``humanTaskActivationConditionResults``
(the condition tree, PascalCase inside) and, for Textract, ``humanLoopContext.importantFormKeys``
= ``[{"importantFormKey": ..., "importantFormKeyAliases": [...]}]`` (shape inferred from the
``keys`` attribute of ``crowd-textract-analyze-document``).

Example:
    >>> lower_camel({"ModerationLabels": [{"Name": "Gore", "ParentName": ""}], "S3Object": {"Bucket": "b"}})
    {'moderationLabels': [{'name': 'Gore', 'parentName': ''}], 's3Object': {'bucket': 'b'}}
"""

from __future__ import annotations

import base64
import json
from typing import Any

from a2i_kit.activation.evaluate import DROPPED_RESPONSE_KEYS, Evaluation
from a2i_kit.activation.schema import FORM_KEY_CHECK, MISSING_FORM_KEY, TEXTRACT_SOURCE

__all__ = ["build_input_content", "important_form_keys", "lower_camel"]


def lower_camel(value: Any) -> Any:
    """Recursively lower the first letter of every dict key; bytes become base64 text."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): lower_camel(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [lower_camel(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def important_form_keys(conditions: str | dict[str, Any] | None) -> list[dict[str, Any]]:
    """Keys named by Textract conditions (``"*"`` skipped), first occurrence wins.

    >>> important_form_keys({"Conditions": [{"ConditionType": "MissingImportantFormKey",
    ...     "ConditionParameters": {"ImportantFormKey": "Date", "ImportantFormKeyAliases": ["Dated"]}}]})
    [{'importantFormKey': 'Date', 'importantFormKeyAliases': ['Dated']}]
    """
    if conditions is None:
        return []
    tree = json.loads(conditions) if isinstance(conditions, str) else conditions
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for op in ("And", "Or"):
            for child in node.get(op, []) or []:
                walk(child)
        if node.get("ConditionType") in (FORM_KEY_CHECK, MISSING_FORM_KEY):
            params = node.get("ConditionParameters") or {}
            key = params.get("ImportantFormKey")
            if isinstance(key, str) and key != "*" and key not in found:
                found[key] = {"importantFormKey": key,
                              "importantFormKeyAliases": list(params.get("ImportantFormKeyAliases", []))}

    for top in tree.get("Conditions", []):
        walk(top)
    return list(found.values())


def build_input_content(source: str, request: dict[str, Any], response: dict[str, Any],
                        evaluation: Evaluation,
                        conditions: str | dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON object sent as ``InputContent`` for a built-in loop (serialize with json.dumps)."""
    content: dict[str, Any] = {
        "aiServiceRequest": lower_camel(request),
        "aiServiceResponse": lower_camel({k: v for k, v in response.items()
                                          if k not in DROPPED_RESPONSE_KEYS}),
        "selectedAiServiceResponse": lower_camel(evaluation.selected_response),
        "humanTaskActivationConditionResults": evaluation.condition_results,
    }
    if source == TEXTRACT_SOURCE:
        content["humanLoopContext"] = {"importantFormKeys": important_form_keys(conditions)}
    return content
