"""What the manager console shows, as plain data: filters, jobs with totals, pages of loops, a
loop's answers and the workers. Every query goes through ``store.reports`` (aggregates, SQL paging).

A *job* is a flow definition, shown by its task title (``HumanLoopConfig.TaskTitle``) and name.

Example:
    >>> Filters.parse({"status": "Completed", "size": "50"}).status
    'Completed'
    >>> Filters.parse({"page": "0"})
    Traceback (most recent call last):
    ...
    a2i_kit.portal.forms.Refused: 'page' must be a whole number from 1 to 1000000, not '0'.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from a2i_kit.portal.forms import Refused
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.worker_http import LOOP_NAME
from a2i_kit.service.workforce import matching_definitions

STATUSES = ("InProgress", "Stopping", "Completed", "Stopped", "Failed")
PAGE_SIZES = (10, 25, 50, 100)
MAX_PAGE = 1_000_000
INPUT_PREVIEW = 4000   # characters of a loop's input shown on its page
RECENT = 10   # newest matching loops on the front page


def _bad(field: str, rule: str, value: str) -> Refused:
    shown = value[:40].encode("utf-8", "backslashreplace").decode()
    return Refused(400, "Filter not valid", f"'{field}' must be {rule}, not {shown!r}.")


@dataclass(frozen=True)
class Filters:
    """The console's filters and paging, read from (and written back to) the query string."""

    status: str | None = None
    job: str | None = None
    search: str | None = None
    page: int = 1
    size: int = 25

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        """Check every parameter; a bad one raises :class:`Refused` (a readable 400 page)."""
        status = query.get("status") or None
        if status is not None and status not in STATUSES:
            raise _bad("status", "one of " + ", ".join(STATUSES), status)
        job = query.get("job") or None
        if job is not None and not (len(job) <= 63 and LOOP_NAME.fullmatch(job)):
            raise _bad("job", "a flow definition name (letters, digits and hyphens)", job)
        search = (query.get("q") or "").strip() or None
        if search is not None and (len(search) > 63 or not search.isprintable()):
            raise _bad("q", "up to 63 printable characters of a loop name", search)
        return cls(status, job, search, _number(query, "page", 1, MAX_PAGE, 1), _size(query))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def query(self, **changes: Any) -> str:
        """The query string of these filters with ``changes`` (defaults left out)."""
        f = replace(self, **changes)
        pairs = {"job": f.job, "status": f.status, "q": f.search,
                 "page": f.page if f.page != 1 else None, "size": f.size if f.size != 25 else None}
        text = urlencode({k: v for k, v in pairs.items() if v is not None})
        return f"?{text}" if text else ""


def _number(query: Mapping[str, str], field: str, low: int, high: int, default: int) -> int:
    raw = query.get(field)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _bad(field, f"a whole number from {low} to {high}", raw)
    return int(raw)


def _size(query: Mapping[str, str]) -> int:
    size = _number(query, "size", 1, 1000, 25)
    if size not in PAGE_SIZES:
        raise _bad("size", "one of " + ", ".join(map(str, PAGE_SIZES)), str(size))
    return size


def clamp(filters: Filters, total: int) -> tuple[Filters, int]:
    """(filters on an existing page, number of pages): a page past the end shows the last one."""
    pages = max(1, -(-total // filters.size))
    return (filters if filters.page <= pages else replace(filters, page=pages)), pages


def job_view(flow: dict[str, Any], counts: dict[str, int], submitted: int) -> dict[str, Any]:
    config = flow["doc"].get("HumanLoopConfig") or {}
    per_loop = int(config.get("TaskCount") or 1)
    loops = sum(counts.values())
    return {"name": flow["name"], "arn": flow["arn"], "status": flow["status"],
            "title": config.get("TaskTitle") or "", "counts": counts, "loops": loops,
            "submitted": submitted, "needed": loops * per_loop}


def worker_names(ctx: ServiceContext) -> dict[str, str]:
    """``{worker_id: display name}`` of every worker."""
    return {w["name"]: w["doc"].get("name", w["name"]) for w in ctx.store.workers.all()}


def overview(ctx: ServiceContext, filters: Filters) -> dict[str, Any]:
    """The console's front page: totals, one page of jobs, the job names for the filter."""
    reports = ctx.store.reports
    loop_filter = {"status": filters.status, "search": filters.search}
    with ctx.store.snapshot():
        flow_arn = None
        if filters.job is not None:
            flow = ctx.store.flow_definitions.get(filters.job)
            flow_arn = flow["arn"] if flow else "-"
        total_jobs = reports.job_count(job=filters.job, **loop_filter)
        filters, pages = clamp(filters, total_jobs)
        flows = reports.jobs(job=filters.job, offset=filters.offset, limit=filters.size, **loop_filter)
        counts = reports.status_counts(flow_arn=flow_arn, **loop_filter)
        submitted = reports.submitted_counts(flow_arn=flow_arn, **loop_filter)
        names = reports.job_names()
        recent = _loop_rows(ctx, reports.loops(flow_arn=flow_arn, offset=0, limit=RECENT, **loop_filter), None)
    totals: dict[str, int] = {}
    for per_status in counts.values():
        for status, n in per_status.items():
            totals[status] = totals.get(status, 0) + n
    return {"filters": filters, "pages": pages, "totalJobs": total_jobs, "jobNames": names,
            "jobs": [job_view(flow, counts.get(flow["arn"], {}), submitted.get(flow["arn"], 0)) for flow in flows],
            "totals": totals, "loops": sum(totals.values()), "submitted": sum(submitted.values()), "recent": recent}


def _loop_rows(ctx: ServiceContext, rows: list[dict[str, Any]], job: str | None) -> list[dict[str, Any]]:
    """Loop rows of a table: with answer counts, who answered (by name) and the job's name."""
    answers = ctx.store.reports.assignment_counts([r["name"] for r in rows], ctx.clock.now())
    names = worker_names(ctx) if any(a["workers"] for a in answers.values()) else {}
    jobs = {} if job else {f["arn"]: f["name"] for f in ctx.store.flow_definitions.all()}
    return [{"name": r["name"], "status": r["status"], "created": r["creation_time"],
             "job": job or jobs.get(r["flow_definition_arn"], ""), "taskCount": r["task_count"],
             "submitted": answers[r["name"]]["submitted"], "claimed": answers[r["name"]]["claimed"],
             "workers": [names.get(w, "removed worker") for w in answers[r["name"]]["workers"]]} for r in rows]


def loops_page(ctx: ServiceContext, filters: Filters) -> dict[str, Any]:
    """One page of loops matching the filters (one job's when ``filters.job``), with answer counts."""
    reports = ctx.store.reports
    with ctx.store.snapshot():
        job = None
        if filters.job is not None:
            flow = ctx.store.flow_definitions.get(filters.job)
            if flow is None:
                raise Refused(404, "No such job", f"There is no flow definition named {filters.job!r}. "
                              "Pick a job from the list on the console's front page.")
            arn = flow["arn"]
            job = job_view(flow, reports.status_counts(flow_arn=arn).get(arn, {}),
                           reports.submitted_counts(flow_arn=arn).get(arn, 0))
        arn = job["arn"] if job else None
        total = reports.loop_count(flow_arn=arn, status=filters.status, search=filters.search)
        filters, pages = clamp(filters, total)
        rows = reports.loops(flow_arn=arn, status=filters.status, search=filters.search,
                             offset=filters.offset, limit=filters.size)
        loops = _loop_rows(ctx, rows, job["name"] if job else None)
    return {"filters": filters, "pages": pages, "total": total, "job": job, "loops": loops,
            "jobNames": reports.job_names()}


def loop_detail(ctx: ServiceContext, name: str) -> dict[str, Any]:
    """A loop's status, input summary and every assignment with its worker's name and answer."""
    if len(name) > 63 or not LOOP_NAME.fullmatch(name):
        raise Refused(400, "Not a loop name", "A human loop name has 1-63 letters, digits and hyphens; "
                      "open the loop from its job's list.")
    with ctx.store.snapshot():
        loop = ctx.store.loops.get(name)
        if loop is None or loop["deleted"]:
            raise Refused(404, "No such loop", f"There is no human loop named {name!r} (it may have been "
                          "deleted). Go back to the jobs list.")
        assignments = ctx.store.claims.of_loop(name)
        workers = {w["name"]: w["doc"] for w in ctx.store.workers.all()}
    doc, now = loop["doc"], ctx.clock.now()
    text = _pretty(doc.get("InputContent", "{}"))
    answers = []
    for row in sorted(assignments, key=lambda r: (r["status"] != "submitted", r.get("submitted_at") or 0)):
        who = workers.get(row["worker_id"])
        state = row["status"] if row["status"] != "claimed" or row["deadline"] > now else "expired"
        answers.append({"worker": who["name"] if who else "removed worker", "email": (who or {}).get("email"),
                        "workerId": row["worker_id"], "status": state, "claimedAt": row["claimed_at"],
                        "submittedAt": row.get("submitted_at"),
                        "answer": json.dumps(row["doc"].get("answerContent"), indent=2, ensure_ascii=False)
                        if row["status"] == "submitted" else None})
    return {"name": name, "status": loop["status"], "created": loop["creation_time"],
            "updated": loop.get("updated_time") or None, "job": doc.get("FlowDefinitionName", ""),
            "title": doc.get("TaskTitle", ""), "taskCount": int(doc.get("TaskCount") or 1),
            "failure": doc.get("FailureReason"), "output": doc.get("OutputS3Uri"),
            "input": text[:INPUT_PREVIEW], "inputChars": len(text), "answers": answers,
            "submitted": sum(1 for a in answers if a["status"] == "submitted")}


def _pretty(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw


def workers(ctx: ServiceContext) -> dict[str, Any]:
    """Every worker (name, email, teams, answers, open claims) and the teams a new one can join."""
    with ctx.store.snapshot():
        records = ctx.store.workers.all()
        teams = ctx.store.workteams.all()
        counts = ctx.store.reports.worker_counts(ctx.clock.now())
    rows = []
    for w in sorted(records, key=lambda r: r["doc"].get("name", "").lower()):
        doc = w["doc"]
        mine = [t["name"] for t in teams if matching_definitions(t["doc"], doc.get("groups", []))]
        n = counts.get(w["name"], {})
        rows.append({"id": w["name"], "name": doc.get("name", ""), "email": doc.get("email"), "teams": mine,
                     "answers": n.get("submitted", 0), "claims": n.get("claimed", 0)})
    return {"workers": rows, "teams": sorted(t["name"] for t in teams)}
