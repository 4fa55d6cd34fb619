"""HTML of the worker portal pages. Every dynamic value goes through :func:`e` (HTML escaping).

The pages carry no inline script: behaviour lives in ``static/portal/portal.js`` and reads its
inputs from ``data-*`` attributes, so the portal's CSP can stay strict about script origins.

Example:
    >>> "&lt;b&gt;" in layout("Queue", "<p>{}</p>".format(e("<b>")))
    True
"""

from __future__ import annotations

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


def queue_page(worker_name: str, tasks: list[dict[str, Any]], flash: str | None = None, *,
               csrf: str | None = None) -> str:
    """The worker's queue: one row per task with a Start/Continue button (a POST form)."""
    if not tasks:
        rows = '<p class="empty">No tasks are waiting for you right now. This page refreshes itself.</p>'
    else:
        items = []
        for t in tasks:
            action = "Continue" if t.get("claimedByMe") else "Start"
            items.append(f"""<tr><td><strong>{e(t.get("taskTitle") or t["humanLoopName"])}</strong>
<div class="muted">{e(t.get("taskDescription"))}</div></td>
<td>{e(t.get("flowDefinitionName"))}<div class="muted mono">{e(t["humanLoopName"])}</div></td>
<td>{e(t.get("submittedCount", 0))} / {e(t.get("taskCount", 1))}</td>
<td>{_time(t.get("availableUntil"))}</td>
<td><form method="post" action="{href(PORTAL)}/tasks/{e(t["humanLoopName"])}/claim">{csrf_field(csrf)}
<button type="submit" class="primary" data-loop="{e(t["humanLoopName"])}">{action}</button></form></td></tr>""")
        rows = ("<table class=\"grid\"><thead><tr><th>Task</th><th>Flow definition</th><th>Answers</th>"
                f"<th>Available until</th><th></th></tr></thead><tbody>{''.join(items)}</tbody></table>")
    body = f'<h1>Your tasks</h1><div data-refresh="15">{rows}</div>'
    return layout("Your tasks", body, who=worker_name, flash=flash, csrf=csrf)


def task_page(worker_name: str, task: dict[str, Any], remaining_seconds: float, *, csrf: str) -> str:
    """One claimed task: the template in a sandboxed srcdoc iframe (no allow-same-origin)."""
    loop = task["humanLoopName"]
    frame = prepare_task_html(task["html"], static_base=None)
    body = f"""<section class="task-head" data-task data-loop="{e(loop)}" data-csrf="{e(csrf)}" data-remaining-ms="{int(remaining_seconds * 1000)}">
<div><h1>{e(task.get("taskTitle") or loop)}</h1><p class="muted">{e(task.get("taskDescription"))}</p>
<details class="howto"><summary>How this works</summary><p>Answer in the task below and press its Submit button.
Your answer is saved only when you submit. Use <em>Release</em> to give the task back to the queue.</p></details></div>
<div class="task-side"><div class="countdown" aria-live="polite">Time left: <strong data-countdown>…</strong></div>
{post_button(f"{href(PORTAL)}/tasks/{loop}/release", "Release", csrf)}
<a href="{href(PORTAL)}/">Back to tasks</a></div></section>
<div class="flash flash-error" role="alert" data-submit-error hidden></div>
<div class="flash flash-info" role="status" data-submit-ok hidden></div>
<iframe class="task-frame" title="Task: {e(task.get("taskTitle") or loop)}" sandbox="allow-scripts allow-forms"
 referrerpolicy="no-referrer" srcdoc="{e(frame)}" data-task-frame></iframe>"""
    return layout(task.get("taskTitle") or loop, body, who=worker_name, csrf=csrf)


def error_page(title: str, message: str, *, who: str | None = None, csrf: str | None = None) -> str:
    body = (f'<section class="card narrow"><h1>{e(title)}</h1><p>{e(message)}</p>'
            f'<p><a href="{href(PORTAL)}/">Back to tasks</a></p></section>')
    return layout(title, body, who=who, csrf=csrf)
