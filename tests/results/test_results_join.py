"""Joining results to predictions, keys, and incremental reads of a local mirror."""

from __future__ import annotations

import pandas as pd
import pytest

from a2i_kit.errors import InputError
from a2i_kit.results import Results, flow_prefix, join_predictions, key_parts
from a2i_kit.results.synthetic import generate, write_mirror


@pytest.fixture
def answers() -> pd.DataFrame:
    return pd.DataFrame({"task": ["l1", "l2", "l3"], "worker": ["w"] * 3, "label": ["a", "b", "a"],
                         "input.item_id": ["1", "2", "9"]})  # fmt: skip


def test_join_matches_string_ids_to_integer_ids(answers):
    preds = pd.DataFrame(
        {"item_id": [1, 2, 3], "model_label": ["a", "a", "b"], "confidence": [0.9, 0.4, 0.7]}
    )
    joined = join_predictions(answers, preds, on="item_id")
    assert joined["model_label"].tolist()[:2] == ["a", "a"]
    assert pd.isna(joined.loc[2, "model_label"])  # item 9 has no prediction (left join)
    assert joined["task"].tolist() == ["l1", "l2", "l3"]


@pytest.mark.parametrize(
    ("preds", "kw", "message"),
    [
        (
            pd.DataFrame({"id": [1]}),
            {},
            "predictions have no column 'item_id'; pass predictions_on=",
        ),
        (
            pd.DataFrame({"item_id": [1, 1]}),
            {},
            "predictions repeat item id 1: keep one row per item",
        ),
    ],
)
def test_join_errors(answers, preds, kw, message):
    with pytest.raises(InputError, match=message):
        join_predictions(answers, preds, on="item_id", **kw)


def test_join_names_the_input_fields_when_the_id_is_missing(answers):
    with pytest.raises(InputError, match=r"no item id 'doc' in the results.*input\.item_id"):
        join_predictions(answers, pd.DataFrame({"doc": [1]}), on="doc")


def test_key_parts_and_prefix():
    assert flow_prefix("s3://b/out/", "fd") == "s3://b/out/fd/"
    assert flow_prefix("s3://b", "fd") == "s3://b/fd/"
    parts = key_parts("s3://b/a2i-results/fd/2021/02/17/19/20/38/loop-9/output.json")
    assert parts == ("fd", "2021-02-17T19:20:38Z", "loop-9")
    assert key_parts("s3://b/x/output.json") == (None, None, None)


def test_mirror_sync_is_incremental_and_prefix_scoped(tmp_path):
    review = generate(300, seed=3, threshold=1.01, audit_rate=0.0, pending_share=0.0)
    outputs = review.outputs
    write_mirror(tmp_path, outputs[:100])
    write_mirror(tmp_path, [("s3://demo-bucket/a2i-output/other-flow/2026/11/02/08/00/00/x/output.json",
                             outputs[0][1])])  # fmt: skip
    res = Results.from_mirror(
        tmp_path, flow_prefix("s3://demo-bucket/a2i-output", "ticket-triage")
    ).sync()
    assert len(res.loops) == 100
    write_mirror(tmp_path, outputs[100:150])
    res.sync()
    assert res.last_sync_count == 50
    assert len(res.loops) == 150
    assert res.loops["human_loop_name"].is_unique
    res.sync()
    assert res.last_sync_count == 0
