"""The notebook side: ``a2i_kit.review.quality`` over a real Session, the offline
``a2i_kit.analytics.worker_accuracy``, and the console's escaped "Reviewer quality" section."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from quality_helpers import GOLD_PREFIX, QUAL_PREFIX, items

from a2i_kit.analytics import worker_accuracy as offline_accuracy
from a2i_kit.errors import ConfigError, InputError
from a2i_kit.portal.console_quality import quality_section
from a2i_kit.review import WorkerApiError, quality
from a2i_kit.session import Session


@pytest.fixture
def session(service: Any, sagemaker_client: Any, runtime_client: Any) -> Session:
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url)


def test_client_sets_gold_and_qualification_and_reads_accuracy(
        session: Session, service: Any, job: Any, reviewer: Any) -> None:
    work = job(6)
    settings = quality.add_gold_items(session, work.flow["flow_definition_arn"], items(GOLD_PREFIX, 3), rate=0.5)
    assert settings == {"flowDefinitionName": work.name, "goldRate": 0.5, "goldItems": 3,
                        "qualificationThreshold": None, "qualificationItems": 0}
    quality.set_qualification(session, work.name, items(QUAL_PREFIX, 2), threshold=1.0)
    assert quality.quality_settings(session, work.name)["qualificationItems"] == 2
    hana = reviewer("Hana <b>")
    hana.work(lambda text, _n: "negative" if text.endswith(" 1") and text.startswith(GOLD_PREFIX) else "positive",
              limit=20)
    frame = quality.worker_accuracy(session, work.name)
    assert list(frame.columns) == quality.ACCURACY_COLUMNS
    row = frame.iloc[0]
    assert (row["worker"], row["worker_id"], row["qualification"]) == ("Hana <b>", hana.worker_id, "passed")
    assert (row["qualification_correct"], row["qualification_answered"]) == (2, 2)
    assert row["n_gold"] >= 3
    # the offline analytics give the same numbers from the same counts
    scored = pd.DataFrame({"worker": ["Hana <b>"] * int(row["n_gold"]),
                           "correct": [True] * int(row["n_correct"]) + [False] * int(row["n_gold"] - row["n_correct"])})
    offline = offline_accuracy(scored).loc["Hana <b>"]
    assert (offline["n_gold"], offline["n_correct"]) == (row["n_gold"], row["n_correct"])
    assert offline["low"] == pytest.approx(row["low"])
    assert offline["high"] == pytest.approx(row["high"])
    html = quality_section(service.context, work.name)
    assert "Hana &lt;b&gt;" in html
    assert "Hana <b>" not in html
    assert hana.worker_id not in html
    assert f"Review {work.name}" in html
    assert "95 % interval" in html
    assert quality.remove_quality_control(session, work.name) == {"flowDefinitionName": work.name, "removed": True}


def test_client_refusals_name_the_fix(session: Session, make_flow: Any) -> None:
    flow = make_flow()["name"]
    with pytest.raises(WorkerApiError) as info:
        quality.add_gold_items(session, flow, [{"input": {"text": "x"}}])
    assert (info.value.status, info.value.code) == (400, "InvalidRequest")
    assert 'item 1: "answer" must be the known answerContent object' in str(info.value)
    with pytest.raises(InputError, match=r"pass a Session from a2i_kit\.connect"):
        quality.worker_accuracy(session.endpoint_url)  # type: ignore[arg-type]
    aws = Session(backend="aws", region="us-east-1", sagemaker=None, runtime=None)
    with pytest.raises(ConfigError, match="feature of the embedded service: use connect"):
        quality.worker_accuracy(aws)


def test_offline_accuracy_from_answers_and_gold() -> None:
    answers = pd.DataFrame({"task": ["g1", "g2", "g3", "g1", "g2", "g3", "real"],
                            "worker": ["ann"] * 3 + ["bo"] * 4, "label": ["a", "b", "c", "a", "x", "x", "q"]})
    gold = pd.DataFrame({"task": ["g1", "g2", "g3"], "label": ["a", "b", "c"]})
    table = offline_accuracy(answers, gold)
    assert table.index.tolist() == ["ann", "bo"]
    assert table.loc["ann", ["n_gold", "n_correct"]].tolist() == [3, 3]
    assert table.loc["bo", ["n_gold", "n_correct"]].tolist() == [3, 1]
    assert table.loc["bo", "low"] < table.loc["bo", "accuracy"] < table.loc["bo", "high"]
    with pytest.raises(InputError, match="gold names task 'g1' twice"):
        offline_accuracy(answers, pd.DataFrame({"task": ["g1", "g1"], "label": ["a", "b"]}))
    with pytest.raises(InputError, match="without gold, answers need columns worker and correct"):
        offline_accuracy(answers)
    with pytest.raises(InputError, match="numbers"):
        offline_accuracy(answers, pd.Series({"g1": 1, "g2": 2}))
