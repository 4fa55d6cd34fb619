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


def layout(title: str, body: str, *, who: str | None = None, flash: str | None = None,
           status: str = "info") -> str:
    """The page frame: header with the signed-in worker, an optional message, the body."""
    account = (f'<span class="who">Signed in as <strong>{e(who)}</strong></span> '
               f'<a href="{PORTAL}/signout">Sign out</a>') if who else ""
    message = f'<div class="flash flash-{e(status)}" role="status">{e(flash)}</div>' if flash else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · a2i-kit review</title>
<link rel="stylesheet" href="{STATIC}/portal.css"><script type="module" src="{STATIC}/portal.js"></script></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="{PORTAL}/">a2i-kit review</a><nav>{account}</nav></header>
<main id="main" tabindex="-1">{message}{body}</main></body></html>"""


def signin_page(error: str | None = None, *, notice: str | None = None) -> str:
    form = f"""<section class="card narrow"><h1>Sign in</h1>
<p>Open the sign-in link you were given, or paste your worker token.</p>
<form method="post" action="{PORTAL}/signin" class="stack">
<label for="token">Worker token</label>
<input id="token" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit" class="primary">Sign in</button></form></section>"""
    return layout("Sign in", form, flash=error or notice, status="error" if error else "info")


def signed_in_page(name: str) -> str:
    """After a sign-in link: same-site navigation onwards, so the SameSite=Strict cookie is sent."""
    body = (f'<section class="card narrow"><h1>Welcome, {e(name)}</h1>'
            f'<p><a class="button primary" href="{PORTAL}/" data-autofollow>Go to your tasks</a></p></section>')
    return layout("Signed in", body, who=name)


def _time(iso: str | None) -> str:
    return f'<time datetime="{e(iso)}">{e((iso or "")[:16].replace("T", " "))}</time>' if iso else ""


def queue_page(worker_name: str, tasks: list[dict[str, Any]], flash: str | None = None) -> str:
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
<td><form method="post" action="{PORTAL}/tasks/{e(t["humanLoopName"])}/claim">
<button type="submit" class="primary" data-loop="{e(t["humanLoopName"])}">{action}</button></form></td></tr>""")
        rows = ("<table class=\"grid\"><thead><tr><th>Task</th><th>Flow definition</th><th>Answers</th>"
                f"<th>Available until</th><th></th></tr></thead><tbody>{''.join(items)}</tbody></table>")
    body = f'<h1>Your tasks</h1><div data-refresh="15">{rows}</div>'
    return layout("Your tasks", body, who=worker_name, flash=flash)


def task_page(worker_name: str, task: dict[str, Any], remaining_seconds: float) -> str:
    """One claimed task: the template in a sandboxed srcdoc iframe (no allow-same-origin)."""
    loop = task["humanLoopName"]
    frame = prepare_task_html(task["html"], static_base=None)
    body = f"""<section class="task-head" data-task data-loop="{e(loop)}" data-remaining-ms="{int(remaining_seconds * 1000)}">
<div><h1>{e(task.get("taskTitle") or loop)}</h1><p class="muted">{e(task.get("taskDescription"))}</p>
<details class="howto"><summary>How this works</summary><p>Answer in the task below and press its Submit button.
Your answer is saved only when you submit. Use <em>Release</em> to give the task back to the queue.</p></details></div>
<div class="task-side"><div class="countdown" aria-live="polite">Time left: <strong data-countdown>…</strong></div>
<form method="post" action="{PORTAL}/tasks/{e(loop)}/release"><button type="submit">Release</button></form>
<a href="{PORTAL}/">Back to tasks</a></div></section>
<div class="flash flash-error" role="alert" data-submit-error hidden></div>
<div class="flash flash-info" role="status" data-submit-ok hidden></div>
<iframe class="task-frame" title="Task: {e(task.get("taskTitle") or loop)}" sandbox="allow-scripts allow-forms"
 referrerpolicy="no-referrer" srcdoc="{e(frame)}" data-task-frame></iframe>"""
    return layout(task.get("taskTitle") or loop, body, who=worker_name)


def error_page(title: str, message: str, *, who: str | None = None) -> str:
    body = (f'<section class="card narrow"><h1>{e(title)}</h1><p>{e(message)}</p>'
            f'<p><a href="{PORTAL}/">Back to tasks</a></p></section>')
    return layout(title, body, who=who)
