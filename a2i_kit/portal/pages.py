"""HTML of the worker portal pages. Every dynamic value goes through :func:`e` (HTML escaping).

The pages carry no inline script: behaviour lives in ``static/portal/portal.js`` and reads its
inputs from ``data-*`` attributes, so the portal's CSP can stay strict about script origins.

Example:
    >>> "&lt;b&gt;" in layout("Queue", "<p>{}</p>".format(e("<b>")))
    True
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from a2i_kit.portal.assets import prepare_task_html
from a2i_kit.service.hosts import PAGE_PREFIX

STATIC = "/_a2i/static/portal"
PORTAL = "/_a2i/portal"
# Fixed flash messages (?msg=...): the page never echoes free text from the URL.
MESSAGES = {
    "submitted": "Thank you, your answer was submitted.",
    "released": "The task went back to the queue.",
    "expired": "Your time for that task ran out; it went back to the queue.",
    "signedout": "You are signed out.",
}


def e(value: Any) -> str:
    """HTML-escape any value for text and attribute positions.

    >>> e('a"<')
    'a&quot;&lt;'
    """
    return escape("" if value is None else str(value), quote=True)


def href(path: str) -> str:
    """A service path as the browser reaches it: behind a proxy, under its prefix.

    >>> href("/_a2i/portal/")
    '/_a2i/portal/'
    """
    return f"{PAGE_PREFIX.get() or ''}{path}"


def csrf_field(csrf: str | None) -> str:
    """The hidden CSRF field every portal form carries (see :mod:`a2i_kit.service.sessions`)."""
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">' if csrf else ""


def post_button(action: str, label: str, csrf: str | None, *, css: str = "") -> str:
    """A one-button POST form (claim, release, sign out): never a state change on GET."""
    cls = f' class="{e(css)}"' if css else ""
    return (f'<form method="post" action="{e(action)}" class="inline">{csrf_field(csrf)}'
            f'<button type="submit"{cls}>{e(label)}</button></form>')


def layout(title: str, body: str, *, who: str | None = None, flash: str | None = None,
           status: str = "info", csrf: str | None = None) -> str:
    """The page frame: header with the signed-in worker, an optional message, the body."""
    out = post_button(f"{href(PORTAL)}/signout", "Sign out", csrf, css="link") if csrf \
        else f'<a href="{href(PORTAL)}/signout">Sign out</a>'
    account = f'<span class="who">Signed in as <strong>{e(who)}</strong></span> {out}' if who else ""
    message = f'<div class="flash flash-{e(status)}" role="status">{e(flash)}</div>' if flash else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · a2i-kit review</title>
<link rel="stylesheet" href="{href(STATIC)}/portal.css"><script type="module" src="{href(STATIC)}/portal.js"></script></head>
<body data-root="{e(PAGE_PREFIX.get() or '')}"><a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="{href(PORTAL)}/">a2i-kit review</a><nav>{account}</nav></header>
<main id="main" tabindex="-1">{message}{body}</main></body></html>"""


def signin_form(csrf: str | None) -> str:
    """The token form (the worker pastes the API token printed by ``a2i-kit review add-worker``)."""
    return f"""<section class="card narrow"><h1>Sign in</h1>
<p>Open the sign-in link you were given, or paste your worker token.</p>
<form method="post" action="{href(PORTAL)}/signin" class="stack">{csrf_field(csrf)}
<label for="token">Worker token</label>
<input id="token" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit" class="primary">Sign in</button></form></section>"""


def signin_page(error: str | None = None, *, notice: str | None = None, csrf: str | None = None) -> str:
    return layout("Sign in", signin_form(csrf), flash=error or notice, status="error" if error else "info")


def link_page(name: str, link: str, csrf: str, *, current: str | None = None) -> str:
    """Confirm a sign-in link: asked when another worker is signed in here, or when the link was
    opened from another site (so no page elsewhere can sign this browser in silently)."""
    if current:
        title = "Switch worker?"
        text = (f"You are signed in as <strong>{e(current)}</strong>. This link signs you in as "
                f"<strong>{e(name)}</strong> instead.")
        stay = f'<a class="button" href="{href(PORTAL)}/">Stay signed in as {e(current)}</a>'
    else:
        title, text, stay = "Sign in", f"This link signs you in as <strong>{e(name)}</strong>.", ""
    body = f"""<section class="card narrow"><h1>{title}</h1><p>{text}</p>
<form method="post" action="{href(PORTAL)}/signin/link" class="stack">{csrf_field(csrf)}
<input type="hidden" name="link" value="{e(link)}">
<button type="submit" class="primary">Sign in as {e(name)}</button></form><p>{stay}</p></section>"""
    return layout(title, body, who=current, csrf=csrf if current else None)


LINK_PROBLEMS = {
    "invalid": ("Sign-in link not valid", "This sign-in link is not valid (it may be cut short or "
                "come from another service). Ask whoever runs the review for a new sign-in link."),
    "expired": ("Sign-in link expired", "This sign-in link has expired. Ask whoever runs the review "
                "for a new sign-in link."),
    "used": ("Sign-in link already used", "This sign-in link was already used; each link works once. "
             "Ask whoever runs the review for a new sign-in link, or sign in with your worker token."),
    "replaced": ("Sign-in link no longer valid", "This sign-in link was replaced: the worker got a new "
                 "token or was removed. Ask whoever runs the review for a new sign-in link."),
}


def link_problem_page(problem: str, *, csrf: str | None = None) -> str:
    title, message = LINK_PROBLEMS[problem]
    body = f'<section class="card narrow"><h1>{e(title)}</h1><p>{e(message)}</p></section>{signin_form(csrf)}'
    return layout(title, body)


def signout_page(who: str, csrf: str) -> str:
    body = (f'<section class="card narrow"><h1>Sign out</h1><p>Sign out {e(who)} from this browser?</p>'
            f'{post_button(f"{href(PORTAL)}/signout", "Sign out", csrf, css="primary")}</section>')
    return layout("Sign out", body, who=who, csrf=csrf)


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
               csrf: str | None = None) -> str:
    """The worker's queue: one card per job (title, counts, "Start working"), its tasks below."""
    if not jobs:
        cards = '<p class="empty">No tasks are waiting for you right now. This page refreshes itself.</p>'
    else:
        cards = "".join(_job_card(job, csrf) for job in jobs)
    body = f'<h1>Your tasks</h1><div data-refresh="15" class="jobs">{cards}</div>'
    return layout("Your tasks", body, who=worker_name, flash=flash, csrf=csrf)


# Runs inside the task frame: when the portal asks (after focusing the frame), focus the template's
# first control, so a keyboard user answers at once (instructions and links are not answers). Keys
# that reach the portal page while the browser still moves focus into the frame (the frame runs in
# its own process) come over as "a2i-kit:key" and are replayed on the focused element.
FOCUS_FIRST_JS = """<script>
window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !event.data) return;
  if (event.data.type === "a2i-kit:key" && /^([0-9]|Enter)$/.test(String(event.data.key))) {
    let el = document.activeElement || document.body;
    while (el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    el.dispatchEvent(new KeyboardEvent("keydown", {key: event.data.key, shiftKey: !!event.data.shiftKey,
      bubbles: true, composed: true, cancelable: true}));
    return;
  }
  if (event.data.type !== "a2i-kit:focus-first") return;
  const active = document.activeElement, mark = document.documentElement.dataset;
  if (active && active !== document.body && active !== document.documentElement) { mark.focusedFirst = "kept"; return; }
  const CONTROL = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), "
    + "button:not([disabled]), [tabindex]:not([tabindex='-1'])";
  const SKIP = "aside, [part=instructions], short-instructions, full-instructions, dialog, .crowd-link, script, style";
  const find = (node) => {   // the flat tree: a host's shadow tree, slotted elements where their slot is
    const slotted = node.localName === "slot" ? node.assignedElements({flatten: true}) : [];
    const kids = node.shadowRoot ? node.shadowRoot.children : slotted.length ? slotted : node.children;
    for (const el of kids) {
      if (el.matches(SKIP)) continue;
      const box = el.getBoundingClientRect();
      if (el.matches(CONTROL) && box.width && box.height && getComputedStyle(el).visibility !== "hidden") return el;
      const inner = find(el);
      if (inner) return inner;
    }
    return null;
  };
  const first = find(document.body);
  if (first) first.focus();
  mark.focusedFirst = first ? first.localName : "none";
});
</script>"""


def task_frame(html_text: str, title: str) -> str:
    """The sandboxed srcdoc frame of a task (no allow-same-origin: an opaque origin)."""
    frame = prepare_task_html(html_text, static_base=None) + FOCUS_FIRST_JS
    return (f'<iframe class="task-frame" title="Task: {e(title)}" sandbox="allow-scripts allow-forms" '
            f'referrerpolicy="no-referrer" srcdoc="{e(frame)}" data-task-frame></iframe>')


STATUS_BOXES = ('<div class="flash flash-error" role="alert" data-submit-error hidden></div>\n'
                '<div class="flash flash-info" role="status" data-submit-ok hidden></div>')


def task_page(worker_name: str, task: dict[str, Any], remaining_seconds: float, *, csrf: str) -> str:
    """One claimed task: the template in a sandboxed srcdoc iframe (no allow-same-origin)."""
    loop = task["humanLoopName"]
    title = task.get("taskTitle") or loop
    body = f"""<section class="task-head" data-task data-loop="{e(loop)}" data-csrf="{e(csrf)}" data-remaining-ms="{int(remaining_seconds * 1000)}">
<div><h1>{e(title)}</h1><p class="muted">{e(task.get("taskDescription"))}</p>
<details class="howto"><summary>How this works</summary><p>Answer in the task below and press its Submit button.
Your answer is saved only when you submit. Use <em>Release</em> to give the task back to the queue.</p></details></div>
<div class="task-side"><div class="countdown" aria-live="polite">Time left: <strong data-countdown>…</strong></div>
{post_button(f"{href(PORTAL)}/tasks/{loop}/release", "Release", csrf)}
<a href="{href(PORTAL)}/">Back to tasks</a></div></section>
{STATUS_BOXES}
{task_frame(task["html"], title)}"""
    return layout(title, body, who=worker_name, csrf=csrf)


def error_page(title: str, message: str, *, who: str | None = None, csrf: str | None = None,
               back: tuple[str, str] | None = None) -> str:
    """A readable refusal; ``back`` = (href, label) of a link besides "Back to tasks"."""
    extra = f'<a class="button primary" href="{e(back[0])}" data-autofocus>{e(back[1])}</a> ' if back else ""
    body = (f'<section class="card narrow"><h1>{e(title)}</h1><p>{e(message)}</p>'
            f'<p>{extra}<a href="{href(PORTAL)}/">Back to tasks</a></p></section>')
    return layout(title, body, who=who, csrf=csrf)


# -- continuous work on a job ---------------------------------------------------------------------
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
    body = f"""<section class="task-head" data-task data-mode="amend" data-flow="{e(flow)}" data-loop="{e(loop)}"
 data-csrf="{e(csrf)}">
<div><p class="crumb"><a href="{href(PORTAL)}/">Your tasks</a> › {e(job["taskTitle"])}</p>
<h1>Change your answer: {e(title)}</h1>
<p>You answered this task at {_time(answer.get("submissionTime"))}. Submitting again <strong>replaces</strong>
that answer; then you go back to the task you were on.</p>
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
