"""The manager console in Chromium at 1400 px and 400 px: jobs table with titles and totals,
filters and paging, a loop's answers one click away, stop/delete and worker actions through
their confirmation pages, no page-wide overflow on a phone. PNGs go to ``screenshots/``."""

from __future__ import annotations

import re
from typing import Any

import pytest
import screen_checks
from screen_checks import OVERFLOW_JS, save_shot

from a2i_kit.review import WorkerClient

page = screen_checks.page   # the page fixture at 1400 and 400 px
pytestmark = pytest.mark.browser
M = "/_a2i/portal/manage"




@pytest.fixture
def team(service: Any, make_flow: Any, start_loop: Any, make_worker: Any) -> dict[str, Any]:
    """Two jobs: ``sentiment`` (TaskCount 2, 30 loops, two answered) and ``invoices`` (3 loops);
    workers Alice Martin (with email) and Bob Chen, who holds one task."""
    sentiment = make_flow("sentiment", task_count=2)
    invoices = make_flow("invoices", group="reviewers")
    loops = [start_loop(sentiment, {"text": f"review number {i}"}, name=f"review-{i:03d}") for i in range(30)]
    for i in range(3):
        start_loop(invoices, {"text": f"invoice {i}"}, name=f"invoice-{i}")
    alice = make_worker("Alice Martin")
    bob = make_worker("Bob Chen")
    store = service.context.store
    doc = store.workers.get(alice["workerId"])["doc"]
    store.workers.update(alice["workerId"], doc={**doc, "email": "alice.martin@example.com"})
    with WorkerClient(service.url, alice["token"]) as a, WorkerClient(service.url, bob["token"]) as b:
        for loop in loops[:2]:
            a.claim(loop)
            a.submit(loop, {"sentiment": {"label": "positive"}, "note": "<script>alert('x')</script>"})
        b.claim(loops[0])
        b.submit(loops[0], {"sentiment": {"label": "negative"}})
        b.claim("invoice-0")
    return {"alice": alice, "bob": bob}


def sign_in(page: Any, service: Any) -> None:
    page.goto(f"{service.url}{M}")
    page.get_by_label("Admin token").fill(service.admin_token)
    page.get_by_role("button", name="Open manager view").click()
    page.get_by_role("heading", name="Review progress").wait_for()


def shot(page: Any, name: str) -> None:
    save_shot(page, name)


def fits(page: Any) -> None:
    """Nothing overflows the viewport; wide tables scroll inside their own box."""
    found = page.evaluate(OVERFLOW_JS)
    assert found["bad"] == [], found
    assert found["scrollWidth"] <= found["width"], found


@pytest.mark.usefixtures("team")
def test_console_screens(service: Any, page: Any) -> None:
    sign_in(page, service)
    width = page.viewport_size["width"]
    jobs = page.locator("table[data-jobs]")
    row = jobs.locator('tr[data-flow="sentiment"]')
    assert row.get_by_role("link", name="Review sentiment").is_visible()        # the task title, not a loop
    assert re.search(r"3 / 60", row.inner_text())                              # answers submitted / needed
    assert "30" in row.locator("td.num").first.inner_text()
    totals = page.locator("[data-totals]").inner_text()
    assert "33" in totals
    assert "3 / 60" not in totals
    workers = page.locator("table[data-workers]").inner_text()
    assert "Alice Martin" in workers
    assert "alice.martin@example.com" in workers
    assert "Bob Chen" in workers
    assert not re.search(r"\b[0-9a-f]{16}\b", workers)                        # never a hash as the label
    fits(page)
    if width == 400:   # one card per job, each value labelled; the worker's buttons in view
        assert jobs.locator("thead").is_hidden()
        assert row.locator('td[data-label="In progress"]').evaluate(
            "el => getComputedStyle(el, '::before').content") == '"In progress: "'
        assert row.locator('td[data-label="Failed"]').is_hidden()             # no zero counts on a card
        remove = page.locator('tr[data-worker="Bob Chen"]').get_by_role("link", name="Remove…")
        assert remove.bounding_box()["x"] + remove.bounding_box()["width"] <= width
    shot(page, "console-overview")

    row.get_by_role("link", name="Review sentiment").click()
    page.get_by_role("heading", name="Review sentiment").wait_for()
    assert page.locator("table[data-loops] tbody tr").count() == 25
    assert "1–25 of 30" in page.locator("[data-pager]").inner_text()
    fits(page)
    shot(page, "console-job")
    page.get_by_role("link", name="Next ›").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("table[data-loops] tbody tr").count() == 5
    assert "26–30 of 30" in page.locator("[data-pager]").inner_text()

    page.goto(f"{service.url}{M}/loops/review-000")
    answers = page.locator("[data-answers]")
    assert answers.locator('[data-worker="Alice Martin"] h3').inner_text().startswith("Alice Martin")
    assert "<script>alert('x')</script>" in answers.locator("pre").first.inner_text()   # shown as text
    assert "submitted" in answers.inner_text()
    fits(page)
    shot(page, "console-loop")


@pytest.mark.usefixtures("team")
def test_filters_search_and_page_size(service: Any, page: Any) -> None:
    sign_in(page, service)
    form = page.locator("form.console-filters")
    form.get_by_label("Status").select_option("Completed")
    form.get_by_label("Loop name").fill("review-00")
    form.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"status=Completed"))
    assert [r.get_attribute("data-flow") for r in page.locator("table[data-jobs] tbody tr").all()] == ["sentiment"]
    latest = [r.get_attribute("data-loop") for r in page.locator("table[data-loops] tbody tr").all()]
    assert latest == ["review-000"]                                            # the one Completed match
    form = page.locator("form.console-filters")
    form.get_by_label("Status").select_option("")
    form.get_by_label("Loop name").fill("review-0")
    form.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=review-0(&|$)"))
    assert page.locator("table[data-loops] tbody tr").count() == 10           # the newest ten of 30
    page.locator("[data-matching]").click()
    page.get_by_role("heading", name="All loops").wait_for()
    assert "1–25 of 30" in page.locator("[data-pager]").inner_text()
    page.goto(f"{service.url}{M}/loops?size=10")
    assert page.locator("table[data-loops] tbody tr").count() == 10
    assert "Page 1 of 4" in page.locator("[data-pager]").inner_text()
    page.goto(f"{service.url}{M}/loops?status=Nope")
    assert page.get_by_role("heading", name="Filter not valid").is_visible()
    fits(page)


@pytest.mark.usefixtures("team")
def test_stop_and_delete_a_loop(service: Any, page: Any, runtime_client: Any) -> None:
    sign_in(page, service)
    page.goto(f"{service.url}{M}/loops/review-010")
    page.get_by_role("link", name="Stop loop…").click()
    page.get_by_role("heading", name="Stop this loop?").wait_for()
    fits(page)
    shot(page, "console-confirm-stop")
    page.get_by_role("button", name="Stop loop").click()
    page.get_by_text("The loop was stopped.").wait_for()
    assert runtime_client.describe_human_loop(HumanLoopName="review-010")["HumanLoopStatus"] == "Stopped"
    page.get_by_role("link", name="Delete loop…").click()
    page.get_by_role("link", name="Cancel").click()                              # changes nothing
    page.get_by_role("link", name="Delete loop…").click()
    page.get_by_role("button", name="Delete loop").click()
    page.get_by_text("The loop was deleted.").wait_for()
    assert page.locator('tr[data-loop="review-010"]').count() == 0
    assert "1–25 of 29" in page.locator("[data-pager]").inner_text()


def test_worker_actions(service: Any, page: Any, team: dict[str, Any], browser: Any) -> None:
    sign_in(page, service)
    form = page.locator("form.console-add")
    form.get_by_label("Name").fill("Chloé Dupont")
    form.get_by_label("Email").fill("chloe@example.com")
    form.get_by_label("Team").select_option("team-sentiment")
    form.get_by_role("button", name="Add worker").click()
    page.get_by_role("heading", name="Worker added").wait_for()
    link = page.locator("[data-link]").input_value()
    assert "/_a2i/portal/login?link=" in link
    fits(page)
    shot(page, "console-worker-added")
    other = browser.new_context()
    try:   # the link signs her in, in another browser
        reviewer = other.new_page()
        reviewer.goto(link)
        reviewer.get_by_text("Signed in as Chloé Dupont").wait_for()
    finally:
        other.close()

    page.get_by_role("link", name="Back to the workers").click()
    bob = page.locator('tr[data-worker="Bob Chen"]')
    bob.get_by_role("button", name="New sign-in link").click()
    page.get_by_role("heading", name="New sign-in link").wait_for()
    assert "Bob Chen" in page.locator("[data-signin-link]").inner_text()
    page.get_by_role("link", name="Back to the workers").click()
    page.locator('tr[data-worker="Bob Chen"]').get_by_role("link", name="Remove…").click()
    page.get_by_role("heading", name="Remove this worker?").wait_for()
    page.get_by_role("button", name="Remove worker").click()
    page.get_by_text("their open tasks went back to the queue").wait_for()
    assert page.locator('tr[data-worker="Bob Chen"]').count() == 0
    claims = {a["worker_id"]: a["status"] for a in service.context.store.claims.of_loop("invoice-0")}
    assert claims == {team["bob"]["workerId"]: "released"}
    fits(page)
