"""Malformed and partial objects are reported with their key, never fatal."""

from __future__ import annotations

import copy

import pytest
from results_docs import CUSTOM, CUSTOM_URI

from a2i_kit.errors import InputError
from a2i_kit.results import Results
from a2i_kit.results.keys import uri_to_path
from a2i_kit.results.synthetic import write_mirror

BAD = "s3://acme/output/ticket-triage/2024/03/05/14/07/00/{}/output.json"


def _doc(**changes):
    doc = copy.deepcopy(CUSTOM)
    for key, value in changes.items():
        if value is None:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


def _answer(**changes):
    ans = copy.deepcopy(CUSTOM["humanAnswers"][0])
    for key, value in changes.items():
        if value is None:
            ans.pop(key)
        else:
            ans[key] = value
    return ans


CASES = [
    ("corrupt", b'{"humanLoopName": "corrupt", "humanAnswers": [', "corrupt_json", "error", "not valid JSON"),
    ("toplist", b"[1, 2]", "wrong_type", "error", "top level is list"),
    ("noanswers", _doc(humanLoopName="noanswers", humanAnswers=None), "missing_field", "error",
     "humanAnswers missing or not a list"),
    ("noinput", _doc(humanLoopName="noinput", inputContent=None), "missing_field", "warning", "no inputContent"),
    ("noworker", _doc(humanLoopName="noworker", humanAnswers=[_answer(workerId=None)]), "missing_field",
     "warning", "answer 0: no workerId"),
    ("nocontent", _doc(humanLoopName="nocontent", humanAnswers=[_answer(answerContent=None)]),
     "missing_field", "error", "answer 0: no answerContent object"),
    ("oddshape", _doc(humanLoopName="oddshape", humanAnswers=[_answer(answerContent={"x": {"foo": [1]}})]),
     "unknown_shape", "warning", "field 'x' is not a known crowd element answer"),
    ("badtime", _doc(humanLoopName="badtime", humanAnswers=[_answer(submissionTime="yesterday")]),
     "bad_time", "warning", "submission_time 'yesterday' is not an ISO 8601 time"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("loop", "doc", "kind", "severity", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_problem_is_reported_with_its_key(tmp_path, loop, doc, kind, severity, message):
    write_mirror(tmp_path, [(CUSTOM_URI, CUSTOM), (BAD.format(loop), doc)])
    res = Results.from_mirror(tmp_path).sync()
    probs = res.problems
    assert len(probs) == 1, probs
    row = probs.iloc[0]
    assert (row["uri"], row["kind"], row["severity"]) == (BAD.format(loop), kind, severity)
    assert message in row["message"]
    assert "tkt-20240305-0007" in set(res.loops["human_loop_name"])  # the good object still counts


def test_huge_file_is_skipped_and_reported(tmp_path):
    big = _doc(humanLoopName="huge", inputContent={"blob": "x" * 5000})
    write_mirror(tmp_path, [(CUSTOM_URI, CUSTOM), (BAD.format("huge"), big)])
    res = Results.from_mirror(tmp_path, max_object_bytes=2000).sync()
    assert res.problems[["uri", "kind"]].values.tolist() == [[BAD.format("huge"), "too_large"]]
    assert "raise the limit" in res.problems.loc[0, "message"]
    assert res.loops["human_loop_name"].tolist() == ["tkt-20240305-0007"]


def test_key_outside_a2i_layout_still_parses(tmp_path):
    path = uri_to_path(tmp_path, "s3://acme/misc/output.json")
    path.parent.mkdir(parents=True)
    path.write_text('{"humanLoopName": "x", "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:1:flow-definition/fd", '
                    '"humanAnswers": []}')  # fmt: skip
    loops = Results.from_mirror(tmp_path).sync().loops
    assert loops.loc[0, "flow_definition_name"] == "fd"
    assert loops["creation_time"].isna().all()


def test_missing_mirror_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist: pass the service's mirror_dir"):
        Results.from_mirror(tmp_path / "nope")
