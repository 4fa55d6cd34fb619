"""Loop names are valid, short, deterministic and distinct for any item id."""

from __future__ import annotations

import numpy as np
import pytest

from a2i_kit.launch import NAME_PATTERN, loop_name
from a2i_kit.launch.names import MAX_NAME, item_key

FLOW = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/claims-review"
LONG_FLOW = "f" + "-x" * 31  # 63 chars, the longest flow definition name

IDS = ["a", "A", "Ticket #42", "ticket-42", "ticket 42", "", " ", "---", "!!!", "_", "ünïcödé",
       "日本語のテキスト", "🙂🙃", "x" * 500, "é" * 300, "a/b\\c?d=e&f", "line\nbreak", "tab\there",
       "-leading", "trailing-", "UPPER_CASE", "a--b", "0", "123456789012345678901234567890",
       "s3://bucket/key.jpg", "👍" * 100, "\x00nul", "O'Brien", '"quoted"', "a" * 62 + "!"]


@pytest.mark.parametrize("flow", [FLOW, "reviews", LONG_FLOW, "UPPER flow!"])
@pytest.mark.parametrize("item", IDS)
def test_every_id_gives_a_valid_name(flow, item):
    name = loop_name(flow, item)
    assert NAME_PATTERN.match(name), name
    assert 1 <= len(name) <= MAX_NAME
    assert name == loop_name(flow, item)


def test_names_are_distinct_even_when_slugs_collide_or_are_cut():
    names = {loop_name(FLOW, item) for item in IDS}
    assert len(names) == len(IDS)
    long_a, long_b = "x" * 500 + "a", "x" * 500 + "b"
    assert loop_name(FLOW, long_a) != loop_name(FLOW, long_b)
    assert loop_name(FLOW, "A b") != loop_name(FLOW, "a-b")


def test_the_flow_takes_part_in_the_name():
    assert loop_name(FLOW, "item-1") != loop_name(FLOW.replace("claims", "other"), "item-1")
    assert loop_name(FLOW, "item-1") == loop_name("claims-review", "item-1")  # ARN or name alike


def test_names_are_pinned_and_readable():
    assert loop_name(FLOW, "Ticket #42") == "claims-review-ticket-42-a2b3vbgs2koo"
    assert loop_name(FLOW, "Ticket #42", prefix="run2").startswith("run2-ticket-42-")
    assert loop_name(FLOW, "日本語").startswith("claims-review-")


def test_numeric_ids_agree_across_types():
    assert item_key(np.int64(7)) == item_key(7) == item_key(7.0) == item_key("7") == "7"
    assert loop_name(FLOW, np.int64(7)) == loop_name(FLOW, "7")
    assert item_key(7.5) == "7.5"
