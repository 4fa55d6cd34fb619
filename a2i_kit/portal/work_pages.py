"""HTML of the portal's continuous work: the queue's job cards, a job's task, the amend page, all done.

Each job is a card with its counts and "Start working"; in continuous mode the task page shows
"N left", Skip and Previous, and submitting loads the job's next task in place
(``static/portal/portal.js``). Every dynamic value goes through :func:`~a2i_kit.portal.pages.e`.

Example:
    >>> job = {"flowDefinitionName": "cats", "taskTitle": "Is it a cat?"}
    >>> "All done for Is it a cat?" in job_page("ana", job, available=0, csrf="t")
    True
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from a2i_kit.portal.pages import (
    PORTAL,
    STATUS_BOXES,
    csrf_field,
    e,
    href,
    layout,
    post_button,
    task_frame,
)


def _time(iso: str | None) -> str:
    return f'<time datetime="{e(iso)}">{e((iso or "")[:16].replace("T", " "))}</time>' if iso else ""


QUEUE_ROWS = 20   # tasks listed under a job; "Start working" serves the rest


def _job_card(job: dict[str, Any], csrf: str | None) -> str:
    """One job: its title, counts and "Start working", then its first tasks (each can be opened)."""
    flow, tasks = job["flowDefinitionName"], job["tasks"]
    verb = "Continue working" if job.get("claimedByMe") else "Start working"
    rows = []
    for index, t in enumerate(tasks[:QUEUE_ROWS], start=1):
        action = "Continue" if t.get("claimedByMe") else "Start"
        rows.append(f"""<tr><td data-label="Task"><strong>Task {index}</strong>
<div class="muted">added {_time(t.get("creationTime"))} <span class="mono" title="human loop name">{e(t["humanLoopName"])}</span></div></td>
<td data-label="Answers">{e(t.get("submittedCount", 0))} / {e(t.get("taskCount", 1))}</td>
<td data-label="Available until">{_time(t.get("availableUntil"))}</td>
<td><form method="post" action="{href(PORTAL)}/tasks/{e(t["humanLoopName"])}/claim" class="inline">{csrf_field(csrf)}
<button type="submit" data-loop="{e(t["humanLoopName"])}">{action}</button></form></td></tr>""")
    more = len(tasks) - QUEUE_ROWS
    more_note = f'<p class="muted">and {more} more: use <em>{verb}</em>.</p>' if more > 0 else ""
    return f"""<section class="card job" data-job="{e(flow)}" aria-labelledby="job-{e(flow)}">
<div class="job-head"><div><h2 id="job-{e(flow)}">{e(job["taskTitle"])}</h2>
<p class="muted">{e(job.get("taskDescription"))}</p>
<p class="counts"><strong data-available>{e(job["available"])}</strong> available to you · <span data-open>{e(job.get("open", job["available"]))}</span> open</p></div>
<form method="post" action="{href(PORTAL)}/jobs/{e(flow)}/start" data-start-form="{e(flow)}">{csrf_field(csrf)}
<button type="submit" class="primary" data-start="{e(flow)}">{verb}</button></form></div>
<table class="grid tasks"><thead><tr><th>Task</th><th>Answers</th><th>Available until</th><th></th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>{more_note}</section>"""


def queue_page(worker_name: str, jobs: list[dict[str, Any]], flash: str | None = None, *,
               csrf: str | None = None, notices: Sequence[str] = ()) -> str:
    """The worker's queue: one card per job (title, counts, "Start working"), its tasks below;
    ``notices`` say why a job shows nothing (a qualification to pass, or one failed)."""
    if not jobs:
        cards = '<p class="empty">No tasks are waiting for you right now. This page refreshes itself.</p>'
    else:
        cards = "".join(_job_card(job, csrf) for job in jobs)
    said = "".join(f'<p class="flash" role="status" data-notice>{e(line)}</p>' for line in notices)
    body = f'<h1>Your tasks</h1>{said}<div data-refresh="15" class="jobs">{cards}</div>'
    return layout("Your tasks", body, who=worker_name, flash=flash, csrf=csrf)


def _job_path(flow: str) -> str:
    return f"{href(PORTAL)}/jobs/{e(flow)}"


def work_page(worker_name: str, job: dict[str, Any], task: dict[str, Any], remaining_seconds: float, *,
              left: int, csrf: str, previous: str | None = None, flash: str | None = None) -> str:
    """A task of a job in continuous mode: "N left", Skip, Previous; submit loads the next task here."""
    flow, loop = job["flowDefinitionName"], task["humanLoopName"]
    title = task.get("taskTitle") or job["taskTitle"]
    back = (f'<a class="button" data-previous href="{_job_path(flow)}/answers/{e(previous)}">Previous</a>'
            if previous else f'<a class="button" data-previous href="{_job_path(flow)}" hidden>Previous</a>')
    body = f"""<section class="task-head" data-task data-mode="continuous" data-flow="{e(flow)}" data-loop="{e(loop)}"
 data-csrf="{e(csrf)}" data-remaining-ms="{int(remaining_seconds * 1000)}">
<div><p class="crumb"><a href="{href(PORTAL)}/">Your tasks</a> › {e(job["taskTitle"])}</p><h1>{e(title)}</h1>
<p class="muted">{e(task.get("taskDescription") or job.get("taskDescription"))}</p>
<details class="howto"><summary>How this works</summary><p>Answer in the task below and press its Submit button
(keys 1–9 pick an option, Enter submits); the next task of this job opens by itself. <em>Skip</em> gives this task
back to the queue and opens the next one; <em>Release</em> gives it back and stops; <em>Previous</em> lets you change your last answer while that task waits for other reviewers.</p></details></div>
<div class="task-side"><div class="left" aria-live="polite"><strong data-left>{e(left)}</strong> left</div>
<div class="countdown" aria-live="polite">Time left: <strong data-countdown>…</strong></div>
<div class="actions">{back}
<form method="post" action="{_job_path(flow)}/skip" class="inline" data-skip-form>{csrf_field(csrf)}
<input type="hidden" name="loop" value="{e(loop)}"><button type="submit" data-skip>Skip</button></form></div>
<div class="actions">{post_button(f"{href(PORTAL)}/tasks/{loop}/release", "Release", csrf)}
<a href="{href(PORTAL)}/">Back to tasks</a></div></div></section>
{STATUS_BOXES}
{task_frame(task["html"], title)}"""
    return layout(title, body, who=worker_name, csrf=csrf, flash=flash)


def amend_page(worker_name: str, job: dict[str, Any], answer: dict[str, Any], *, csrf: str) -> str:
    """Change an earlier answer: the task again, the stored answer beside it; submit replaces it."""
    flow, loop = job["flowDefinitionName"], answer["humanLoopName"]
    title = answer.get("taskTitle") or job["taskTitle"]
    stored = json.dumps(answer.get("answerContent"), indent=1, ensure_ascii=False)
    earlier = json.dumps(answer.get("answerContent") or {}, ensure_ascii=False)
    body = f"""<section class="task-head" data-task data-mode="amend" data-flow="{e(flow)}" data-loop="{e(loop)}"
 data-csrf="{e(csrf)}" data-earlier="{e(earlier)}">
<div><p class="crumb"><a href="{href(PORTAL)}/">Your tasks</a> › {e(job["taskTitle"])}</p>
<h1>Change your answer: {e(title)}</h1>
<p>You answered this task at {_time(answer.get("submissionTime"))}. Your choices and text are filled in
again (drawings and marks start empty). Submitting <strong>replaces</strong> that answer; then you go back
to the task you were on.</p>
<details class="howto"><summary>Your earlier answer</summary><pre class="mono answer">{e(stored)}</pre></details></div>
<div class="task-side"><a class="button" href="{_job_path(flow)}">Keep my answer and go back</a></div></section>
{STATUS_BOXES}
{task_frame(answer["html"], title)}"""
    return layout(f"Change your answer: {title}", body, who=worker_name, csrf=csrf)


def job_page(worker_name: str, job: dict[str, Any], *, available: int, skipped: int = 0, csrf: str,
             flash: str | None = None) -> str:
    """A job with nothing in hand: "All done for <title>", or its count and "Start working"."""
    flow = job["flowDefinitionName"]
    start = (f'<form method="post" action="{_job_path(flow)}/start" class="inline" data-start-form="{e(flow)}">'
             f'{csrf_field(csrf)}<button type="submit" class="primary" data-start="{e(flow)}">Start working</button></form>')
    queue = f'<a class="button{" primary" if not available else ""}" href="{href(PORTAL)}/" data-autofocus>Back to your tasks</a>'
    if available and not skipped:
        title = job["taskTitle"]
        text = f"{available} task{'s' if available != 1 else ''} of this job {'are' if available != 1 else 'is'} waiting for you."
        actions = f"{start} {queue}"
    else:
        title = f"All done for {job['taskTitle']}"
        text = "There are no more tasks in this job for you right now. Thank you!"
        if skipped:
            text += (f" You skipped {skipped} task{'s' if skipped != 1 else ''}; they went back to the queue, and "
                     "Start working shows them again.")
        actions = f"{queue} {start}" if available else queue
    body = (f'<section class="card narrow" data-job-page="{e(flow)}"{" data-all-done" if title.startswith("All done") else ""}>'
            f'<h1>{e(title)}</h1><p>{e(text)}</p><p class="actions">{actions}</p></section>')
    return layout(title, body, who=worker_name, csrf=csrf, flash=flash)
