"""HTML of the manager console (data from :mod:`a2i_kit.portal.console`). Every value goes
through :func:`~a2i_kit.portal.pages.e`; no inline script; actions are POST forms carrying the
manager session's CSRF token, destructive ones behind a confirmation page (a GET that only asks).

Example:
    >>> "data-pager" in pager(Filters(page=2), 3, 60, "/_a2i/portal/manage")
    True
"""

from __future__ import annotations

from typing import Any

from a2i_kit.portal.console import PAGE_SIZES, STATUSES, Filters
from a2i_kit.portal.pages import PORTAL, csrf_field, e, href, layout, post_button
from a2i_kit.service.timefmt import iso_seconds

MANAGE = f"{PORTAL}/manage"
MESSAGES = {   # fixed flash messages (?msg=...): the page never echoes free text from the URL
    "stopped": "The loop was stopped. Answers already submitted are kept.",
    "deleted": "The loop was deleted.",
    "removed": "The worker was removed; their open tasks went back to the queue.",
}
STATUS_WORDS = {"InProgress": "In progress", "Stopping": "Stopping", "Completed": "Completed",
                "Stopped": "Stopped", "Failed": "Failed"}


def when(epoch: float | None) -> str:
    if not epoch:
        return ""
    iso = iso_seconds(epoch)
    return f'<time datetime="{e(iso)}">{e(iso[:16].replace("T", " "))} UTC</time>'


def pill(status: str) -> str:
    return f'<span class="pill pill-{e(status)}">{e(STATUS_WORDS.get(status, status))}</span>'


def progress(done: int, needed: int, claimed: int = 0) -> str:
    busy = f' <span class="muted">({claimed} in progress)</span>' if claimed else ""
    return (f'<progress max="{max(needed, 1)}" value="{min(done, max(needed, 1))}"></progress> '
            f'<span class="console-count">{done:,} / {needed:,}</span>{busy}')


def scroll(table: str) -> str:
    """A wide table scrolls inside its own box on a narrow screen (the page never does)."""
    return f'<div class="console-scroll" tabindex="0" role="region" aria-label="Table, scrolls sideways">{table}</div>'


def nav(csrf: str | None) -> str:
    leave = post_button(href(f"{MANAGE}/signout"), "Leave manager view", csrf, css="link") if csrf else ""
    return (f'<nav class="console-nav" aria-label="Console"><a href="{href(MANAGE)}">Jobs</a>'
            f'<a href="{href(MANAGE)}/loops">All loops</a><a href="{href(MANAGE)}#workers">Workers</a>'
            f'<span class="console-leave">{leave}</span></nav>')


def page(title: str, body: str, csrf: str | None, *, flash: str | None = None, status: str = "info") -> str:
    return layout(title, nav(csrf) + body, flash=flash, status=status)


def pager(filters: Filters, pages: int, total: int, path: str) -> str:
    first = filters.offset + 1 if total else 0
    last = min(filters.offset + filters.size, total)
    prev = (f'<a rel="prev" href="{e(href(path) + filters.query(page=filters.page - 1))}">‹ Previous</a>'
            if filters.page > 1 else '<span class="muted">‹ Previous</span>')
    nxt = (f'<a rel="next" href="{e(href(path) + filters.query(page=filters.page + 1))}">Next ›</a>'
           if filters.page < pages else '<span class="muted">Next ›</span>')
    return (f'<nav class="console-pager" aria-label="Pages" data-pager><span>{first:,}–{last:,} of {total:,}</span>'
            f'{prev}<span>Page {filters.page:,} of {pages:,}</span>{nxt}</nav>')


def _options(values: list[str] | tuple[str, ...], chosen: str | None, words: dict[str, str] | None = None,
             any_label: str | None = None) -> str:
    out = [f'<option value="">{e(any_label)}</option>'] if any_label else []
    out += [f'<option value="{e(v)}"{" selected" if v == chosen else ""}>{e((words or {}).get(v, v))}</option>'
            for v in values]
    return "".join(out)


def filter_form(filters: Filters, path: str, job_names: list[str], *, with_job: bool = True) -> str:
    job = (f'<label>Job <select name="job">{_options(job_names, filters.job, any_label="All jobs")}</select></label>'
           if with_job else f'<input type="hidden" name="job" value="{e(filters.job)}">')
    sizes = _options([str(s) for s in PAGE_SIZES], str(filters.size))
    return f"""<form class="console-filters" method="get" action="{e(href(path))}" role="search">
<label>Status <select name="status">{_options(STATUSES, filters.status, STATUS_WORDS, "Any status")}</select></label>
{job}<label>Loop name <input type="search" name="q" value="{e(filters.search)}" maxlength="63" placeholder="contains…"></label>
<label>Per page <select name="size">{sizes}</select></label>
<button type="submit">Apply</button><a href="{e(href(path))}{e(Filters(job=filters.job if not with_job else None).query())}">Clear</a></form>"""


def totals(counts: dict[str, int], loops: int, submitted: int, needed: int | None = None) -> str:
    parts = "".join(f'<li>{pill(s)} <strong>{counts.get(s, 0):,}</strong></li>' for s in STATUSES)
    answers = f"{submitted:,}" + (f" / {needed:,} needed" if needed is not None else " submitted")
    return (f'<ul class="console-totals" data-totals><li><span class="muted">Loops</span> <strong>{loops:,}</strong></li>'
            f'{parts}<li><span class="muted">Answers</span> <strong>{answers}</strong></li></ul>')


def jobs_table(jobs: list[dict[str, Any]], filters: Filters) -> str:
    if not jobs:
        return '<p class="empty">No jobs match. Create a flow definition, or clear the filters.</p>'
    head = "".join(f"<th>{e(STATUS_WORDS[s])}</th>" for s in STATUSES)
    rows = []
    for job in jobs:
        link = href(f"{MANAGE}/loops") + Filters(job=job["name"], status=filters.status, search=filters.search).query()
        state = "" if job["status"] == "Active" else f' <span class="muted">({e(job["status"])})</span>'
        cells = "".join(f'<td class="num{"" if job["counts"].get(s) else " zero"}" data-label="{e(STATUS_WORDS[s])}">'
                        f'{job["counts"].get(s, 0):,}</td>' for s in STATUSES)
        rows.append(f'<tr data-flow="{e(job["name"])}"><td><a href="{e(link)}"><strong>{e(job["title"] or job["name"])}'
                    f'</strong></a><div class="muted mono">{e(job["name"])}{state}</div></td>'
                    f'<td class="num" data-label="Loops">{job["loops"]:,}</td>{cells}'
                    f'<td data-label="Answers">{progress(job["submitted"], job["needed"])}</td></tr>')
    return scroll(f'<table class="grid console-table" data-jobs><thead><tr><th>Job</th><th>Loops</th>{head}'
                  f'<th>Answers</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def overview_page(data: dict[str, Any], staff: dict[str, Any], csrf: str | None, *, flash: str | None = None,
                  quality: str = "") -> str:
    f = data["filters"]
    every = href(f"{MANAGE}/loops") + Filters(job=f.job, status=f.status, search=f.search).query()
    more = (f'<p><a href="{e(every)}" data-matching>All {data["loops"]:,} {"matching " if f.status or f.search else ""}'
            'loops ›</a></p>') if data["loops"] > len(data["recent"]) else ""
    body = f"""<h1>Review progress</h1>
<section class="card">{totals(data["totals"], data["loops"], data["submitted"])}{filter_form(f, MANAGE, data["jobNames"])}</section>
<section class="card" aria-labelledby="jobs-h"><h2 id="jobs-h">Jobs</h2>{jobs_table(data["jobs"], f)}
{pager(f, data["pages"], data["totalJobs"], MANAGE) if data["totalJobs"] > f.size else ""}</section>
<section class="card" aria-labelledby="recent-h"><h2 id="recent-h">Latest loops</h2>{loops_table(data["recent"], True)}{more}</section>
{workers_section(staff, csrf)}
{f'<div class="card console-quality" id="quality" data-quality>{quality}</div>' if quality else ""}"""
    return page("Manager console", body, csrf, flash=flash)


def loops_table(loops: list[dict[str, Any]], show_job: bool) -> str:
    if not loops:
        return '<p class="empty">No loops match these filters.</p>'
    rows = []
    for lp in loops:
        job = f'<td class="mono" data-label="Job">{e(lp["job"])}</td>' if show_job else ""
        url = href(f"{MANAGE}/loops/{lp['name']}")
        rows.append(f'<tr data-loop="{e(lp["name"])}"><td><a class="mono" href="{e(url)}">'
                    f'{e(lp["name"])}</a></td>{job}<td data-label="Status">{pill(lp["status"])}</td>'
                    f'<td data-label="Created">{when(lp["created"])}</td>'
                    f'<td data-label="Answers">{progress(lp["submitted"], lp["taskCount"], lp["claimed"])}</td>'
                    f'<td data-label="Answered by">{e(", ".join(lp["workers"]))}</td></tr>')
    head = "<th>Job</th>" if show_job else ""
    return scroll(f'<table class="grid console-table" data-loops><thead><tr><th>Human loop</th>{head}<th>Status</th>'
                  f'<th>Created</th><th>Answers</th><th>Answered by</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def loops_page(data: dict[str, Any], csrf: str | None, *, flash: str | None = None) -> str:
    f, job = data["filters"], data["job"]
    path = f"{MANAGE}/loops"
    if job:
        head = (f'<p class="muted"><a href="{href(MANAGE)}">‹ All jobs</a></p><h1>{e(job["title"] or job["name"])}</h1>'
                f'<p class="muted mono">{e(job["name"])}</p>'
                f'<section class="card">{totals(job["counts"], job["loops"], job["submitted"], job["needed"])}')
    else:
        head = f'<p class="muted"><a href="{href(MANAGE)}">‹ All jobs</a></p><h1>All loops</h1><section class="card">'
    body = (f'{head}{filter_form(f, path, data["jobNames"], with_job=job is None)}</section>'
            f'<section class="card">{loops_table(data["loops"], job is None)}{pager(f, data["pages"], data["total"], path)}'
            "</section>")
    return page(job["title"] or job["name"] if job else "All loops", body, csrf, flash=flash)


def loop_page(data: dict[str, Any], csrf: str | None, *, flash: str | None = None) -> str:
    name, status = data["name"], data["status"]
    base = f"{MANAGE}/loops/{name}"
    actions = []
    if csrf and status == "InProgress":
        actions.append(f'<a class="button" href="{e(href(base))}/stop">Stop loop…</a>')
    if csrf and status in ("Completed", "Stopped", "Failed"):
        actions.append(f'<a class="button danger" href="{e(href(base))}/delete">Delete loop…</a>')
    if not csrf:
        actions.append('<p class="muted">Sign in with the admin token form to stop or delete loops.</p>')
    facts = [("Status", pill(status)), ("Job", f'<a href="{e(href(f"{MANAGE}/loops") + Filters(job=data["job"]).query())}">'
                                               f'{e(data["title"] or data["job"])}</a>'),
             ("Answers", progress(data["submitted"], data["taskCount"])), ("Created", when(data["created"]))]
    if data["updated"]:
        facts.append(("Last change", when(data["updated"])))
    if data["failure"]:
        facts.append(("Failure", e(data["failure"])))
    if data["output"]:
        facts.append(("Output", f'<span class="mono">{e(data["output"])}</span>'))
    cut = (f'<p class="muted">First {len(data["input"]):,} of {data["inputChars"]:,} characters.</p>'
           if data["inputChars"] > len(data["input"]) else "")
    body = f"""<p class="muted"><a href="{e(href(f"{MANAGE}/loops") + Filters(job=data["job"]).query())}">‹ {e(data["title"] or data["job"])}</a></p>
<h1 class="mono console-title">{e(name)}</h1>
<section class="card"><dl class="console-facts">{"".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)}</dl>
<div class="console-actions">{"".join(actions)}</div></section>
<section class="card"><h2>Input</h2><pre class="console-json" data-input>{e(data["input"])}</pre>{cut}</section>
<section class="card" data-answers><h2>Answers</h2>{answers_list(data["answers"])}</section>"""
    return page(name, body, csrf, flash=flash)


def answers_list(answers: list[dict[str, Any]]) -> str:
    if not answers:
        return '<p class="empty">Nobody has worked on this loop yet.</p>'
    out = []
    for a in answers:
        email = f' <span class="muted">&lt;{e(a["email"])}&gt;</span>' if a.get("email") else ""
        state = (f'submitted {when(a["submittedAt"])}' if a["status"] == "submitted"
                 else f'{e(a["status"])} · claimed {when(a["claimedAt"])}')
        body = f'<pre class="console-json">{e(a["answer"])}</pre>' if a["answer"] is not None else ""
        out.append(f'<article class="console-answer" data-worker="{e(a["worker"])}"><h3>{e(a["worker"])}{email}</h3>'
                   f'<p class="muted">{state}</p>{body}</article>')
    return "".join(out)


def workers_section(staff: dict[str, Any], csrf: str | None) -> str:
    rows = []
    for w in staff["workers"]:
        email = f'<div class="muted">{e(w["email"])}</div>' if w["email"] else ""
        acts = ""
        if csrf:
            remove = href(f"{MANAGE}/workers/{w['id']}/remove")
            acts = (post_button(href(f"{MANAGE}/workers/{w['id']}/signin-link"), "New sign-in link", csrf)
                    + f' <a class="button danger" href="{e(remove)}">Remove…</a>')
        rows.append(f'<tr data-worker="{e(w["name"])}"><td><strong>{e(w["name"])}</strong>{email}</td>'
                    f'<td data-label="Teams">{e(", ".join(w["teams"]) or "none")}</td>'
                    f'<td class="num" data-label="Answers">{w["answers"]:,}</td>'
                    f'<td class="num" data-label="Open tasks">{w["claims"]:,}</td><td class="console-acts"><div class="console-row-actions">{acts}</div></td></tr>')
    table = (scroll('<table class="grid console-table" data-workers><thead><tr><th>Worker</th><th>Teams</th>'
                    f'<th>Answers</th><th>Open tasks</th><th></th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
             if rows else '<p class="empty">No workers yet. Add the first one below.</p>')
    return (f'<section class="card" id="workers" aria-labelledby="workers-h"><h2 id="workers-h">Workers</h2>'
            f'{table}{add_worker_form(staff["teams"], csrf)}</section>')


def add_worker_form(teams: list[str], csrf: str | None) -> str:
    if not csrf:
        return '<p class="muted">Sign in with the admin token form to add or remove workers.</p>'
    if not teams:
        return '<p class="muted">Create a workteam first (CreateWorkteam); workers join a team.</p>'
    return f"""<form class="console-add" method="post" action="{e(href(MANAGE))}/workers" aria-label="Add a worker">
{csrf_field(csrf)}<h3>Add a worker</h3>
<label>Name <input name="name" required maxlength="128" autocomplete="off"></label>
<label>Email <input name="email" type="email" maxlength="254" autocomplete="off" placeholder="optional"></label>
<label>Team <select name="team" required>{_options(teams, teams[0] if len(teams) == 1 else None, any_label=None if len(teams) == 1 else "Choose…")}</select></label>
<button type="submit" class="primary">Add worker</button></form>"""


def link_card(title: str, who: dict[str, Any], link: str, expires_days: float) -> str:
    email = f" &lt;{e(who['email'])}&gt;" if who.get("email") else ""
    return f"""<section class="card console-link" data-signin-link aria-live="polite"><h2>{e(title)}</h2>
<p>Send this sign-in link to <strong>{e(who["name"])}</strong>{email}. It is shown only now; it works once,
for {expires_days:g} days. If it is lost, make a new one from the workers table.</p>
<label>Sign-in link <input class="mono" readonly value="{e(link)}" data-link></label></section>"""


def confirm_page(title: str, text: str, action: str, label: str, csrf: str | None, back: str) -> str:
    if not csrf:
        form = '<p class="muted">Sign in with the admin token form to do this.</p>'
    else:
        form = post_button(href(action), label, csrf, css="danger")
    body = (f'<section class="card narrow" data-confirm><h1>{e(title)}</h1><p>{text}</p>'
            f'<div class="console-actions">{form}<a class="button" href="{e(href(back))}">Cancel</a></div></section>')
    return page(title, body, csrf)


def refused(title: str, message: str, csrf: str | None) -> str:
    body = (f'<section class="card narrow"><h1>{e(title)}</h1><p>{e(message)}</p>'
            f'<p><a href="{href(MANAGE)}">Back to the console</a></p></section>')
    return page(title, body, csrf, flash=None)
