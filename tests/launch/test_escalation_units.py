"""Escalation's parts without a service: the ledger's link table, names, per-loop agreement, ties."""

from __future__ import annotations

import pandas as pd
import pytest

from a2i_kit.analytics.consolidation import loop_agreement, majority_vote
from a2i_kit.errors import InputError
from a2i_kit.launch import NAME_PATTERN, Ledger, followup_loop_name
from a2i_kit.launch.followup_flow import followup_flow_name


def test_the_ledger_keeps_the_first_followup_and_retries_a_failed_one(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    book = Ledger(path)
    book.intend_escalations([("l1", "arn:fd", "f1", "arn:fu", "2 answers"), ("l2", "arn:fd", "f2", "arn:fu", "")])
    book.record_escalations([("l1", "started", "arn:loop/f1", None), ("l2", "failed", None, "Throttled")])
    book.intend_escalations([("l1", "arn:fd", "other", "arn:other", ""), ("l2", "arn:fd", "f2", "arn:other", "")])
    book.close()
    rows = Ledger(path).escalations("arn:fd")  # reopened: the links survive a restart
    assert (rows["l1"]["followup_loop"], rows["l1"]["status"], rows["l1"]["arn"]) == ("f1", "started", "arn:loop/f1")
    assert (rows["l2"]["followup_flow_arn"], rows["l2"]["status"], rows["l2"]["error"]) == ("arn:other", "intent", None)
    assert Ledger(path).escalations("arn:elsewhere") == {}
    assert Ledger(path).escalation_frame()["original_loop"].tolist() == ["l1", "l2"]


@pytest.mark.parametrize("original", ["loop-a", "x" * 63, "a-b", "a--b"])
def test_followup_names_are_valid_distinct_and_stable(original):
    name = followup_loop_name(original)
    assert NAME_PATTERN.match(name)
    assert len(name) <= 63
    assert name == followup_loop_name(original)
    assert name != followup_loop_name(original + "0")


def test_followup_flow_names_fit_63_characters():
    assert followup_flow_name("arn:aws:sagemaker:us-east-1:1:flow-definition/claims") == "claims-followup"
    long_a, long_b = followup_flow_name("a" * 60 + "xyz"), followup_flow_name("a" * 60 + "xyw")
    assert len(long_a) <= 63
    assert long_a != long_b


def test_loop_agreement_counts_empty_and_structured_labels():
    frame = pd.DataFrame({"human_loop_name": ["l1", "l1", "l2", "l2", "l3", "l3", "l3"],
                          "label": [("a", "b"), ("a", "b"), [{"x": 1}], [{"x": 2}], "cat", None, "cat"]})
    out = loop_agreement(frame)
    assert out.to_dict("index") == {"l1": {"answers": 2, "distinct": 1, "agreement": 1.0},
                                    "l2": {"answers": 2, "distinct": 2, "agreement": 0.5},
                                    "l3": {"answers": 3, "distinct": 2, "agreement": 2 / 3}}
    with pytest.raises(InputError, match="answers must be a DataFrame with columns 'human_loop_name' and 'label'"):
        loop_agreement(frame.drop(columns="label"))


def test_majority_wins_over_the_followup_and_the_followup_breaks_ties():
    answers = pd.DataFrame({"task": ["t"] * 4 + ["u"] * 3, "worker": list("abcfabf"),
                            "label": ["cat", "cat", "dog", "fox", "cat", "dog", "fox"],
                            "escalated_from": [None, None, None, "l-t", None, None, "l-u"]})
    assert majority_vote(answers).to_dict() == {"t": "cat", "u": "fox"}
    assert majority_vote(answers.drop(columns="escalated_from")).to_dict() == {"t": "cat", "u": "cat"}
    tie = answers.assign(label=["cat", "cat", "dog", "dog", "cat", "dog", "fox"])
    assert majority_vote(tie)["t"] == "dog"  # 2 against 2: the follow-up's label
