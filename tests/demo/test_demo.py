"""`make demo` end to end on a small dataset: loops launched, answered, read back, charted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from a2i_kit.demo import run_demo
from a2i_kit.demo.data import digit_predictions


@pytest.mark.slow
def test_demo_reviews_what_routing_chose_and_writes_figure_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    lines: list[str] = []
    result = run_demo(out, n_items=60, threshold=0.8, audit_rate=0.2, reviewers=2, seed=3, echo=lines.append)

    routed_for_review = int(result.reviewed["review"].sum())
    assert routed_for_review == len(result.reviewed) > 0, "one answer per reviewed item (TaskCount 1)"
    assert result.stats["statuses"] == {"Completed": len(result.reviewed)}
    assert result.stats["problems"] == 0

    # Every answer came from an output.json the service wrote in A2I's layout.
    mirror = out / "service-data" / "s3"
    outputs = sorted(mirror.glob("a2i-kit-demo/reviews/digit-review/*/*/*/*/*/*/*/output.json"))
    assert len(outputs) == len(result.reviewed)
    document = json.loads(outputs[0].read_text())
    assert set(document) == {"flowDefinitionArn", "humanAnswers", "humanLoopName", "inputContent"}
    assert document["humanAnswers"][0]["answerContent"]["digit"]["label"] in [str(d) for d in range(10)]

    # The items sent to review are exactly the low-confidence ones plus the audit sample.
    predictions = digit_predictions(60, seed=3)
    low = set(predictions.loc[predictions["confidence"] < 0.8, "item_id"])
    reviewed_ids = set(result.reviewed["item_id"])
    assert low <= reviewed_ids
    assert reviewed_ids - low == set(result.reviewed.loc[result.reviewed["audit"], "item_id"])

    assert result.figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = result.summary.read_text()
    agreement = (result.reviewed["predicted_label"] == result.reviewed["human_label"]).mean()
    assert f"**{agreement:.1%}**" in summary
    assert any(line.startswith("4. launched") for line in lines)
