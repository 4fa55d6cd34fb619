"""ReviewQueue: claim → show → submit/skip through the worker API; and a real review in JupyterLab."""

from __future__ import annotations

from pathlib import Path

import pytest

from a2i_kit.errors import A2IKitError, InputError
from a2i_kit.session import Session
from a2i_kit.widgets import ReviewQueue

SETUP = Path(__file__).with_name("kernel_setup.py")
exec(compile(SETUP.read_text(), str(SETUP), "exec"))  # make_flow, start_loops, loop_status


@pytest.fixture
def session(service, sagemaker_client, runtime_client):
    return Session(backend="local", region="us-east-1", sagemaker=sagemaker_client, runtime=runtime_client,
                   service=service, endpoint_url=service.url, data_dir=service.config.data_dir)


@pytest.fixture
def flow(session):
    flow = make_flow(session, "queue-flow")  # noqa: F821 - from kernel_setup
    flow["loops"] = start_loops(session, flow["flow_definition_arn"],  # noqa: F821
                                [{"text": f"review number {i}"} for i in range(3)])
    return flow


@pytest.mark.usefixtures("flow")
def test_shows_the_first_task_and_counts_what_is_left(session) -> None:
    queue = ReviewQueue(session, worker="alice")
    assert queue.worker_name == "alice"
    assert queue.task["humanLoopName"] == "loop-1"
    assert queue.task["taskTitle"] == "Review queue-flow"
    assert "review number 0" in queue.srcdoc
    assert 'src="https://assets.crowd.aws' not in queue.srcdoc
    assert (queue.done, queue.left, queue.finished) == (0, 3, False)


@pytest.mark.usefixtures("flow")
def test_submit_completes_the_loop_and_moves_on(session) -> None:
    queue = ReviewQueue(session, worker="alice", undo_seconds=0)  # no undo window: sent at once
    seen = []
    queue.on_submit(lambda loop, _answer, reply: seen.append((loop, reply["humanLoopStatus"])))
    reply = queue.handle_message({"uuid": "a", "type": "submit", "payload": {
        "humanLoopName": "loop-1", "answerContent": {"sentiment": {"label": "positive"}}}})
    assert reply["type"] == "submit:ok"
    assert loop_status(session, "loop-1") == "Completed"  # noqa: F821
    assert seen == [("loop-1", "Completed")]
    assert (queue.done, queue.left, queue.task["humanLoopName"]) == (1, 2, "loop-2")


@pytest.mark.usefixtures("flow")
def test_skip_releases_and_the_queue_finishes(session) -> None:
    queue = ReviewQueue(session, worker="alice")
    queue.run_action("skip", {"humanLoopName": "loop-1"})
    assert queue.task["humanLoopName"] == "loop-2"
    assert queue.skipped == 1
    for loop in ("loop-2", "loop-3"):
        queue.submit({"sentiment": {"label": "neutral"}}, loop=loop)
    assert queue.finished
    assert queue.task == {}
    assert queue.srcdoc == ""
    assert loop_status(session, "loop-1") == "InProgress"  # noqa: F821
    # Refresh offers the skipped task again; another worker could have taken it meanwhile.
    queue.run_action("refresh")
    assert queue.task["humanLoopName"] == "loop-1"
    assert not queue.finished


@pytest.mark.usefixtures("flow")
def test_a_stale_answer_is_refused_and_shown(session) -> None:
    queue = ReviewQueue(session, worker="alice")
    reply = queue.handle_message({"uuid": "b", "type": "submit", "payload": {
        "humanLoopName": "loop-9", "answerContent": {"sentiment": {"label": "positive"}}}})
    assert reply["type"] == "error"
    assert reply["uuid"] == "b"
    assert reply["message"] == ("this answer is for 'loop-9' but the task on screen is 'loop-1'; "
                                "it was not submitted")
    assert queue.error == reply["message"]
    assert loop_status(session, "loop-1") == "InProgress"  # noqa: F821


@pytest.mark.usefixtures("flow")
def test_service_refusals_come_back_as_errors(session) -> None:
    queue = ReviewQueue(session, worker="alice")
    reply = queue.handle_message({"uuid": "c", "type": "submit", "payload": {
        "humanLoopName": "loop-1", "answerContent": "not an object"}})
    assert reply["type"] == "error"
    assert reply["message"] == "answerContent must be a JSON object, got str"


def test_same_worker_name_reuses_the_worker_and_limit_stops_early(session, flow) -> None:
    first = ReviewQueue(session, worker="bob", limit=1)
    first.submit({"sentiment": {"label": "negative"}})
    assert first.finished
    assert first.done == 1
    again = ReviewQueue(session, worker="bob", flow_definition=flow["flow_definition_arn"])
    assert again.task["humanLoopName"] == "loop-2"  # bob already answered loop-1


@pytest.mark.usefixtures("flow")
def test_other_flows_are_filtered_out(session) -> None:
    queue = ReviewQueue(session, worker="carol", flow_definition="some-other-flow")
    assert queue.finished
    assert queue.left == 0


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({}, InputError, "pass exactly one of worker='name'"),
    ({"worker": "a", "token": "t"}, InputError, "pass exactly one of worker='name'"),
    ({"worker": "a", "limit": 0}, InputError, "limit must be a positive number of tasks, got 0"),
])
def test_bad_arguments(session, kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        ReviewQueue(session, **kwargs)


def test_an_invalid_token_is_refused_by_the_service(session) -> None:
    with pytest.raises(A2IKitError, match="401"):
        ReviewQueue(session, token="not-a-token")


@pytest.mark.jupyter
@pytest.mark.browser
def test_review_in_the_notebook_completes_loops(lab, tmp_path) -> None:
    from playwright.sync_api import expect

    lab.run(SETUP.read_text())
    lab.run("import a2i_kit\n"
            f"session = a2i_kit.connect(data_dir={str(tmp_path / 'data')!r})\n"
            "flow = make_flow(session, 'nb-flow')\n"
            "loops = start_loops(session, flow['flow_definition_arn'], "
            "[{'text': 'loved it'}, {'text': 'hated it'}])")
    cell = lab.run("from a2i_kit.widgets import ReviewQueue\n"
                   "q = ReviewQueue(session, worker='alice')\nq")
    out = lab.output(cell)
    frame_el = out.locator("iframe.a2i-task-frame")
    expect(frame_el).to_have_attribute("sandbox", "allow-scripts allow-forms")
    expect(frame_el).to_have_attribute("data-ready", "")
    expect(out.locator(".a2i-queue-counts")).to_have_text("0 done · 2 left")
    frame = out.frame_locator("iframe.a2i-task-frame")
    expect(frame.locator("classification-target")).to_have_text("loved it")
    # Keyboard only, as a reviewer working through the queue: 1 picks "positive", Enter submits.
    frame.locator("classification-target").click()
    lab.page.keyboard.press("1")
    lab.page.keyboard.press("Enter")
    expect(out.locator(".a2i-queue-counts")).to_have_text("1 done · 1 left")
    expect(frame.locator("classification-target")).to_have_text("hated it")
    # Focus stays in the task page, so the next answer needs no click (no cell runs in between:
    # running a cell moves the focus to the notebook, as it would for a person).
    expect(frame_el).to_have_attribute("data-ready", "")
    lab.page.keyboard.press("2")
    lab.page.keyboard.press("Enter")
    expect(out.locator(".a2i-done")).to_have_text("All done for alice: 2 done · 0 left. Refresh to look for new tasks.")
    expect(out.locator(".a2i-queue-counts")).to_have_text("2 done · 0 left")  # the same numbers
    # The last answer is held for Undo; "Send now" sends it without waiting.
    expect(out.locator(".a2i-held")).to_contain_text("is sent in")
    out.locator(".a2i-held button", has_text="Send now").click()
    expect(out.locator(".a2i-held")).to_be_hidden()
    assert lab.value("[loop_status(session, n) for n in loops]") == ["Completed", "Completed"]
    assert lab.value("[a['answerContent'] for a in q.answers]") == [
        {"sentiment": {"label": "positive"}}, {"sentiment": {"label": "negative"}}]


@pytest.mark.usefixtures("flow")
def test_release_gives_the_task_back_to_others(session) -> None:
    queue = ReviewQueue(session, worker="dana")
    queue.release()
    assert queue.finished
    assert queue.task == {}
    other = ReviewQueue(session, worker="erin")
    assert other.task["humanLoopName"] == "loop-1"


def test_thirty_tasks_in_a_row(session) -> None:
    flow = make_flow(session, "batch-flow")  # noqa: F821 - from kernel_setup
    loops = start_loops(session, flow["flow_definition_arn"],  # noqa: F821
                        [{"text": f"t{i}"} for i in range(30)], prefix="batch")
    queue = ReviewQueue(session, worker="fast", undo_seconds=0)
    assert queue.left == 30
    for expected in range(1, 31):
        reply = queue.handle_message({"uuid": str(expected), "type": "submit", "payload": {
            "humanLoopName": queue.task["humanLoopName"],
            "answerContent": {"sentiment": {"label": "neutral"}}}})
        assert reply["type"] == "submit:ok"
        assert (queue.done, queue.left) == (expected, 30 - expected)
    assert queue.finished
    assert {loop_status(session, name) for name in loops} == {"Completed"}  # noqa: F821


def test_an_aws_session_is_refused_with_the_fix() -> None:
    from a2i_kit.errors import ConfigError

    with pytest.raises(ConfigError, match=r"ReviewQueue needs the embedded service: use a2i_kit\.connect\(\)"):
        ReviewQueue(Session(backend="aws", region="us-east-1", sagemaker=None, runtime=None), token="t")


@pytest.mark.usefixtures("flow")
def test_a_browser_answer_is_held_and_undo_brings_its_task_back(session) -> None:
    queue = ReviewQueue(session, worker="uma")
    sent = []
    queue.on_submit(lambda loop, answer, _reply: sent.append((loop, answer)))
    reply = queue.run_action("submit", {"humanLoopName": "loop-1", "answerContent": {"sentiment": {"label": "positive"}}})
    assert reply == {"humanLoopName": "loop-1", "held": True, "undoSeconds": 10}
    assert queue.held == {"humanLoopName": "loop-1", "taskTitle": "Review queue-flow"}
    assert (queue.done, queue.left, queue.task["humanLoopName"]) == (1, 2, "loop-2")
    assert loop_status(session, "loop-1") == "InProgress"  # noqa: F821 - not sent yet
    assert queue.run_action("undo")["humanLoopName"] == "loop-1"
    assert "review number 0" in queue.srcdoc
    assert (queue.done, queue.left, queue.held) == (0, 3, {})
    # Answer again, differently; the next answer sends it.
    queue.run_action("submit", {"humanLoopName": "loop-1", "answerContent": {"sentiment": {"label": "negative"}}})
    assert queue.task["humanLoopName"] == "loop-2"  # still this worker's claim, first in line
    queue.run_action("submit", {"humanLoopName": "loop-2", "answerContent": {"sentiment": {"label": "neutral"}}})
    assert sent == [("loop-1", {"sentiment": {"label": "negative"}})]
    assert loop_status(session, "loop-1") == "Completed"  # noqa: F821
    assert queue.held["humanLoopName"] == "loop-2"
    assert queue.run_action("commit")["humanLoopStatus"] == "Completed"
    assert loop_status(session, "loop-2") == "Completed"  # noqa: F821
    reply = queue.handle_message({"uuid": "u", "type": "undo", "payload": {}})
    assert reply["message"] == ("there is no answer to undo: it was already sent (undo works for the "
                                "last answer given here, for 10 s)")


@pytest.mark.usefixtures("flow")
def test_skip_refresh_and_release_send_a_held_answer_first(session) -> None:
    queue = ReviewQueue(session, worker="vic")
    queue.run_action("submit", {"humanLoopName": "loop-1", "answerContent": {"sentiment": {"label": "positive"}}})
    queue.run_action("skip", {"humanLoopName": "loop-2"})
    assert loop_status(session, "loop-1") == "Completed"  # noqa: F821
    queue.run_action("submit", {"humanLoopName": "loop-3", "answerContent": {"sentiment": {"label": "positive"}}})
    assert queue.finished
    queue.release()
    assert loop_status(session, "loop-3") == "Completed"  # noqa: F821


def test_a_limit_stops_with_the_count_of_what_is_still_waiting(session, flow) -> None:
    queue = ReviewQueue(session, worker="wes", limit=1, undo_seconds=0)
    queue.submit({"sentiment": {"label": "negative"}})
    assert queue.finished
    assert (queue.done, queue.left) == (1, len(flow["loops"]) - 1)  # what the header and message say
