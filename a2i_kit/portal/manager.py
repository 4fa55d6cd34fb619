"""Manager sign-in pages, and ``overview``: every loop by flow definition as plain data (small
services and tests; the console itself pages through ``store.reports``, see :mod:`a2i_kit.portal.console`).

Example:
    >>> from pathlib import Path; import tempfile
    >>> from a2i_kit.service.context import ServiceConfig, ServiceContext
    >>> overview(ServiceContext.create(ServiceConfig(data_dir=Path(tempfile.mkdtemp()))))["flows"]
    []
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from a2i_kit.portal.pages import PORTAL, csrf_field, href, layout, post_button
from a2i_kit.service.context import ServiceContext


def overview(ctx: ServiceContext) -> dict[str, Any]:
    """Counts and rows for the manager page (plain data, also handy in tests)."""
    flows = ctx.store.flow_definitions.all()
    loops = ctx.store.loops.visible()
    rows = ctx.store.claims.all()
    workers = {w["name"]: w["doc"].get("name", w["name"]) for w in ctx.store.workers.all()}
    by_loop: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_loop.setdefault(row["loop_name"], []).append(row)
    now = ctx.clock.now()
    out_flows = []
    for flow in flows:
        mine = [lp for lp in loops if lp["flow_definition_arn"] == flow["arn"]]
        loop_rows = []
        for lp in mine:
            assignments = by_loop.get(lp["name"], [])
            done = [a for a in assignments if a["status"] == "submitted"]
            live = [a for a in assignments if a["status"] == "claimed" and a["deadline"] > now]
            loop_rows.append({"name": lp["name"], "status": lp["status"],
                              "taskCount": int(lp["doc"].get("TaskCount") or 1), "submitted": len(done),
                              "claimed": len(live),
                              "workers": [workers.get(a["worker_id"], a["worker_id"]) for a in done]})
        out_flows.append({"name": flow["name"], "status": flow["status"],
                          "counts": dict(Counter(lp["status"] for lp in mine)), "loops": loop_rows})
    per_worker = Counter(r["worker_id"] for r in rows if r["status"] == "submitted")
    answers = [{"workerId": wid, "name": workers.get(wid, wid), "answers": n} for wid, n in per_worker.most_common()]
    return {"flows": out_flows, "workers": answers}


def manager_signin_page(error: str | None = None, *, csrf: str | None = None) -> str:
    body = f"""<section class="card narrow"><h1>Manager sign-in</h1>
<p>Paste the service's admin token (<code>ServiceThread.admin_token</code>, or the file
<code>&lt;data_dir&gt;/admin-token</code>).</p>
<form method="post" action="{href(PORTAL)}/manage/signin" class="stack">{csrf_field(csrf)}<label for="admin">Admin token</label>
<input id="admin" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit" class="primary">Open manager view</button></form></section>"""
    return layout("Manager sign-in", body, flash=error, status="error" if error else "info")


def manager_signout_page(csrf: str) -> str:
    body = ('<section class="card narrow"><h1>Leave manager view</h1><p>End the manager session in this '
            f'browser?</p>{post_button(href(f"{PORTAL}/manage/signout"), "Leave manager view", csrf, css="primary")}'
            "</section>")
    return layout("Leave manager view", body)
