"""ReviewDashboard: counts, agreement and charts after simulated reviews; export; live in JupyterLab."""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd
import pytest
import traitlets

from a2i_kit.errors import A2IKitError, InputError
from a2i_kit.review import simulate_reviewers
from a2i_kit.session import Session
from a2i_kit.widgets import ReviewDashboard

SETUP = Path(__file__).with_name("kernel_setup.py")
exec(compile(SETUP.read_text(), str(SETUP), "exec"))  # make_flow, start_loops, loop_status

ITEMS = [{"item_id": f"r{i}", "text": f"review {i}", "label": "positive" if i % 2 else "negative",
          "score": 0.5 + i / 20} for i in range(6)]


@pytest.fixture
def session(service, sagemaker_client, runtime_client):
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url, data_dir=service.config.data_dir)


@pytest.fixture
def flow(session):
    flow = make_flow(session, "dash-flow")  # noqa: F821 - from kernel_setup
    start_loops(session, flow["flow_definition_arn"], ITEMS)  # noqa: F821
    return flow


def predictions() -> pd.DataFrame:
    return pd.DataFrame(ITEMS)[["item_id", "label", "score"]]


def review_all(session, accuracy=1.0) -> None:
    simulate_reviewers(session.endpoint_url, session.admin_token, workers=1,
                       ground_truth_key="label", accuracy=accuracy, seed=1)


@pytest.mark.usefixtures("flow")
def test_counts_before_and_after_reviews(session) -> None:
    dash = ReviewDashboard(session, flow_definition="dash-flow", predictions=predictions(),
                           score_col="score", interval=0)
    assert dash.counts == {"InProgress": 6, "Completed": 0, "Failed": 0, "Stopping": 0,
                           "Stopped": 0, "total": 6}
    assert dash.n_answers == 0
    assert dash.charts == []
    assert dash.agreement == {}
    review_all(session)
    assert dash.events_seen == 0
    counts = dash.run_action("refresh", {"poll": True})
    assert counts["Completed"] == 6
    assert counts["InProgress"] == 0
    assert dash.events_seen == 6  # one Completed event per loop, seen through the service bus
    assert dash.n_answers == 6
    assert dash.agreement["n"] == 6
    assert dash.agreement["agreement"] == 1.0
    assert [c["name"] for c in dash.charts] == ["confusion_matrix", "override_by_confidence",
                                                "reviewer_time"]
    assert all(base64.b64decode(c["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n" for c in dash.charts)
    assert [h["Completed"] for h in dash.history] == [0, 6]


def test_a_poll_without_changes_keeps_history_and_charts(session, flow) -> None:
    review_all(session)
    dash = ReviewDashboard(session, flow_definition=flow["flow_definition_arn"],
                           predictions=predictions(), interval=0)
    charts = dash.charts
    dash.run_action("refresh", {"poll": True})
    assert len(dash.history) == 1
    assert dash.charts is charts


@pytest.mark.usefixtures("flow")
def test_export_writes_every_frame(session, tmp_path) -> None:
    review_all(session)
    dash = ReviewDashboard(session, flow_definition="dash-flow", predictions=predictions(), interval=0)
    paths = dash.run_action("export", {"format": "csv", "folder": str(tmp_path / "out")})
    assert [Path(p).name for p in paths] == ["loops.csv", "answers.csv", "joined.csv"]
    answers = pd.read_csv(tmp_path / "out" / "answers.csv")
    assert len(answers) == 6
    assert set(answers["label"]) == {"positive", "negative"}
    parquet = dash.export(tmp_path / "pq", fmt="parquet")
    assert pd.read_parquet(parquet[2]).shape[0] == 6
    assert dash.status == f"saved 3 file(s) to {tmp_path / 'pq'}"
    download = dash.run_action("download", {"frame": "answers"})
    assert download["filename"] == "dash-flow-answers.csv"
    assert base64.b64decode(download["base64"]).decode().startswith("task,worker,label")


@pytest.mark.parametrize(("payload", "message"), [
    ({"format": "xlsx"}, "export format 'xlsx' is not one of csv, parquet"),
])
@pytest.mark.usefixtures("flow")
def test_export_errors_are_sent_back(session, payload, message) -> None:
    dash = ReviewDashboard(session, flow_definition="dash-flow", interval=0)
    reply = dash.handle_message({"uuid": "e", "type": "export", "payload": payload})
    assert reply == {"uuid": "e", "type": "error", "request": "export", "message": message}
    reply = dash.handle_message({"uuid": "d", "type": "download", "payload": {"frame": "joined"}})
    assert reply["message"] == "no frame named 'joined'; choose one of loops, answers"


@pytest.mark.usefixtures("flow")
def test_bad_arguments(session) -> None:
    with pytest.raises(InputError, match="flow definition 'nope' not found"):
        ReviewDashboard(session, flow_definition="nope")
    with pytest.raises(InputError, match="predictions have no id column 'id'"):
        ReviewDashboard(session, flow_definition="dash-flow", predictions=predictions(), id_col="id")
    dash = ReviewDashboard(session, flow_definition="dash-flow", interval=0)
    with pytest.raises(traitlets.TraitError, match="interval must be 0"):
        dash.interval = 0.1
    assert isinstance(dash, ReviewDashboard)
    assert issubclass(InputError, A2IKitError)


@pytest.mark.jupyter
@pytest.mark.browser
def test_dashboard_updates_after_simulated_reviewers(lab, tmp_path) -> None:
    from playwright.sync_api import expect

    lab.run(SETUP.read_text())
    lab.run("import a2i_kit, pandas as pd\n"
            f"ITEMS = {ITEMS!r}\n"
            f"session = a2i_kit.connect(data_dir={str(tmp_path / 'data')!r})\n"
            "flow = make_flow(session, 'nb-dash')\n"
            "loops = start_loops(session, flow['flow_definition_arn'], ITEMS)")
    cell = lab.run("from a2i_kit.widgets import ReviewDashboard\n"
                   "dash = ReviewDashboard(session, flow_definition='nb-dash', interval=1,\n"
                   "    predictions=pd.DataFrame(ITEMS)[['item_id', 'label', 'score']], score_col='score')\n"
                   "dash")
    out = lab.output(cell)
    root = out.locator(".a2i-review-dashboard")
    expect(root).to_have_attribute("data-completed", "0")
    expect(out.locator(".a2i-card[data-status='InProgress'] .a2i-num")).to_have_text("6")
    lab.run("from a2i_kit.review import simulate_reviewers\n"
            "summary = simulate_reviewers(session.endpoint_url, session.admin_token, workers=2,\n"
            "                             ground_truth_key='label', accuracy=1.0, seed=3)")
    # No cell refreshes it: the widget's own polling picks the change up.
    expect(root).to_have_attribute("data-completed", "6", timeout=30000)
    expect(out.locator(".a2i-card[data-status='InProgress'] .a2i-num")).to_have_text("0")
    expect(out.locator(".a2i-agreement-rate")).to_have_text("100.0% (6 of 6; 95 % lower bound 60.7 %)")  # with its interval
    expect(out.locator(".a2i-charts figure[data-chart='confusion_matrix'] img")).to_be_visible()
    assert lab.value("dash.counts['Completed']") == 6
    assert lab.value("dash.n_answers") == 6
    assert lab.value("len(dash.frames['joined'])") == 6
