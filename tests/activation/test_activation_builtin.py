"""/_a2i/builtin entry points over HTTP: evaluation, loop start, inputContent layout, errors."""

from __future__ import annotations

import json
from types import SimpleNamespace

import httpx
import pytest

from a2i_kit.activation import (
    REKOGNITION_SOURCE,
    TEXTRACT_SOURCE,
    analyze_document_with_review,
    conditions,
    detect_moderation_labels_with_review,
    form_key_check,
    missing_form_key,
    moderation_check,
)
from a2i_kit.activation.samples import load_sample
from a2i_kit.errors import ServiceError

MOD = load_sample("rekognition_moderation")
INV = load_sample("textract_invoice")


def stored_input(service, name: str) -> dict:
    return json.loads(service.context.store.loops.get(name)["doc"]["InputContent"])


def test_rekognition_loop_starts_with_the_builtin_input_layout(service, builtin_flow, runtime_client):
    arn = builtin_flow("mod", REKOGNITION_SOURCE, conditions(moderation_check("*", lt=80)))
    out = detect_moderation_labels_with_review(service.url, MOD["request"], MOD["response"],
                                               flow_definition_arn=arn, human_loop_name="img-5521")
    activation = out["HumanLoopActivationOutput"]
    assert activation["HumanLoopArn"].endswith(":human-loop/img-5521")
    assert activation["HumanLoopActivationReasons"] == ["ConditionsEvaluation"]
    results = json.loads(activation["HumanLoopActivationConditionsEvaluationResults"])
    assert results["Conditions"][0]["EvaluationResult"] is True
    assert out["ModerationModelVersion"] == "7.0"
    assert "ResponseMetadata" not in out
    assert runtime_client.describe_human_loop(HumanLoopName="img-5521")["HumanLoopStatus"] == "InProgress"
    content = stored_input(service, "img-5521")
    assert sorted(content) == ["aiServiceRequest", "aiServiceResponse", "humanTaskActivationConditionResults",
                               "selectedAiServiceResponse"]
    assert content["aiServiceRequest"]["image"]["s3Object"]["name"] == "uploads/img-5521.jpg"
    assert content["aiServiceRequest"]["humanLoopConfig"] == {"humanLoopName": "img-5521",
                                                              "flowDefinitionArn": arn}
    assert [lab["name"] for lab in content["selectedAiServiceResponse"]["moderationLabels"]] == \
        ["Weapons", "Violence", "Suggestive"]
    assert len(content["aiServiceResponse"]["moderationLabels"]) == 4
    assert content["humanTaskActivationConditionResults"] == results
    doc = service.context.store.loops.get("img-5521")["doc"]
    assert doc["AwsManagedHumanLoopRequestSource"] == REKOGNITION_SOURCE


def test_no_loop_when_conditions_do_not_hold(service, builtin_flow, runtime_client):
    arn = builtin_flow("mod-strict", REKOGNITION_SOURCE, conditions(moderation_check("*", gt=99)))
    out = detect_moderation_labels_with_review(SimpleNamespace(endpoint_url=service.url), MOD["request"],
                                               MOD["response"], flow_definition_arn=arn, human_loop_name="img-2")
    activation = out["HumanLoopActivationOutput"]
    assert "HumanLoopArn" not in activation
    assert activation["HumanLoopActivationReasons"] == ["ConditionsNotMet"]
    assert runtime_client.list_human_loops(FlowDefinitionArn=arn)["HumanLoopSummaries"] == []


def test_textract_loop_carries_important_form_keys(service, builtin_flow):
    arn = builtin_flow("forms", TEXTRACT_SOURCE,
                       conditions(form_key_check("Total:", aliases=["Amount Due"], kv_lt=70),
                                  missing_form_key("Due Date")))
    out = analyze_document_with_review(service.url, INV["request"], INV["response"], flow_definition_arn=arn,
                                       human_loop_name="invoice-42",
                                       data_attributes={"ContentClassifiers": ["FreeOfAdultContent"]})
    assert out["HumanLoopActivationOutput"]["HumanLoopArn"].endswith("/invoice-42")
    content = stored_input(service, "invoice-42")
    assert content["humanLoopContext"] == {"importantFormKeys": [
        {"importantFormKey": "Total:", "importantFormKeyAliases": ["Amount Due"]},
        {"importantFormKey": "Due Date", "importantFormKeyAliases": []}]}
    kinds = sorted(b["blockType"] for b in content["selectedAiServiceResponse"]["blocks"])
    assert kinds == ["KEY_VALUE_SET", "KEY_VALUE_SET", "PAGE", "WORD", "WORD"]
    assert content["aiServiceRequest"]["featureTypes"] == ["FORMS"]
    doc = service.context.store.loops.get("invoice-42")["doc"]
    assert doc["DataAttributes"] == {"ContentClassifiers": ["FreeOfAdultContent"]}


def test_flow_without_activation_config_always_starts(service, builtin_flow):
    arn = builtin_flow("forms-all", TEXTRACT_SOURCE, None)
    out = analyze_document_with_review(service.url, INV["request"], INV["response"],
                                       flow_definition_arn=arn, human_loop_name="always-1")
    assert out["HumanLoopActivationOutput"]["HumanLoopActivationReasons"] == ["NoActivationConditions"]
    assert len(stored_input(service, "always-1")["selectedAiServiceResponse"]["blocks"]) == len(INV["response"]["Blocks"])


def test_options_change_the_semantics(service, builtin_flow):
    arn = builtin_flow("forms-words", TEXTRACT_SOURCE, conditions(form_key_check("Total:", word_lt=80)))
    each = analyze_document_with_review(service.url, INV["request"], INV["response"], flow_definition_arn=arn,
                                        human_loop_name="w-each", options={"word_mode": "each"})
    anyw = analyze_document_with_review(service.url, INV["request"], INV["response"], flow_definition_arn=arn,
                                        human_loop_name="w-any")
    assert "HumanLoopArn" not in each["HumanLoopActivationOutput"]
    assert "HumanLoopArn" in anyw["HumanLoopActivationOutput"]


@pytest.mark.parametrize(("case", "mutate", "status", "code", "message"), [
    ("wrong source", lambda b, _a: b, 400, "InvalidParameterException",
     "has request source AWS/Textract/AnalyzeDocument/Forms/V1; this call needs a flow definition created "
     "with AWS/Rekognition/DetectModerationLabels/Image/V3"),
    ("uppercase name", lambda b, a: {**b, "HumanLoopConfig": {"HumanLoopName": "Img-1", "FlowDefinitionArn": a}},
     400, "InvalidParameterException", "Value 'Img-1' at 'humanLoopConfig.humanLoopName' failed to satisfy"),
    ("unknown flow", lambda b, a: {**b, "HumanLoopConfig": {"HumanLoopName": "x",
                                                            "FlowDefinitionArn": a + "-nope"}},
     404, "ResourceNotFoundException", "-nope' does not exist."),
    ("no config", lambda b, _a: {"Request": b["Request"], "Response": b["Response"]}, 400,
     "InvalidParameterException", "HumanLoopConfig is required"),
    ("no response", lambda b, _a: {**b, "Response": None}, 400, "InvalidParameterException",
     'send {"Request": {...}, "Response": {...}'),
    ("textract body", lambda b, _a: {**b, "Response": {"Blocks": []}}, 400, "InvalidParameterException",
     "the Rekognition response has no 'ModerationLabels' list"),
])
def test_errors(service, builtin_flow, case, mutate, status, code, message):
    text_arn = builtin_flow("forms-err", TEXTRACT_SOURCE, None)
    mod_arn = builtin_flow("mod-err", REKOGNITION_SOURCE, None)
    arn = text_arn if case == "wrong source" else mod_arn
    body = {"Request": MOD["request"], "Response": MOD["response"],
            "HumanLoopConfig": {"HumanLoopName": "x", "FlowDefinitionArn": arn}}
    answer = httpx.post(service.url + "/_a2i/builtin/rekognition/detect-moderation-labels", json=mutate(body, arn))
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert message in answer.json()["error"]


def test_same_name_other_input_is_a_conflict(service, builtin_flow):
    arn = builtin_flow("mod-conflict", REKOGNITION_SOURCE, None)
    detect_moderation_labels_with_review(service.url, MOD["request"], MOD["response"],
                                         flow_definition_arn=arn, human_loop_name="dup")
    other = {**MOD["response"], "ModerationLabels": MOD["response"]["ModerationLabels"][:1]}
    with pytest.raises(ServiceError, match="ConflictException: HumanLoop 'dup' is already active"):
        detect_moderation_labels_with_review(service.url, MOD["request"], other,
                                             flow_definition_arn=arn, human_loop_name="dup")
