"""validate_conditions: every rule with the message a user sees."""

from __future__ import annotations

import json

import pytest

from a2i_kit.activation import (
    REKOGNITION_SOURCE as REK,
)
from a2i_kit.activation import (
    TEXTRACT_SOURCE as TEX,
)
from a2i_kit.activation import (
    And,
    Or,
    conditions,
    form_key_check,
    format_problems,
    missing_form_key,
    moderation_check,
    sampling,
    validate_conditions,
)
from a2i_kit.errors import InputError


def doc(*nodes) -> str:
    return json.dumps({"Conditions": list(nodes)})


def simple(ctype: str, **params) -> dict:
    return {"ConditionType": ctype, "ConditionParameters": params}


VALID = [
    (REK, doc(simple("Sampling", RandomSamplingPercentage=0.01))),
    (REK, doc(simple("Sampling", RandomSamplingPercentage=100))),
    (REK, conditions(moderation_check("*", lt=80))),
    (REK, conditions(Or(moderation_check("Weapons", ge=0), And(sampling(5), moderation_check("*", le=100))))),
    (TEX, conditions(form_key_check("Total", aliases=["Amount Due"], kv_lt=80, word_lt=90))),
    (TEX, conditions(missing_form_key("Date"), sampling(1))),
    (TEX, conditions(Or(form_key_check("*", kv_gt=0), And(sampling(2.5), form_key_check("*", kv_ge=80))))),
]


@pytest.mark.parametrize(("source", "text"), VALID)
def test_valid_documents_have_no_problems(source, text):
    assert validate_conditions(source, text) == []


INVALID = [
    ("custom type", None, doc(simple("Sampling", RandomSamplingPercentage=5)),
     "only supported for built-in task types"),
    ("unknown source", "AWS/Foo", doc(), "Member must satisfy enum value set"),
    ("dict not string", REK, {"Conditions": []}, "expected a JSON string (use json.dumps), got dict"),
    ("not json", REK, "{nope", "the value is not valid JSON"),
    ("no Conditions", REK, "{}", 'must be a JSON object with a "Conditions" array'),
    ("empty Conditions", REK, doc(), "Conditions must contain at least 1 condition"),
    ("too long", REK, doc(*[simple("Sampling", RandomSamplingPercentage=5)] * 300),
     "Member must have length less than or equal to 10240"),
    ("and with one child", REK, doc({"And": [simple("Sampling", RandomSamplingPercentage=5)]}),
     "Conditions[0].And must contain at least 2 conditions, found 1."),
    ("or not list", REK, doc({"Or": {}}), "Conditions[0].Or must be an array of conditions."),
    ("nesting 3", REK, doc(Or(And(Or(sampling(1), sampling(2)), sampling(3)), sampling(4))),
     "Conditions[0].Or[0].And[0].Or nests logical operators more than 2 levels deep"),
    ("wrong type for source", REK, conditions(form_key_check("Total", kv_lt=5)),
     "Conditions[0].ConditionType 'ImportantFormKeyConfidenceCheck' is not supported for "
     "AWS/Rekognition/DetectModerationLabels/Image/V3"),
    ("textract moderation", TEX, conditions(moderation_check("*", lt=5)),
     "'ModerationLabelConfidenceCheck' is not supported"),
    ("missing ConditionType", REK, doc({"ConditionParameters": {}}), 'needs a "ConditionType"'),
    ("both and and type", REK, doc({"And": [], "ConditionType": "Sampling"}),
     'must hold exactly one of "And", "Or" or a ConditionType'),
    ("threshold > 100", REK, conditions(moderation_check("*", lt=100.5)),
     "ConditionParameters.ConfidenceLessThan must be between 0 and 100, got 100.5."),
    ("threshold < 0", TEX, conditions(form_key_check("*", word_ge=-1)),
     "WordBlockConfidenceGreaterThanEquals must be between 0 and 100, got -1."),
    ("threshold string", REK, doc(simple("ModerationLabelConfidenceCheck", ModerationLabelName="*",
                                         ConfidenceLessThan="80")),
     'ConfidenceLessThan must be a number, got "80".'),
    ("threshold bool", REK, doc(simple("ModerationLabelConfidenceCheck", ModerationLabelName="*",
                                       ConfidenceLessThan=True)), "must be a number, got true"),
    ("no bound", REK, conditions(moderation_check("*")), "needs at least one confidence bound"),
    ("sampling too small", REK, conditions(sampling(0.009)),
     "RandomSamplingPercentage must be between 0.01 and 100, got 0.009."),
    ("sampling > 100", TEX, conditions(sampling(100.01)), "must be between 0.01 and 100"),
    ("sampling missing", TEX, doc(simple("Sampling")), "RandomSamplingPercentage is required."),
    ("unknown parameter", REK, doc(simple("Sampling", RandomSamplingPercentage=5, Foo=1)),
     "unknown parameter(s) ['Foo'] for Sampling"),
    ("key not string", TEX, doc(simple("MissingImportantFormKey", ImportantFormKey=3)),
     "ImportantFormKey is required and must be a non-empty string."),
    ("aliases not list", TEX, doc(simple("MissingImportantFormKey", ImportantFormKey="a",
                                         ImportantFormKeyAliases="b")),
     "ImportantFormKeyAliases must be an array of non-empty strings."),
    ("label missing", REK, doc(simple("ModerationLabelConfidenceCheck", ConfidenceLessThan=5)),
     "ModerationLabelName is required"),
]


@pytest.mark.parametrize(("case", "source", "text", "message"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_documents_are_reported(case, source, text, message):
    problems = validate_conditions(source, text)
    assert problems, case
    assert any(message in p for p in problems), problems


def test_several_problems_are_all_reported_and_joined():
    text = conditions(moderation_check("*", lt=101), sampling(0))
    problems = validate_conditions(REK, text)
    assert len(problems) == 2
    assert format_problems(problems).startswith("2 validation errors detected: Invalid ")


def test_conditions_builder_raises_input_error_with_source():
    with pytest.raises(InputError, match=r"1 validation error detected: .*And must contain at least 2"):
        conditions(And(sampling(5)), source=REK)


def test_depth_two_is_allowed_at_the_limit():
    text = conditions(Or(And(sampling(1), sampling(2)), sampling(3)))
    assert validate_conditions(REK, text) == []
