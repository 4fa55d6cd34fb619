"""The model-driven validator on its own: wording, plurals, Java regex classes, odd values."""

from __future__ import annotations

import pytest

from a2i_kit.service.protocol import ValidationException
from a2i_kit.service.validation import (
    SAGEMAKER,
    collect,
    parse_input_content,
    python_regex,
    validate,
)


def test_one_and_several_errors_are_worded_like_aws():
    with pytest.raises(ValidationException) as one:
        validate(SAGEMAKER, "DescribeFlowDefinition", {"FlowDefinitionName": "A"})
    assert str(one.value) == ("1 validation error detected: Value 'A' at 'flowDefinitionName' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: [a-z0-9](-*[a-z0-9]){0,62}")
    with pytest.raises(ValidationException) as two:
        validate(SAGEMAKER, "ListFlowDefinitions", {"MaxResults": 0, "SortOrder": "Up"})
    assert str(two.value).startswith("2 validation errors detected: ")
    assert "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; " in str(two.value)


@pytest.mark.parametrize(("key", "ok"), [("Équipe 1", True), ("team:a/b=c+d-e@f", True), ("bad!", False),
                                         ("tab\there", False)])
def test_java_unicode_classes_in_tag_keys(key, ok):
    errors = collect(SAGEMAKER, "CreateHumanTaskUi", {"HumanTaskUiName": "t", "UiTemplate": {"Content": "x"},
                                                      "Tags": [{"Key": key, "Value": "v"}]})
    assert (errors == []) is ok
    if not ok:
        assert errors[0].startswith(f"Value '{key}' at 'tags.1.member.key' failed to satisfy constraint")


def test_group_pattern_accepts_printable_names():
    regex = python_regex(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+")
    assert regex.fullmatch("reviewers-EU_2")
    assert regex.fullmatch("équipe")
    assert not regex.fullmatch("two words")


def test_deeply_nested_wrong_value_does_not_break_the_message():
    nested: list = []
    for _ in range(2000):
        nested = [nested]
    errors = collect(SAGEMAKER, "DescribeWorkteam", {"WorkteamName": nested})
    assert errors == ["Value '<deeply nested value>' at 'workteamName' failed to satisfy constraint: Member must be a string"]


def test_long_values_are_cut_in_messages():
    errors = collect(SAGEMAKER, "DescribeWorkteam", {"WorkteamName": "a" * 5000})
    assert errors[0].startswith("Value '" + "a" * 256 + "...' at 'workteamName'")


@pytest.mark.parametrize(("text", "fragment"), [
    ("{", "is not strict JSON \\(not valid JSON"), ("3", "not a JSON int"),
    ("[" * 100_000, "nested more than 64 levels deep"), ('{"a": NaN}', "holds NaN"),
    ('{"a": -Infinity}', "holds -Infinity"), ('{"a": 1e999}', "1e999 is too large for a double"),
    ('{"a": "\\udfff"}', "lone UTF-16 surrogate"),
])
def test_input_content_checks(text, fragment):
    with pytest.raises(ValidationException, match=fragment):
        parse_input_content(text)
    assert parse_input_content('{"a": [1, 2]}') == {"a": [1, 2]}
