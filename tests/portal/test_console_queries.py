"""The manager console's queries (``store.reports`` through ``a2i_kit.portal.console``) on every
store: totals per status, answers submitted/needed, filters, SQL paging, a loop's answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from a2i_kit.portal import console
from a2i_kit.portal.console import Filters
from a2i_kit.portal.forms import Refused
from a2i_kit.review import WorkerClient, add_worker


def start(runtime_client: Any, flow: dict[str, Any], name: str, text: str = "x") -> None:
    runtime_client.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow["flow_definition_arn"],
                                    HumanLoopInput={"InputContent": json.dumps({"text": text})})


@pytest.fixture
def jobs(service: Any, make_flow: Any, runtime_client: Any) -> dict[str, Any]:
    """Job ``invoices`` (TaskCount 2, 7 loops) and ``receipts`` (TaskCount 1, 3 loops); alice answers
    invoice-0 and receipt-0 (completing it), bob answers invoice-0 too (completing it) and holds
    invoice-1; invoice-6 is stopped."""
    invoices = make_flow("invoices", task_count=2)
    receipts = make_flow("receipts", group="reviewers")
    for i in range(7):
        start(runtime_client, invoices, f"invoice-{i}", f"<b>invoice {i}</b>")
    for i in range(3):
        start(runtime_client, receipts, f"receipt-{i}")
    alice = add_worker(service.url, service.admin_token, "alice", ["reviewers"])
    bob = add_worker(service.url, service.admin_token, "bob", ["reviewers"])
    with WorkerClient(service.url, alice["token"]) as a, WorkerClient(service.url, bob["token"]) as b:
        for loop in ("invoice-0", "receipt-0"):
            a.claim(loop)
            a.submit(loop, {"sentiment": {"label": "<script>alert(1)</script>"}})
        b.claim("invoice-0")
        b.submit("invoice-0", {"sentiment": {"label": "negative"}})
        b.claim("invoice-1")
    runtime_client.stop_human_loop(HumanLoopName="invoice-6")
    return {"alice": alice, "bob": bob}


@pytest.mark.usefixtures("jobs")
def test_jobs_have_titles_totals_and_answers(service: Any) -> None:
    data = console.overview(service.context, Filters())
    rows = {job["name"]: job for job in data["jobs"]}
    assert rows["invoices"]["title"] == "Review invoices"
    assert rows["invoices"]["counts"] == {"InProgress": 5, "Completed": 1, "Stopped": 1}
    assert (rows["invoices"]["submitted"], rows["invoices"]["needed"]) == (2, 14)
    assert rows["receipts"]["counts"] == {"InProgress": 2, "Completed": 1}
    assert (rows["receipts"]["submitted"], rows["receipts"]["needed"]) == (1, 3)
    assert data["totals"] == {"InProgress": 7, "Completed": 2, "Stopped": 1}
    assert (data["loops"], data["submitted"], data["totalJobs"]) == (10, 3, 2)
    assert data["jobNames"] == ["invoices", "receipts"]
    assert [lp["name"] for lp in data["recent"]] == [f"receipt-{i}" for i in (2, 1, 0)] + [
        f"invoice-{i}" for i in range(6, -1, -1)]
    assert data["recent"][-1]["workers"] == ["alice", "bob"]


@pytest.mark.usefixtures("jobs")
def test_job_filters_narrow_counts_and_jobs(service: Any) -> None:
    stopped = console.overview(service.context, Filters(status="Stopped"))
    assert [(j["name"], j["counts"]) for j in stopped["jobs"]] == [("invoices", {"Stopped": 1})]
    found = console.overview(service.context, Filters(search="RECEIPT-0"))
    assert [(j["name"], j["counts"], j["submitted"]) for j in found["jobs"]] == [("receipts", {"Completed": 1}, 1)]
    one = console.overview(service.context, Filters(job="invoices"))
    assert [j["name"] for j in one["jobs"]] == ["invoices"]
    assert one["totals"] == {"InProgress": 5, "Completed": 1, "Stopped": 1}
    nothing = console.overview(service.context, Filters(search="%"))   # a wildcard is a plain character
    assert (nothing["jobs"], nothing["loops"]) == ([], 0)


@pytest.mark.usefixtures("jobs")
def test_jobs_page_in_sql(service: Any) -> None:
    reports = service.context.store.reports
    assert [j["name"] for j in reports.jobs(offset=0, limit=1)] == ["receipts"]   # newest first
    assert [j["name"] for j in reports.jobs(offset=1, limit=1)] == ["invoices"]
    assert reports.jobs(offset=2, limit=1) == []
    assert reports.job_count() == 2
    assert reports.job_count(status="Failed") == 0


@pytest.mark.usefixtures("jobs")
def test_loops_page_filters_pages_and_counts(service: Any) -> None:
    data = console.loops_page(service.context, Filters(job="invoices", size=10))
    assert data["total"] == 7
    assert [lp["name"] for lp in data["loops"]] == [f"invoice-{i}" for i in range(6, -1, -1)]   # newest first
    first = {lp["name"]: lp for lp in data["loops"]}
    assert first["invoice-0"] | {"created": 0} == {
        "name": "invoice-0", "status": "Completed", "created": 0, "job": "invoices", "taskCount": 2,
        "submitted": 2, "claimed": 0, "workers": ["alice", "bob"]}
    assert (first["invoice-1"]["submitted"], first["invoice-1"]["claimed"]) == (0, 1)
    assert data["job"]["counts"] == {"InProgress": 5, "Completed": 1, "Stopped": 1}
    every = console.loops_page(service.context, Filters(status="Completed"))
    assert sorted((lp["name"], lp["job"]) for lp in every["loops"]) == [("invoice-0", "invoices"),
                                                                       ("receipt-0", "receipts")]
    assert every["job"] is None


@pytest.mark.usefixtures("jobs")
def test_loops_page_past_the_end_shows_the_last_page(service: Any) -> None:
    data = console.loops_page(service.context, Filters(job="invoices", size=10, page=40))
    assert (data["filters"].page, data["pages"], len(data["loops"])) == (1, 1, 7)


def test_paging_thousands_of_loops(service: Any, make_flow: Any) -> None:
    """3,000 loops: the counts and the last page come from SQL (aggregates, LIMIT/OFFSET)."""
    flow = make_flow("bulk", task_count=3)
    store = service.context.store
    now = service.context.clock.now() - 4000.0   # recent: the sweeper leaves them alone
    with store.transaction():
        for i in range(3000):
            name = f"bulk-{i:05d}"
            store.loops.insert({"name": name, "arn": f"arn:loop/{name}", "creation_time": now + i,
                                "status": "Completed" if i % 3 == 0 else "InProgress",
                                "flow_definition_arn": flow["flow_definition_arn"],
                                "doc": {"TaskCount": 3, "FlowDefinitionName": "bulk", "InputContent": "{}"}})
            if i % 3 == 0:
                store.claims.put({"loop_name": name, "worker_id": "0123456789abcdef", "status": "submitted",
                                  "claimed_at": 1.0, "deadline": 2.0, "submitted_at": 1.5, "doc": {}})
    data = console.overview(service.context, Filters())
    assert data["jobs"][0]["counts"] == {"Completed": 1000, "InProgress": 2000}
    assert (data["jobs"][0]["submitted"], data["jobs"][0]["needed"]) == (1000, 9000)
    last = console.loops_page(service.context, Filters(job="bulk", size=100, page=30))
    assert (last["total"], last["pages"], len(last["loops"])) == (3000, 30, 100)
    assert (last["loops"][0]["name"], last["loops"][-1]["name"]) == ("bulk-00099", "bulk-00000")
    assert last["loops"][-1]["workers"] == ["removed worker"]
    found = console.loops_page(service.context, Filters(job="bulk", status="Completed", search="-029"))
    assert found["total"] == 33   # bulk-02901, -02904, ..., -02997
    assert [lp["name"] for lp in found["loops"][:3]] == ["bulk-02997", "bulk-02994", "bulk-02991"]


@pytest.mark.usefixtures("jobs")
def test_loop_detail_has_names_times_and_answers(service: Any) -> None:
    data = console.loop_detail(service.context, "invoice-0")
    assert (data["status"], data["job"], data["title"], data["submitted"], data["taskCount"]) == (
        "Completed", "invoices", "Review invoices", 2, 2)
    assert json.loads(data["input"]) == {"text": "<b>invoice 0</b>"}
    assert [(a["worker"], a["status"]) for a in data["answers"]] == [("alice", "submitted"), ("bob", "submitted")]
    assert json.loads(data["answers"][0]["answer"]) == {"sentiment": {"label": "<script>alert(1)</script>"}}
    assert all(a["submittedAt"] for a in data["answers"])
    held = console.loop_detail(service.context, "invoice-1")
    assert [(a["worker"], a["status"], a["answer"]) for a in held["answers"]] == [("bob", "claimed", None)]


@pytest.mark.parametrize(("name", "status", "message"), [
    ("nope", 404, "There is no human loop named 'nope'"),
    ("bad_name", 400, "A human loop name has 1-63 letters, digits and hyphens"),
])
def test_loop_detail_refuses_unknown_and_bad_names(service: Any, name: str, status: int, message: str) -> None:
    with pytest.raises(Refused) as caught:
        console.loop_detail(service.context, name)
    assert caught.value.status == status
    assert message in caught.value.message


@pytest.mark.usefixtures("jobs")
def test_workers_with_teams_answers_and_open_tasks(service: Any) -> None:
    data = console.workers(service.context)
    rows = {w["name"]: w for w in data["workers"]}
    assert (rows["alice"]["answers"], rows["alice"]["claims"]) == (2, 0)
    assert (rows["bob"]["answers"], rows["bob"]["claims"]) == (1, 1)
    assert rows["alice"]["teams"] == ["team-invoices", "team-receipts"]
    assert data["teams"] == ["team-invoices", "team-receipts"]


@pytest.mark.parametrize(("query", "message"), [
    ({"status": "Done"}, "'status' must be one of InProgress, Stopping, Completed, Stopped, Failed, not 'Done'."),
    ({"page": "0"}, "'page' must be a whole number from 1 to 1000000, not '0'."),
    ({"page": "-1"}, "'page' must be a whole number from 1 to 1000000, not '-1'."),
    ({"size": "7"}, "'size' must be one of 10, 25, 50, 100, not '7'."),
    ({"size": "many"}, "'size' must be a whole number from 1 to 1000, not 'many'."),
    ({"job": "no such/job"}, "'job' must be a flow definition name (letters, digits and hyphens), not 'no such/job'."),
    ({"q": "x" * 64}, "'q' must be up to 63 printable characters of a loop name"),
])
def test_bad_filters_are_refused_with_a_message(query: dict[str, str], message: str) -> None:
    with pytest.raises(Refused) as caught:
        Filters.parse(query)
    assert caught.value.status == 400
    assert message in caught.value.message


def test_filters_round_trip_through_the_query_string() -> None:
    f = Filters.parse({"status": "Failed", "job": "a-b", "q": " inv ", "page": "3", "size": "50"})
    assert f == Filters("Failed", "a-b", "inv", 3, 50)
    assert f.query(page=4) == "?job=a-b&status=Failed&q=inv&page=4&size=50"
    assert Filters().query() == ""


def test_overview_has_a_place_for_the_quality_section() -> None:
    from a2i_kit.portal.console_pages import overview_page

    data = {"filters": Filters(), "pages": 1, "totalJobs": 0, "jobNames": [], "jobs": [], "totals": {},
            "loops": 0, "submitted": 0, "recent": []}
    staff = {"workers": [], "teams": []}
    shown = overview_page(data, staff, "token", quality='<section class="quality"><h2>Reviewer quality</h2></section>')
    assert '<div class="card console-quality" id="quality" data-quality><section class="quality">' in shown
    assert shown.index('id="workers"') < shown.index('id="quality"')
    assert "data-quality" not in overview_page(data, staff, "token")
