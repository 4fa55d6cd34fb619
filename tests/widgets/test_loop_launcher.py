"""LoopLauncher: live dry run equals routing's, ledger-aware launch; sliders and Launch in JupyterLab."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import traitlets

from a2i_kit.errors import A2IKitError, InputError
from a2i_kit.routing import Budget, ReviewPolicy
from a2i_kit.session import Session
from a2i_kit.widgets import LoopLauncher

SETUP = Path(__file__).with_name("kernel_setup.py")
exec(compile(SETUP.read_text(), str(SETUP), "exec"))  # make_flow, start_loops, loop_status

PREDICTIONS = """
import numpy as np, pandas as pd
rng = np.random.default_rng(3)
df = pd.DataFrame({"item_id": [f"item-{i}" for i in range(60)],
                   "text": [f"review text {i}" for i in range(60)],
                   "label": rng.choice(["positive", "negative"], 60),
                   "score": rng.uniform(0.3, 1.0, 60).round(3)})
"""


def predictions() -> pd.DataFrame:
    scope: dict = {}
    exec(PREDICTIONS, scope)
    return scope["df"]


@pytest.fixture
def session(service, sagemaker_client, runtime_client):
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url, data_dir=service.config.data_dir)


@pytest.fixture
def launcher(session, tmp_path):
    make_flow(session, "launch-flow")  # noqa: F821 - from kernel_setup
    return LoopLauncher(session, predictions=predictions(), label_col="label", score_col="score",
                        flow_definition="launch-flow", input_cols=["text", "label", "score"],
                        ledger=tmp_path / "ledger.sqlite3", batch_size=7)


def routing_dry(threshold, audit, items=None, cost=None):
    budget = Budget(max_items=items, max_cost=cost) if items is not None or cost is not None else None
    return ReviewPolicy(threshold=threshold, audit_rate=audit, budget=budget).dry_run(
        predictions(), label_col="label", score_col="score", seconds_per_task=30.0)


@pytest.mark.parametrize(("threshold", "audit", "items", "cost"), [
    (0.8, 0.0, None, None), (0.5, 0.0, None, None), (0.95, 0.1, None, None),
    (0.9, 0.2, 10, None), (0.99, 0.0, None, 0.5), (0.0, 0.5, None, None), (1.0, 0.0, 0, None),
])
def test_counts_equal_the_routing_dry_run(launcher, threshold, audit, items, cost) -> None:
    launcher.threshold, launcher.audit_rate = threshold, audit
    launcher.budget_items, launcher.budget_cost = items, cost
    expected = routing_dry(threshold, audit, items, cost)
    assert launcher.dry["n_review"] == expected.n_review
    assert launcher.dry["n_audit"] == expected.n_audit
    assert launcher.dry["counts"] == expected.counts
    assert launcher.dry["expected_cost"] == expected.expected_cost
    assert launcher.dry["reviewer_hours"] == expected.reviewer_hours
    assert launcher.ledger_counts == {"already": 0, "new": expected.n_review, "ledger_total": 0}


def test_launch_starts_loops_then_only_new_ones(launcher, session) -> None:
    launcher.threshold = 0.6
    first = launcher.launch()
    n = routing_dry(0.6, 0.0).n_review
    assert first == {"started": n, "already_launched": 0, "failed": 0}
    assert launcher.progress == {"done": n, "total": n, "started": n, "already_launched": 0, "failed": 0}
    loops = session.runtime.list_human_loops(FlowDefinitionArn=launcher.flow_definition,
                                             MaxResults=100)["HumanLoopSummaries"]
    assert len(loops) == n
    assert launcher.ledger_counts == {"already": n, "new": 0, "ledger_total": n}
    launcher.threshold = 0.8
    more = routing_dry(0.8, 0.0).n_review
    assert launcher.ledger_counts["new"] == more - n
    second = launcher.run_action("launch")
    assert second == {"started": more - n, "already_launched": n, "failed": 0}
    assert len(session.runtime.list_human_loops(FlowDefinitionArn=launcher.flow_definition,
                                                MaxResults=100)["HumanLoopSummaries"]) == more
    assert set(launcher.summary["status"]) == {"started", "already_launched"}


@pytest.mark.parametrize(("trait", "value", "message"), [
    ("threshold", 1.5, "threshold must be between 0 and 1, got 1.5"),
    ("audit_rate", -0.1, "audit_rate must be between 0 and 1, got -0.1"),
    ("budget_items", -1, "budget_items must be >= 0"),
])
def test_controls_are_validated(launcher, trait, value, message) -> None:
    with pytest.raises(traitlets.TraitError, match=message):
        setattr(launcher, trait, value)


def test_unknown_flow_and_bad_frames_are_refused(session, tmp_path) -> None:
    with pytest.raises(InputError, match="flow definition 'nope' not found"):
        LoopLauncher(session, predictions=predictions(), label_col="label", score_col="score",
                     flow_definition="nope", ledger=tmp_path / "l.sqlite3")
    with pytest.raises(InputError, match="predictions must be a non-empty pandas DataFrame"):
        LoopLauncher(session, predictions=pd.DataFrame(), ledger=tmp_path / "l.sqlite3")


def test_routing_errors_are_shown_not_raised(session, tmp_path) -> None:
    df = predictions()
    df.loc[3, "score"] = np.nan
    w = LoopLauncher(session, predictions=df, label_col="label", score_col="score",
                     ledger=tmp_path / "l.sqlite3")
    assert "item-3" in w.error
    assert "score" in w.error
    assert w.flow_definition == ""
    with pytest.raises(A2IKitError, match="choose a flow definition first"):
        w.run_action("launch")


@pytest.mark.jupyter
@pytest.mark.browser
def test_slider_changes_counts_and_launch_creates_loops(lab, tmp_path) -> None:
    from playwright.sync_api import expect

    lab.run(SETUP.read_text())
    lab.run(PREDICTIONS + "import a2i_kit\n"
            f"session = a2i_kit.connect(data_dir={str(tmp_path / 'data')!r})\n"
            "flow = make_flow(session, 'nb-launch')")
    cell = lab.run("from a2i_kit.widgets import LoopLauncher\n"
                   "w = LoopLauncher(session, predictions=df, label_col='label', score_col='score',\n"
                   "                 flow_definition='nb-launch', input_cols=['text', 'label'],\n"
                   f"                 ledger={str(tmp_path / 'ledger.sqlite3')!r}, batch_size=5)\nw")
    out = lab.output(cell)
    root = out.locator(".a2i-loop-launcher")
    expect(root).to_have_attribute("data-n-review", str(routing_dry(0.8, 0.0).n_review))
    expect(out.locator(".a2i-threshold-value")).to_have_text("0.80")
    # Keyboard on the slider: 20 steps of 0.01 down to 0.60.
    slider = out.locator("input.a2i-threshold")
    slider.focus()
    for _ in range(20):
        slider.press("ArrowLeft")
    expected = routing_dry(0.6, 0.0)
    expect(root).to_have_attribute("data-n-review", str(expected.n_review))
    expect(out.locator(".a2i-n-review")).to_have_text(str(expected.n_review))
    assert lab.value("round(w.threshold, 2)") == 0.6
    assert lab.value("w.dry['n_review']") == expected.n_review
    expect(out.locator(".a2i-ledger")).to_have_text(f"0 already launched · {expected.n_review} new")
    out.locator("button.a2i-launch").click()
    expect(out.locator(".a2i-launch-status")).to_have_text(
        f"Last launch: {expected.n_review} started, 0 already launched, 0 failed")
    expect(out.locator(".a2i-ledger")).to_have_text(f"{expected.n_review} already launched · 0 new")
    expect(out.locator("button.a2i-launch")).to_be_disabled()
    names = lab.value("sorted(s['HumanLoopName'] for s in session.runtime.list_human_loops("
                      "FlowDefinitionArn=w.flow_definition, MaxResults=100)['HumanLoopSummaries'])")
    assert len(names) == expected.n_review
    assert lab.value("w.progress['done'] == w.progress['total'] == len(w.to_review())") is True


def test_choosing_another_predictions_frame_reroutes(session, tmp_path) -> None:
    make_flow(session, "multi-flow")  # noqa: F821 - from kernel_setup
    small = predictions().head(10)
    w = LoopLauncher(session, predictions={"all": predictions(), "first ten": small},
                     label_col="label", score_col="score", flow_definition="multi-flow",
                     ledger=tmp_path / "l.sqlite3")
    assert w.datasets == ["all", "first ten"]
    assert w.dataset == "all"
    assert w.dry["n_items"] == 60
    w.dataset = "first ten"
    expected = ReviewPolicy(threshold=0.8).dry_run(small, label_col="label", score_col="score")
    assert (w.dry["n_items"], w.dry["n_review"]) == (10, expected.n_review)
    assert w.launch()["started"] == expected.n_review
    with pytest.raises(traitlets.TraitError, match="dataset 'x' is not one of: all, first ten"):
        w.dataset = "x"
    with pytest.raises(InputError, match=r"predictions\['empty'\] must be a non-empty"):
        LoopLauncher(session, predictions={"empty": pd.DataFrame()}, ledger=tmp_path / "l.sqlite3")


def test_the_embedded_service_is_free_and_launches_at_once(launcher) -> None:
    assert launcher.paid == {}
    assert launcher.expected_cost() == 0.0
    assert launcher.run_action("launch")["started"] == launcher.dry["n_review"]


def test_paid_loops_on_aws_ask_for_confirmation_with_the_expected_cost(session, tmp_path) -> None:
    # The AWS backend's clients, pointed at the A2I-compatible service (same API, nothing billed).
    aws = dataclasses.replace(session, backend="aws")
    make_flow(aws, "paid-flow")  # noqa: F821 - from kernel_setup
    launcher = LoopLauncher(aws, predictions=predictions(), label_col="label", score_col="score",
                            flow_definition="paid-flow", input_cols=["text", "label", "score"],
                            ledger=tmp_path / "ledger.sqlite3")
    new = launcher.ledger_counts["new"]
    assert new == launcher.dry["n_review"] > 0
    assert launcher.paid == {"per_loop": 0.08, "why": "A2I $0.08 per object = $0.080 per loop, AWS list price"}
    cost = round(new * 0.08, 2)
    with pytest.raises(InputError, match=rf"this starts {new} paid loop\(s\): expected cost \${cost:.2f} "
                                         r"\(A2I \$0\.08 per object .*\); call launch\(confirm=True\)"):
        launcher.launch()
    # The browser's Launch asks first; nothing starts until the person confirms these numbers.
    asked = launcher.run_action("launch", {})
    assert asked == {"confirm": True, "new": new, "cost": cost, "why": launcher.paid["why"]}
    stale = launcher.run_action("launch", {"confirmed": True, "new": new + 1})
    assert stale["confirm"] is True
    assert aws.runtime.list_human_loops(FlowDefinitionArn=launcher.flow_definition)["HumanLoopSummaries"] == []
    assert launcher.run_action("launch", {"confirmed": True, "new": new})["started"] == new
    assert launcher.ledger_counts["new"] == 0
    assert launcher.run_action("launch", {}) == {"started": 0, "already_launched": new, "failed": 0}
