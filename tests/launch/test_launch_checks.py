"""Bad input is refused before any call, naming the item; numpy/pandas values are converted."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from a2i_kit.errors import InputError
from a2i_kit.launch import MAX_INPUT_CHARS, build_jobs, launch_loops

FLOW = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f"
OVERHEAD = len('{"item_id":"big","text":""}')


class Thing:
    pass


def frame(**cols) -> pd.DataFrame:
    base = {"item_id": ["a", "b"], "text": ["x", "y"]}
    base.update(cols)
    return pd.DataFrame(base)


BAD = [
    ("missing id column", frame().rename(columns={"item_id": "id"}), {},
     "id column 'item_id' not found; available: ['id', 'text']"),
    ("duplicate ids", frame(item_id=["a", "a"]), {},
     "item 'a': duplicate item id (also at row 0)"),
    ("numeric duplicates", frame(item_id=pd.Series([7, "7"], dtype=object)), {},
     "item '7': duplicate item id"),
    ("empty id", frame(item_id=["a", None]), {}, "a row has an empty 'item_id'"),
    ("bytes value", frame(text=["x", b"raw"]), {},
     "item 'b': field 'text' is bytes; put the object in S3"),
    ("set value", frame(text=["x", {1, 2}]), {}, "item 'b': field 'text' is a set, which has no JSON form"),
    ("object value", frame(text=[Thing(), "y"]), {}, "item 'a': field 'text' is a Thing"),
    ("infinite value", frame(text=[1.0, float("inf")]), {}, "item 'b': field 'text' is infinite"),
    ("nested bad key", frame(text=[{"k": {(1, 2): 3}}, "y"]), {},
     "item 'a': field 'text.k' has a non-string key (1, 2)"),
    ("3 MiB + 1", pd.DataFrame({"item_id": ["big"], "text": ["z" * (MAX_INPUT_CHARS + 1 - OVERHEAD)]}),
     {}, "item 'big': the input is 3,145,729 characters of JSON; InputContent allows at most 3,145,728"),
    ("missing input column", frame(), {"input_cols": ["text", "image"]},
     "input column(s) ['image'] not found"),
    ("input_fn not a dict", frame(), {"input_fn": lambda row: [row["text"]]},
     "item 'a': the input must be a JSON object (dict), got list"),
    ("unknown classifier", frame(), {"data_attributes": ["FreeOfPII"]},
     "item 'a': unknown content classifier(s) ['FreeOfPII']"),
    ("bad data attributes", frame(), {"data_attributes": {"Classifiers": []}},
     "DataAttributes must be {'ContentClassifiers': [...]}"),
    ("public crowd without PII flag", frame(), {"public_crowd": True},
     "item 'a': the flow definition's workteam is the public crowd (Mechanical Turk)"),
    ("public crowd, adult flag only", frame(), {"public_crowd": True,
                                                "data_attributes": ["FreeOfAdultContent"]},
     "only receives tasks declared 'FreeOfPersonallyIdentifiableInformation'"),
]


@pytest.mark.parametrize(("case", "df", "kw", "message"), BAD, ids=[c[0] for c in BAD])
def test_bad_input_table(case, df, kw, message):
    with pytest.raises(InputError) as err:
        build_jobs(df, flow_definition_arn=FLOW, **kw)
    assert message in str(err.value), case


def test_every_failing_item_is_listed_once():
    df = pd.DataFrame({"item_id": [f"i{k}" for k in range(14)], "v": [b"x"] * 14})
    with pytest.raises(InputError) as err:
        build_jobs(df, flow_definition_arn=FLOW)
    text = str(err.value)
    assert text.startswith("14 item(s) cannot be launched; nothing was started:")
    assert "item 'i9'" in text
    assert "item 'i10'" not in text
    assert "... and 4 more" in text
    assert len(err.value.problems) == 14


def test_exactly_the_limit_is_accepted():
    df = pd.DataFrame({"item_id": ["big"], "text": ["z" * (MAX_INPUT_CHARS - OVERHEAD)]})
    (job,) = build_jobs(df, flow_definition_arn=FLOW)
    assert len(job.input_content) == MAX_INPUT_CHARS


def test_numpy_and_pandas_values_are_converted_not_rejected():
    df = pd.DataFrame({"item_id": np.array([1, 2], dtype=np.int64),
                       "score": np.array([0.5, np.nan], dtype=np.float32),
                       "flag": np.array([True, False]),
                       "when": pd.to_datetime(["2026-01-02", None]),
                       "tags": [np.array(["a", "b"]), []],
                       "review": [True, True], "reason": ["x", "y"], "audit": [False, False]})
    first, second = build_jobs(df, flow_definition_arn=FLOW)
    assert json.loads(first.input_content) == {"item_id": 1, "score": 0.5, "flag": True,
                                               "when": "2026-01-02T00:00:00", "tags": ["a", "b"]}
    assert json.loads(second.input_content) == {"item_id": 2, "score": None, "flag": False,
                                                "when": None, "tags": []}
    assert first.key == "1"


def test_classifier_shorthand_and_callable():
    jobs = build_jobs(frame(), flow_definition_arn=FLOW, public_crowd=True,
                      data_attributes=lambda row: ["FreeOfPersonallyIdentifiableInformation"] * (row["item_id"] != ""))
    assert jobs[0].data_attributes == {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]}


def test_bad_rows_start_nothing_on_the_service(flow, runtime_client, session, tmp_path,
                                                loop_names):
    df = pd.DataFrame({"item_id": [f"i{k}" for k in range(5)], "text": ["ok"] * 4 + [b"bytes"]})
    with pytest.raises(InputError, match="item 'i4': field 'text' is bytes"):
        launch_loops(session, df, flow_definition_arn=flow["flow_definition_arn"],
                     ledger=tmp_path / "l.sqlite3", progress=False)
    assert loop_names(runtime_client, flow["flow_definition_arn"]) == []
