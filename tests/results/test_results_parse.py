"""Parsing output.json of every reference shape into loops / answers frames."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from results_docs import CUSTOM, CUSTOM_URI, custom_three, shapes_doc

from a2i_kit.results import REKOGNITION_SOURCE, TEXTRACT_SOURCE, Results
from a2i_kit.results.synthetic import write_mirror
from a2i_kit.results.synthetic_docs import rekognition_output, textract_output

RK_URI = "s3://acme/mod/img-mod/2024/03/05/10/10/00/img-5521/output.json"
TX_URI = "s3://acme/forms/forms-review/2024/03/05/10/10/00/doc-0042/output.json"
THREE_URI = "s3://acme/output/ticket-triage/2024/03/05/14/00/00/tkt-3/output.json"
SHAPES_URI = "s3://acme/output/shapes/2024/03/05/14/00/01/shapes-1/output.json"


def _results(tmp_path, docs, **kw):
    write_mirror(tmp_path, docs)
    return Results.from_mirror(tmp_path, **kw).sync()


def test_custom_reference_example(tmp_path):
    res = _results(tmp_path, [(CUSTOM_URI, CUSTOM)])
    loop = res.loops.iloc[0]
    assert loop["human_loop_name"] == "tkt-20240305-0007"
    assert loop["flow_definition_name"] == "ticket-triage"
    assert loop["flow_definition_arn"] == CUSTOM["flowDefinitionArn"]
    assert loop["creation_time"] == pd.Timestamp("2024-03-05T14:05:00Z")
    assert loop["completion_time"] == pd.Timestamp("2024-03-05T14:06:12.884Z")
    assert loop["status"] == "Completed"
    assert loop["input.ticketText"] == "Cannot log in since update"
    assert loop["input.score"] == 0.41
    assert loop["output_uri"] == CUSTOM_URI
    ans = res.answers
    assert list(ans.columns[:3]) == ["task", "worker", "label"]
    row = ans.iloc[0]
    assert (row["task"], row["worker"], row["label"]) == (
        "tkt-20240305-0007",
        "0f3c9a2b7d1e4c55",
        "High",
    )
    assert row["answer.priority.label"] == "High"
    assert row["answer.notes"] == "customer is blocked"
    assert row["time_spent_seconds"] == pytest.approx(31.764)
    assert row["acceptance_time"] == pd.Timestamp("2024-03-05T14:05:41.120Z")
    assert row["worker_sub"] == "5b0e3f1c-2d4a-4b6e-9f70-1a2b3c4d5e6f"
    assert (
        row["worker_issuer"]
        == CUSTOM["humanAnswers"][0]["workerMetadata"]["identityData"]["issuer"]
    )
    assert row["identity_provider"] == "Cognito"
    assert res.problems.empty


def test_task_count_three(tmp_path):
    res = _results(tmp_path, [(THREE_URI, custom_three())])
    assert res.loops.loc[0, "task_count"] == 3
    assert res.answers["worker"].tolist() == [
        "aaaa000000000001",
        "aaaa000000000002",
        "aaaa000000000003",
    ]
    assert res.answers["label"].tolist() == ["High", "High", "Low"]
    assert res.answers["answer_index"].tolist() == [0, 1, 2]
    assert res.loops.loc[0, "completion_time"] == pd.Timestamp("2024-03-05T14:02:30.500Z")


def test_rekognition_builtin(tmp_path):
    res = _results(tmp_path, [(RK_URI, rekognition_output("img-5521", ["Weapons", "Alcohol"]))])
    loop, row = res.loops.iloc[0], res.answers.iloc[0]
    assert loop["request_source"] == REKOGNITION_SOURCE
    assert loop["input.aiServiceRequest.image.s3Object.name"] == "u/img-5521.jpg"
    assert loop["input.aiServiceResponse.moderationModelVersion"] == "3.0"
    assert row["label"] == ("Alcohol", "Weapons")
    col = f"answer.{REKOGNITION_SOURCE}.moderationLabels"
    assert [x["name"] for x in row[col]] == ["Weapons", "Alcohol"]
    assert res.problems.empty


def test_rekognition_nothing_applicable_gives_empty_label(tmp_path):
    res = _results(tmp_path, [(RK_URI, rekognition_output("img-5521", []))])
    assert res.answers.loc[0, "label"] == ()


def test_textract_builtin(tmp_path):
    res = _results(tmp_path, [(TX_URI, textract_output("doc-0042", value_text="1990-02-03"))])
    loop, row = res.loops.iloc[0], res.answers.iloc[0]
    assert loop["request_source"] == TEXTRACT_SOURCE
    assert loop["input.aiServiceRequest.featureTypes"] == ["FORMS"]
    blocks = row[f"answer.{TEXTRACT_SOURCE}.blocks"]
    assert blocks[1]["text"] == "1990-02-03"
    assert row["label"] is None  # no single main answer in a forms review
    assert res.problems.empty


def test_every_element_shape_flattens(tmp_path):
    res = _results(tmp_path, [(SHAPES_URI, shapes_doc())], item_key="item.id")
    row = res.answers.iloc[0]
    assert row["task"] == "x-9"
    assert row["item_id"] == "x-9"
    assert row["label"] == ("Business", "Sports")  # no {label}: the multi-select wins
    assert row["answer.topics.labels"] == ["Sports", "Business"]
    assert row["answer.annotatedResult.boundingBoxes"][0]["width"] == 187
    assert row["answer.annotatedResult.inputImageProperties.width"] == 800
    assert row["answer.ner.entities"][0]["endOffset"] == 10
    assert bool(row["answer.issues.blurry"]) is True
    assert bool(row["answer.issues.dark"]) is False
    assert bool(row["answer.opt_yes.yes"]) is True
    assert row["answer.pose.keypoints"][0]["label"] == "nose"
    assert row["answer.fluency"] == 4
    assert json.loads(row["answer.instances"])[0]["label"] == "PERSON"
    assert res.problems.empty


@pytest.mark.parametrize(
    ("content", "label"),
    [
        ({"c": {"label": "cat"}, "m": {"labels": ["x"]}}, "cat"),
        ({"m": {"labels": ["b", "a"]}}, ("a", "b")),
        ({"opt_yes": {"yes": False}, "opt_no": {"no": True}}, "no"),
        ({"issues": {"blurry": False, "dark": True}}, "dark"),
        ({"transcription": "hello"}, None),
    ],
)
def test_label_heuristic(tmp_path, content, label):
    doc = {"humanLoopName": "l-1", "humanAnswers": [{"workerId": "w", "answerContent": content}]}
    res = _results(tmp_path, [("s3://b/p/fd/2024/01/01/00/00/00/l-1/output.json", doc)])
    assert res.answers.loc[0, "label"] == label


def test_template_chooses_the_label_field(tmp_path):
    template = ('<crowd-form><crowd-input name="notes"></crowd-input><crowd-classifier name="priority" '
                'categories="[\'High\', \'Low\']"></crowd-classifier></crowd-form>')  # fmt: skip
    doc = copy.deepcopy(CUSTOM)
    doc["humanAnswers"][0]["answerContent"] = {
        "other": {"label": "zzz"},
        "priority": {"label": "Low"},
    }
    res = _results(tmp_path, [(CUSTOM_URI, doc)], template=template)
    assert res.label_field == "priority"
    assert res.answers.loc[0, "label"] == "Low"


def test_item_key_makes_task_the_item_id(tmp_path):
    res = _results(tmp_path, [(CUSTOM_URI, CUSTOM)], item_key="modelPriority")
    assert res.answers.loc[0, "task"] == "Low"
    assert res.loops.loc[0, "item_id"] == "Low"
