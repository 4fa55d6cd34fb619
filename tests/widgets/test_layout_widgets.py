"""ReviewQueue, LoopLauncher and ReviewDashboard as a person sees them, at 1400 and 400 px.

Each widget runs against the embedded service (real boto3 clients, the worker API over HTTP)
and renders its own ESM in Chromium (``page_harness``); PNGs go to ``screenshots/widgets/``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from page_harness import WidgetHost

from a2i_kit.review import simulate_reviewers
from a2i_kit.session import Session
from a2i_kit.widgets import LoopLauncher, ReviewDashboard, ReviewQueue

pytestmark = pytest.mark.browser

SETUP = Path(__file__).with_name("kernel_setup.py")
exec(compile(SETUP.read_text(), str(SETUP), "exec"))  # make_flow, start_loops, loop_status

WIDTHS = [1400, 400]


@pytest.fixture
def session(service, sagemaker_client, runtime_client):
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url, data_dir=service.config.data_dir)


@pytest.mark.parametrize("width", WIDTHS)
def test_review_queue_fits_undoes_and_says_the_same_numbers_when_done(page, session, width) -> None:
    from playwright.sync_api import expect

    flow = make_flow(session, "fit-flow")  # noqa: F821 - from kernel_setup
    start_loops(session, flow["flow_definition_arn"], [{"text": "loved it"}, {"text": "hated it"}])  # noqa: F821
    host = WidgetHost(page, ReviewQueue(session, worker="Alice Martin"), width=width)
    frame_el = host.root.locator("iframe.a2i-task-frame")
    expect(frame_el).to_have_attribute("data-content-height", re.compile(r"^\d+$"))
    assert frame_el.bounding_box()["height"] < 520  # the frame fits the task, not a fixed 520 px
    assert frame_el.bounding_box()["width"] <= width  # and the output area
    assert host.overflow() == []
    host.shot(f"review-queue-{width}")

    frame = host.root.frame_locator("iframe.a2i-task-frame")
    frame.locator("button.crowd-choice", has_text="positive").click()
    frame.locator("crowd-button", has_text="Submit").click()
    expect(host.root.locator(".a2i-held")).to_contain_text("Answer to “Review fit-flow” is sent in")
    expect(frame.locator("classification-target")).to_have_text("hated it")
    expect(host.root.locator(".a2i-queue-counts")).to_have_text("1 done · 1 left")
    host.shot(f"review-queue-held-{width}")
    assert host.overflow() == []
    host.root.locator(".a2i-held button", has_text="Undo").click()
    expect(frame.locator("classification-target")).to_have_text("loved it")
    expect(host.root.locator(".a2i-queue-counts")).to_have_text("0 done · 2 left")
    expect(host.root.locator(".a2i-held")).to_be_hidden()
    assert loop_status(session, "loop-1") == "InProgress"  # noqa: F821 - the undone answer never left

    for label in ("negative", "negative"):
        frame.locator("button.crowd-choice", has_text=label).click()
        frame.locator("crowd-button", has_text="Submit").click()
    done = host.root.locator(".a2i-done")
    expect(done).to_have_text("All done for Alice Martin: 2 done · 0 left. Refresh to look for new tasks.")
    expect(host.root.locator(".a2i-queue-counts")).to_have_text("2 done · 0 left")
    host.root.locator(".a2i-held button", has_text="Send now").click()
    expect(host.root.locator(".a2i-held")).to_be_hidden()
    assert [loop_status(session, n) for n in ("loop-1", "loop-2")] == ["Completed", "Completed"]  # noqa: F821
    host.shot(f"review-queue-done-{width}")


PREDICTIONS = pd.DataFrame({"item_id": [f"item-{i}" for i in range(40)],
                            "text": [f"text {i}" for i in range(40)],
                            "label": ["positive", "negative"] * 20,
                            "score": [round(0.3 + i * 0.017, 3) for i in range(40)]})


@pytest.mark.parametrize("width", WIDTHS)
def test_loop_launcher_confirms_paid_loops_with_their_cost(page, session, tmp_path, width) -> None:
    from playwright.sync_api import expect

    # AWS's billing rules, with clients pointed at the A2I-compatible service
    aws = dataclasses.replace(session, backend="aws")
    make_flow(aws, "paid-flow")  # noqa: F821
    launcher = LoopLauncher(aws, predictions=PREDICTIONS, label_col="label", score_col="score",
                            flow_definition="paid-flow", input_cols=["text", "label", "score"],
                            ledger=tmp_path / "ledger.sqlite3")
    new = launcher.ledger_counts["new"]
    host = WidgetHost(page, launcher, width=width)
    launch = host.root.locator("button.a2i-launch")
    expect(launch).to_have_text(f"Launch {new} new paid loops")
    assert host.overflow() == []
    launch.click()
    confirm = host.root.locator(".a2i-confirm")
    expect(confirm).to_contain_text(f"Start {new} paid loops on AWS? Expected cost ${new * 0.08:.2f} "
                                    "(A2I $0.08 per object = $0.080 per loop, AWS list price).")
    assert aws.runtime.list_human_loops(FlowDefinitionArn=launcher.flow_definition)["HumanLoopSummaries"] == []
    host.shot(f"loop-launcher-confirm-{width}")
    assert host.overflow() == []
    host.root.locator("button.a2i-confirm-yes").click()
    expect(host.root.locator(".a2i-launch-status")).to_have_text(
        f"Last launch: {new} started, 0 already launched, 0 failed")
    expect(confirm).to_be_hidden()


@pytest.mark.parametrize("width", WIDTHS)
def test_review_dashboard_has_a_time_axis_counts_per_bin_and_names(page, session, width) -> None:
    from playwright.sync_api import expect

    flow = make_flow(session, "dash-flow")  # noqa: F821
    items = [{"item_id": f"r{i}", "text": f"review {i}", "label": "positive" if i % 2 else "negative",
              "score": 0.55 + i / 40} for i in range(12)]
    start_loops(session, flow["flow_definition_arn"], items)  # noqa: F821
    simulate_reviewers(session.endpoint_url, session.admin_token, workers=2, ground_truth_key="label",
                       accuracy=0.8, seed=2)
    dash = ReviewDashboard(session, flow_definition="dash-flow", interval=0, score_col="score",
                           predictions=pd.DataFrame(items)[["item_id", "label", "score"]])
    workers = set(dash.results.answers["worker"])
    assert all(re.fullmatch(r"[0-9a-f]{16}", w) for w in workers)  # output.json has opaque ids
    names = {w["workerId"]: w["name"] for w in _workers(session)}
    assert {w: dash.worker_names[w] for w in workers} == {w: names[w] for w in workers}
    assert set(dash.worker_names.values()) >= {"sim-reviewer-1", "sim-reviewer-2"}
    host = WidgetHost(page, dash, width=width)
    history = host.root.locator("svg.a2i-history")
    expect(history.locator(".a2i-x-label")).to_have_text("time (your clock)")
    ticks = history.locator(".a2i-x-tick")
    expect(ticks.first).to_have_text(re.compile(r"\d{1,2}:\d{2}:\d{2}"))
    expect(history.locator(".a2i-y-label")).to_have_text("loops")
    agreement = dash.agreement
    expect(host.root.locator(".a2i-interval")).to_have_text(f" ({agreement['interval']})")
    assert agreement["interval"].startswith(f"{agreement['agreed']} of 12; 95 %")
    # The reviewer chart is labelled with names, never worker ids.
    expect(host.root.locator("figure[data-chart='reviewer_time'] img")).to_be_visible()
    assert host.overflow() == []
    host.shot(f"review-dashboard-{width}")


def test_dashboard_names_workers_where_it_knows_them() -> None:
    import base64
    import io

    from a2i_kit.widgets import dashboard_data

    answers = pd.DataFrame({"worker": ["id-1", "id-2", "id-1"], "time_spent_seconds": [3.0, 4.0, 5.0]})
    named = dashboard_data.named(answers, {"id-1": "Alice Martin"})
    assert list(named["worker"]) == ["Alice Martin", "id-2", "Alice Martin"]
    assert dashboard_data.worker_names(SimpleNamespace(endpoint_url=None, admin_token=None)) == {}
    chart = dashboard_data.charts(named, None, "label", None)[0]
    image = base64.b64decode(chart["src"].split(",", 1)[1])
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert io.BytesIO(image).getbuffer().nbytes > 1000


def _workers(session):
    from a2i_kit.review.client import AdminClient

    with AdminClient(session.endpoint_url, session.admin_token) as admin:
        return admin.workers()
