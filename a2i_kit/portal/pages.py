"""HTML of the worker portal pages. Every dynamic value goes through :func:`e` (HTML escaping).

The pages carry no inline script: behaviour lives in ``static/portal/portal.js`` and reads its
inputs from ``data-*`` attributes, so the portal's CSP can stay strict about script origins.
The continuous-work pages (queue cards, a job's task, amend, all done) are in
:mod:`a2i_kit.portal.work_pages`.

Example:
    >>> "&lt;b&gt;" in layout("Queue", "<p>{}</p>".format(e("<b>")))
    True
"""

from __future__ import annotations

from html import escape
from typing import Any

from a2i_kit.crowd import prepare_task_html, sandboxed_iframe
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


# Runs inside the task frame: on an amend page the portal first sends the earlier answer to put back
# into the controls. When the portal asks (after focusing the frame), focus the template's first control, so a keyboard user answers at once (instructions and links are not answers). Keys
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
  if (event.data.type === "a2i-kit:fill") {   // amending: the earlier answer back in the controls
    const form = document.querySelector("crowd-form");
    const names = form && typeof form.fill === "function" ? form.fill(event.data.answer) : [];
    document.documentElement.dataset.filled = names.join(" ") || "-";
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
    return sandboxed_iframe(frame, {"class": "task-frame", "title": f"Task: {title}",
                                    "referrerpolicy": "no-referrer", "data-task-frame": None})


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
