"""Continuous work over HTTP (worker API and the portal's routes): jobs, next, skip, amend, errors."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from portal_sessions import sign_in_by_link

from a2i_kit.review import add_worker

ANSWER = {"sentiment": {"label": "positive"}}


class Worker:
    """A worker talking to the worker API with its bearer token."""

    def __init__(self, service: Any, name: str, groups: list[str] | None = None) -> None:
        self.info = add_worker(service.url, service.admin_token, name, groups or ["reviewers"])
        self.url = service.url
        self.headers = {"Authorization": f"Bearer {self.info['token']}"}

    def next(self, flow: str, body: Any = None) -> httpx.Response:
        return httpx.post(f"{self.url}/_a2i/worker/jobs/{flow}/next", json=body or {}, headers=self.headers)

    def step(self, flow: str, body: Any = None) -> dict[str, Any]:
        response = self.next(flow, body)
        assert response.status_code == 200, response.text
        return response.json()

    def amend(self, loop: str, answer: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/_a2i/worker/tasks/{loop}/amend", json={"answerContent": answer},
                          headers=self.headers)


def start_loops(runtime_client: Any, flow: dict[str, Any], count: int, prefix: str) -> list[str]:
    names = [f"{prefix}-{index}" for index in range(count)]
    for name in names:
        runtime_client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                                        HumanLoopInput={"InputContent": json.dumps({"text": name})})
    return names


def output_of(service: Any, loop: str) -> dict[str, Any]:
    found = list(Path(service.context.config.mirror_dir).glob(f"**/{loop}/output.json"))
    assert len(found) == 1, found
    return json.loads(found[0].read_text())


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["error"]


def test_jobs_group_tasks_by_flow_with_title_and_counts(service: Any, make_flow: Any, runtime_client: Any) -> None:
    invoices, reviews = make_flow("invoices"), make_flow("reviews", task_count=2)
    start_loops(runtime_client, invoices, 3, "inv")
    start_loops(runtime_client, reviews, 1, "rev")
    alice = Worker(service, "alice")
    alice.step("invoices", {})   # alice holds inv-0
    jobs = httpx.get(f"{service.url}/_a2i/worker/jobs", headers=alice.headers).json()["jobs"]
    assert jobs == [
        {"flowDefinitionName": "invoices", "taskTitle": "Review invoices", "taskDescription": "Check the model's answer",
         "available": 3, "claimedByMe": 1, "open": 3},
        {"flowDefinitionName": "reviews", "taskTitle": "Review reviews", "taskDescription": "Check the model's answer",
         "available": 1, "claimedByMe": 0, "open": 1},
    ]
    user = sign_in_by_link(service.url, Worker(service, "bob").info["signInUrl"])
    queue = user.get("/_a2i/portal/").text
    assert queue.count('data-start="invoices">Start working</button>') == 1
    assert '<h2 id="job-invoices">Review invoices</h2>' in queue
    assert "<strong data-available>2</strong> available to you · <span data-open>3</span> open" in queue


def test_next_serves_the_job_task_after_task_until_all_done(service: Any, make_flow: Any, runtime_client: Any) -> None:
    flow = make_flow("queue")
    loops = start_loops(runtime_client, flow, 3, "q")
    start_loops(runtime_client, make_flow("other"), 1, "o")   # another job's task never comes up
    alice = Worker(service, "alice")
    first = alice.step("queue")
    assert (first["task"]["humanLoopName"], first["left"], first["skipped"]) == (loops[0], 3, 0)
    assert "What is the sentiment" in first["task"]["html"]
    assert alice.step("queue")["task"]["humanLoopName"] == loops[0]   # the task in hand comes first
    served, left = [], []
    step = first
    while step["task"] is not None:
        served.append(step["task"]["humanLoopName"])
        left.append(step["left"])
        step = alice.step("queue", {"answer": {"humanLoopName": step["task"]["humanLoopName"], "answerContent": ANSWER}})
        assert step["submitted"] == {"humanLoopName": served[-1], "humanLoopStatus": "Completed"}
    assert (served, left) == (loops, [3, 2, 1])
    assert (step["left"], step["job"]["taskTitle"]) == (0, "Review queue")
    assert output_of(service, loops[2])["humanAnswers"][0]["answerContent"] == ANSWER


def test_skip_releases_and_skipped_tasks_do_not_come_back_in_the_run(service: Any, make_flow: Any,
                                                                    runtime_client: Any) -> None:
    loops = start_loops(runtime_client, make_flow("skippy"), 3, "s")
    alice, bob = Worker(service, "alice"), Worker(service, "bob")
    assert alice.step("skippy")["task"]["humanLoopName"] == loops[0]
    step = alice.step("skippy", {"skip": loops[0]})
    assert (step["released"], step["task"]["humanLoopName"], step["skippedLoops"]) == (
        {"humanLoopName": loops[0]}, loops[1], [loops[0]])
    assert bob.step("skippy")["task"]["humanLoopName"] == loops[0]   # the slot went back to the pool
    step = alice.step("skippy", {"skip": loops[1], "skipped": step["skippedLoops"]})
    assert step["task"]["humanLoopName"] == loops[2]
    step = alice.step("skippy", {"skip": loops[2], "skipped": step["skippedLoops"]})
    assert (step["task"], step["left"], step["skipped"]) == (None, 0, 2)   # loops[0] is bob's now
    assert alice.step("skippy")["task"]["humanLoopName"] == loops[1]     # a new run shows them again


def test_two_workers_never_share_a_slot_beyond_task_count(service: Any, make_flow: Any, runtime_client: Any) -> None:
    loops = start_loops(runtime_client, make_flow("pairs", task_count=2), 2, "p")
    workers = [Worker(service, f"w{index}") for index in range(6)]
    got: dict[str, str | None] = {}

    def take(worker: Worker) -> None:
        task = worker.step("pairs")["task"]
        got[worker.info["name"]] = task and task["humanLoopName"]

    threads = [threading.Thread(target=take, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = sorted(v for v in got.values() if v)
    assert taken == [loops[0], loops[0], loops[1], loops[1]], got
    assert list(got.values()).count(None) == 2
    for loop in loops:
        assignments = [a for a in service.context.store.claims.of_loop(loop) if a["status"] == "claimed"]
        assert len(assignments) == 2


def test_amend_replaces_my_answer_while_the_loop_waits(service: Any, make_flow: Any, runtime_client: Any) -> None:
    loop = start_loops(runtime_client, make_flow("amends", task_count=2), 1, "a")[0]
    alice, bob = Worker(service, "alice"), Worker(service, "bob")
    alice.step("amends")
    alice.step("amends", {"answer": {"humanLoopName": loop, "answerContent": ANSWER}})
    shown = httpx.get(f"{service.url}/_a2i/worker/tasks/{loop}/answer", headers=alice.headers).json()
    assert (shown["answerContent"], shown["taskTitle"]) == (ANSWER, "Review amends")
    changed = {"sentiment": {"label": "negative"}}
    amended = alice.amend(loop, changed)
    assert amended.json() == {"humanLoopName": loop, "humanLoopStatus": "InProgress", "amended": True}
    step = alice.step("amends", {"amend": {"humanLoopName": loop, "answerContent": changed}})   # the same again: fine
    assert step["amended"]["humanLoopStatus"] == "InProgress"
    bob.step("amends")
    bob.step("amends", {"answer": {"humanLoopName": loop, "answerContent": ANSWER}})
    answers = {a["workerId"]: a["answerContent"] for a in output_of(service, loop)["humanAnswers"]}
    assert answers == {alice.info["workerId"]: changed, bob.info["workerId"]: ANSWER}
    status, code, message = error(alice.amend(loop, ANSWER))
    assert (status, code) == (409, "AnswerClosed")
    assert message.startswith(f"your answer to human loop {loop!r} can no longer be changed: all its answers "
                              "are in (TaskCount 2), so it closed; your answer of ")
    assert message.endswith(" was kept")
    assert error(httpx.get(f"{service.url}/_a2i/worker/tasks/{loop}/answer", headers=alice.headers))[:2] == (
        409, "AnswerClosed")


def test_amend_needs_an_answer_first(service: Any, make_flow: Any, runtime_client: Any) -> None:
    loop = start_loops(runtime_client, make_flow("noanswer", task_count=2), 1, "n")[0]
    alice = Worker(service, "alice")
    alice.step("noanswer")
    assert error(alice.amend(loop, ANSWER)) == (
        409, "Conflict", f"you have not answered human loop {loop!r}, so there is no answer to change; "
        "claim it and submit an answer")


@pytest.mark.parametrize(("path", "body", "status", "code", "message"), [
    ("jobs/Bad_Name/next", {}, 400, "InvalidRequest", "'Bad_Name' is not a flow definition name"),
    ("jobs/nope/next", {}, 404, "NotFound", "flow definition 'nope' does not exist; GET /_a2i/worker/jobs"),
    ("jobs/errs/next", {"answer": {"humanLoopName": "x"}, "skip": "y"}, 400, "InvalidRequest",
     "send one of answer, amend or skip, not answer and skip"),
    ("jobs/errs/next", {"answr": {}}, 400, "InvalidRequest", "unknown field 'answr'"),
    ("jobs/errs/next", {"answer": {"humanLoopName": "e-0"}}, 400, "InvalidRequest",
     'answer must be {"humanLoopName": "...", "answerContent": {...}}'),
    ("jobs/errs/next", {"skip": "no spaces"}, 400, "InvalidRequest", "skip must be a human loop name"),
    ("jobs/errs/next", {"skipped": "e-0"}, 400, "InvalidRequest", "skipped must be a list of at most 500"),
    ("jobs/errs/next", {"answer": {"humanLoopName": "e-0", "answerContent": ANSWER}}, 409, "Conflict",
     "you hold no claim on human loop 'e-0'; claim it first"),
    ("tasks/e-0/amend", {}, 400, "InvalidRequest", 'the body needs "answerContent"'),
])
def test_next_and_amend_errors_name_the_fix(service: Any, make_flow: Any, runtime_client: Any, path: str,
                                            body: Any, status: int, code: str, message: str) -> None:
    start_loops(runtime_client, make_flow("errs"), 1, "e")
    alice = Worker(service, "alice")
    response = httpx.post(f"{service.url}/_a2i/worker/{path}", json=body, headers=alice.headers)
    got = error(response)
    assert got[:2] == (status, code)
    assert message in got[2]


def test_other_team_gets_403_and_no_task(service: Any, make_flow: Any, runtime_client: Any) -> None:
    start_loops(runtime_client, make_flow("private"), 1, "x")
    mallory = Worker(service, "mallory", ["others"])
    status, code, message = error(mallory.next("private"))
    assert (status, code) == (403, "Forbidden")
    assert "is not a member of the workteam that reviews flow definition 'private'" in message


def test_portal_next_needs_the_csrf_header_and_answers_with_the_next_page(service: Any, make_flow: Any,
                                                                          runtime_client: Any) -> None:
    loops = start_loops(runtime_client, make_flow("portal"), 2, "pp")
    user = sign_in_by_link(service.url, Worker(service, "alice").info["signInUrl"])
    started = user.post_form("/_a2i/portal/jobs/portal/start")
    assert (started.status_code, started.headers["location"]) == (303, f"/_a2i/portal/jobs/portal/tasks/{loops[0]}")
    page = user.get(started.headers["location"])
    assert '<strong data-left>2</strong> left' in page.text
    assert 'data-mode="continuous"' in page.text
    body = {"answer": {"humanLoopName": loops[0], "answerContent": ANSWER}}
    refused = user.post_json("/_a2i/portal/jobs/portal/next", body, csrf=False)
    assert error(refused)[:2] == (403, "InvalidCsrfToken")
    other_origin = user.post_json("/_a2i/portal/jobs/portal/next", body, origin="http://evil.example")
    assert error(other_origin)[:2] == (403, "CrossOriginRequest")
    nxt = user.post_json("/_a2i/portal/jobs/portal/next", body)
    assert nxt.status_code == 200
    assert nxt.headers["x-a2i-location"] == f"/_a2i/portal/jobs/portal/tasks/{loops[1]}"
    assert "default-src 'self'" in nxt.headers["content-security-policy"]
    assert '<strong data-left>1</strong> left' in nxt.text
    assert f'href="/_a2i/portal/jobs/portal/answers/{loops[0]}">Previous</a>' in nxt.text
    assert 'sandbox="allow-scripts allow-forms"' in nxt.text
    done = user.post_json("/_a2i/portal/jobs/portal/next", {"answer": {"humanLoopName": loops[1], "answerContent": ANSWER}})
    assert done.headers["x-a2i-location"] == "/_a2i/portal/jobs/portal"
    assert "<h1>All done for Review portal</h1>" in done.text
    closed = user.get(f"/_a2i/portal/jobs/portal/answers/{loops[0]}")
    assert closed.status_code == 409
    assert "Your answer can no longer be changed" in closed.text
    assert "all its answers are in" in closed.text
    anonymous = httpx.post(f"{service.url}/_a2i/portal/jobs/portal/next", json={})
    assert error(anonymous) == (401, "Unauthorized", "your portal session ended; sign in again")


def test_portal_skip_form_without_script(service: Any, make_flow: Any, runtime_client: Any) -> None:
    loops = start_loops(runtime_client, make_flow("formskip"), 2, "fs")
    user = sign_in_by_link(service.url, Worker(service, "alice").info["signInUrl"])
    user.post_form("/_a2i/portal/jobs/formskip/start")
    skipped = user.post_form("/_a2i/portal/jobs/formskip/skip", {"loop": loops[0]})
    assert (skipped.status_code, skipped.headers["location"]) == (303, f"/_a2i/portal/jobs/formskip/tasks/{loops[1]}")
    no_token = user.post_form("/_a2i/portal/jobs/formskip/skip", {"loop": loops[1]}, csrf=False)
    assert no_token.status_code == 403
    assert "This form expired" in no_token.text
    held = user.get("/_a2i/portal/jobs/formskip")
    assert (held.status_code, held.headers["location"]) == (303, f"/_a2i/portal/jobs/formskip/tasks/{loops[1]}")
