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


def test_longest_output_key_is_exactly_what_the_writer_produces():
    from a2i_kit.service.door_s3 import MAX_KEY_BYTES, s3_output_path_errors
    from a2i_kit.service.outputs import output_uri

    flow = "f" * 63
    fixed = len(f"/{flow}/") + 19 + 1 + 63 + len("/output.json")
    prefix = "p" * (MAX_KEY_BYTES - fixed)
    prefix = "/".join(prefix[i:i + 200] for i in range(0, len(prefix), 200))[: MAX_KEY_BYTES - fixed]
    assert s3_output_path_errors(f"s3://bucket-ok/{prefix}", flow) == []
    key = output_uri(f"s3://bucket-ok/{prefix}", flow, 1709647329.417, "l" * 63).split("/", 3)[3]
    assert len(key.encode()) == MAX_KEY_BYTES
    [error] = s3_output_path_errors(f"s3://bucket-ok/{prefix}x", flow)
    assert "the longest output key would be 1025 bytes" in error


@pytest.mark.parametrize("path", ["s3://bucket-ok", "s3://bucket-ok/", "s3://a.b-c/x/y/", "s3://123/out",
                                  "https://s3.us-east-1.amazonaws.com/bucket-ok/p",
                                  "https://bucket-ok.s3.us-east-1.amazonaws.com/p", "s3://bucket-ok/é/日本"])
def test_valid_output_paths(path):
    from a2i_kit.service.door_s3 import s3_output_path_errors

    assert s3_output_path_errors(path, "flow") == []
