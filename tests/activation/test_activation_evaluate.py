"""evaluate_conditions against the saved samples: each condition type, boundaries, wildcards."""

from __future__ import annotations

import copy
import json

import pytest

from a2i_kit.activation import REKOGNITION_SOURCE as REK
from a2i_kit.activation import TEXTRACT_SOURCE as TEX
from a2i_kit.activation import (
    And,
    Or,
    conditions,
    form_key_check,
    missing_form_key,
    moderation_check,
    sampling,
)
from a2i_kit.activation.evaluate import EvaluationOptions, evaluate_conditions, sampling_draw
from a2i_kit.activation.samples import load_sample
from a2i_kit.errors import InputError

FLOW = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/forms"
MOD = load_sample("rekognition_moderation")
INV = load_sample("textract_invoice")


def labels(ev) -> list[str]:
    return [lab["Name"] for lab in ev.selected_response["ModerationLabels"]]


def rek(*nodes, **options):
    return evaluate_conditions(REK, conditions(*nodes), MOD["response"], request=MOD["request"],
                               flow_definition_arn=FLOW, options=EvaluationOptions(**options))


def tex(*nodes, **options):
    return evaluate_conditions(TEX, conditions(*nodes), INV["response"], request=INV["request"],
                               flow_definition_arn=FLOW, options=EvaluationOptions(**options))


# Weapons 71.2, Violence 71.2, Suggestive 55.0, Revealing Clothes 92.4
MODERATION_CASES = [
    (moderation_check("Weapons", lt=71.2), False, []),
    (moderation_check("Weapons", le=71.2), True, ["Weapons"]),
    (moderation_check("Weapons", eq=71.2), True, ["Weapons"]),
    (moderation_check("Weapons", gt=71.2), False, []),
    (moderation_check("Weapons", ge=71.2), True, ["Weapons"]),
    (moderation_check("Weapons", lt=71.3), True, ["Weapons"]),
    (moderation_check("weapons", le=100), False, []),  # exact, case-sensitive
    (moderation_check("*", lt=60), True, ["Suggestive"]),
    (moderation_check("*", lt=80), True, ["Weapons", "Violence", "Suggestive"]),
    (moderation_check("*", gt=92.4), False, []),
    (moderation_check("Suggestive", gt=50, lt=60), True, ["Suggestive"]),  # two bounds, one label
    (moderation_check("Suggestive", gt=60, lt=99), False, []),
]


@pytest.mark.parametrize(("node", "activated", "selected"), MODERATION_CASES)
def test_moderation_label_confidence_check(node, activated, selected):
    ev = rek(node)
    assert ev.activated is activated
    assert labels(ev) == selected
    assert ev.condition_results["Conditions"][0]["EvaluationResult"] is activated
    assert ev.selected_response["ModerationModelVersion"] == "7.0"
    assert "ResponseMetadata" not in ev.selected_response


def test_and_intersects_inferences_by_default_and_unions_in_document_mode():
    tree = And(moderation_check("Weapons", lt=80), moderation_check("Revealing Clothes", gt=90))
    assert rek(tree).activated is False
    doc = rek(tree, and_mode="document")
    assert doc.activated is True
    assert labels(doc) == ["Weapons", "Revealing Clothes"]
    band = rek(And(moderation_check("*", gt=60), moderation_check("*", lt=80)))
    assert labels(band) == ["Weapons", "Violence"]


def test_every_node_is_evaluated_without_short_circuit():
    ev = rek(Or(moderation_check("*", lt=60), moderation_check("Weapons", gt=99)),
             moderation_check("Violence", le=71.2))
    top = ev.condition_results["Conditions"]
    assert top[0]["EvaluationResult"] is True
    assert [c["EvaluationResult"] for c in top[0]["Or"]] == [True, False]
    assert top[1]["EvaluationResult"] is True
    assert top[1]["ConditionParameters"] == {"ModerationLabelName": "Violence",
                                             "ConfidenceLessThanEquals": 71.2}
    assert labels(ev) == ["Violence", "Suggestive"]
    out = ev.activation_output("arn:aws:sagemaker:us-east-1:111122223333:human-loop/x")
    assert out["HumanLoopActivationReasons"] == ["ConditionsEvaluation"]
    assert json.loads(out["HumanLoopActivationConditionsEvaluationResults"]) == ev.condition_results


def test_sampling_is_deterministic_per_flow_and_request_and_respects_the_draw():
    draw = sampling_draw(FLOW, MOD["request"], "Conditions[0]")
    assert draw == sampling_draw(FLOW, copy.deepcopy(MOD["request"]), "Conditions[0]")
    assert draw != sampling_draw(FLOW.replace("forms", "other"), MOD["request"], "Conditions[0]")
    above, below = min(100.0, draw + 0.01), draw
    assert rek(sampling(above)).activated is True
    assert labels(rek(sampling(above))) == ["Weapons", "Violence", "Suggestive", "Revealing Clothes"]
    assert rek(sampling(below)).activated is (draw < below)  # strict: draw < percentage
    assert rek(sampling(100)).activated is True


def test_sampling_ignores_the_human_loop_name_and_hits_the_asked_share():
    request = {**MOD["request"], "HumanLoopConfig": {"HumanLoopName": "a", "FlowDefinitionArn": FLOW}}
    other = {**request, "HumanLoopConfig": {"HumanLoopName": "b", "FlowDefinitionArn": FLOW}}
    text = conditions(sampling(30))
    one = evaluate_conditions(REK, text, MOD["response"], request=request, flow_definition_arn=FLOW)
    two = evaluate_conditions(REK, text, MOD["response"], request=other, flow_definition_arn=FLOW)
    assert one.activated == two.activated
    hits = sum(
        evaluate_conditions(REK, text, MOD["response"], flow_definition_arn=FLOW,
                            request={"Image": {"S3Object": {"Bucket": "b", "Name": f"{i}.jpg"}}}).activated
        for i in range(2000))
    assert 0.26 < hits / 2000 < 0.34


def test_and_sampling_check_samples_among_matching_inferences_only():
    hit = rek(And(sampling(100), moderation_check("*", lt=60)))
    assert hit.activated is True
    assert labels(hit) == ["Suggestive"]
    assert rek(And(sampling(100), moderation_check("*", lt=10))).activated is False
    either = rek(Or(sampling(100), moderation_check("*", lt=60)))
    assert len(labels(either)) == 4


# Invoice Number: kv 95.5; Invoice Date: 88; Total: kv 62 words (97, 71);
# Mail Address: 79.5; Signature: kv 45 words (90,)
FORM_CASES = [
    (form_key_check("Total:", kv_lt=62), {}, False, []),
    (form_key_check("Total:", kv_le=62), {}, True, ["Total:"]),
    (form_key_check("Total:", kv_eq=62), {}, True, ["Total:"]),
    (form_key_check("Total:", kv_gt=61.99), {}, True, ["Total:"]),
    (form_key_check("Total:", kv_ge=62.01), {}, False, []),
    (form_key_check("Amount Due", aliases=["Total:"], kv_lt=70), {}, True, ["Total:"]),
    (form_key_check("total", kv_lt=70), {}, False, []),
    (form_key_check("total", kv_lt=70), {"key_match": "normalized"}, True, ["Total:"]),
    (form_key_check("*", kv_lt=50), {}, True, ["Signature:"]),
    (form_key_check("*", kv_lt=90), {}, True, ["Invoice Date:", "Total:", "Mail Address:", "Signature:"]),
    (form_key_check("Total:", word_lt=80), {}, True, ["Total:"]),
    (form_key_check("Total:", word_lt=80), {"word_mode": "each"}, False, []),
    (form_key_check("Total:", word_lt=71), {}, False, []),
    (form_key_check("Signature:", word_ge=90), {"word_mode": "each"}, True, ["Signature:"]),
    (form_key_check("Total:", kv_lt=70, word_lt=80), {}, True, ["Total:"]),
    (form_key_check("Total:", kv_lt=70, word_gt=98), {}, False, []),
    (missing_form_key("Due Date"), {}, True, []),
    (missing_form_key("Due Date", aliases=["Total:"]), {}, False, []),
    (missing_form_key("*"), {}, False, []),
]


def selected_keys(ev) -> list[str]:
    blocks = ev.selected_response["Blocks"]
    by_id = {b["Id"]: b for b in blocks}
    keys = []
    for b in blocks:
        if b["BlockType"] == "KEY_VALUE_SET" and b["EntityTypes"] == ["KEY"]:
            ids = [i for r in b.get("Relationships", []) if r["Type"] == "CHILD" for i in r["Ids"]]
            keys.append(" ".join(by_id[i]["Text"] for i in ids))
    return keys


@pytest.mark.parametrize(("node", "options", "activated", "keys"), FORM_CASES)
def test_form_key_conditions(node, options, activated, keys):
    ev = tex(node, **options)
    assert ev.activated is activated
    if activated:
        assert selected_keys(ev) == keys
        assert any(b["BlockType"] == "PAGE" for b in ev.selected_response["Blocks"])


def test_missing_wildcard_fires_on_a_document_without_pairs():
    response = {"Blocks": [{"Id": "p", "BlockType": "PAGE"}], "DocumentMetadata": {"Pages": 1}}
    ev = evaluate_conditions(TEX, conditions(missing_form_key("*")), response, flow_definition_arn=FLOW)
    assert ev.activated is True
    assert ev.selected_response["Blocks"] == [{"Id": "p", "BlockType": "PAGE"}]


def test_selected_blocks_hold_the_pair_words_and_value():
    ev = tex(form_key_check("Total:", kv_lt=70))
    kinds = sorted(b["BlockType"] for b in ev.selected_response["Blocks"])
    assert kinds == ["KEY_VALUE_SET", "KEY_VALUE_SET", "PAGE", "WORD", "WORD"]
    everything = tex(sampling(100))
    assert len(everything.selected_response["Blocks"]) == len(INV["response"]["Blocks"])


def test_no_activation_config_always_starts_a_loop():
    ev = evaluate_conditions(TEX, None, INV["response"], flow_definition_arn=FLOW)
    assert ev.activated is True
    assert ev.reasons == ["NoActivationConditions"]
    assert ev.condition_results == {"Conditions": []}


def test_not_activated_reports_false_results():
    ev = tex(form_key_check("*", kv_gt=99))
    assert ev.activated is False
    assert ev.reasons == ["ConditionsNotMet"]
    assert "HumanLoopArn" not in ev.activation_output()


@pytest.mark.parametrize(("source", "conds", "response", "message"), [
    (REK, conditions(And(sampling(1))), MOD["response"], "And must contain at least 2 conditions"),
    (REK, conditions(form_key_check("*", kv_lt=5)), MOD["response"], "is not supported for"),
    (TEX, conditions(sampling(5)), MOD["response"], "the Textract response has no 'Blocks' list"),
    (REK, conditions(sampling(5)), {"moderationLabels": []}, "has no 'ModerationLabels' list"),
    ("AWS/Foo", conditions(sampling(5)), {}, "unknown request source 'AWS/Foo'"),
])
def test_bad_inputs_raise_input_error(source, conds, response, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        evaluate_conditions(source, conds, response, flow_definition_arn=FLOW)
