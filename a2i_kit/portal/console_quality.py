"""The manager console's "Reviewer quality" section: each worker's accuracy on gold tasks.

One table per job (flow definition) with quality control: the worker's name (never the id),
gold answers, accuracy with its 95 % interval (a rate from few items says little: the interval
says how little), and the qualification outcome. Every value is escaped. The console's page
calls :func:`quality_section` and places the HTML where it wants it.

Example:
    >>> quality_section_html([], {})
    '<section class="quality" aria-labelledby="quality-h"><h2 id="quality-h">Reviewer quality</h2><p class="empty">No job has gold tasks or a qualification set yet. Add them from a notebook: <code>a2i_kit.review.quality.add_gold_items(session, flow, items, rate=0.1)</code>.</p></section>'
"""

from __future__ import annotations

from typing import Any

from a2i_kit.portal.pages import e
from a2i_kit.service.context import ServiceContext
from a2i_kit.service.quality_report import worker_accuracy

QUALIFICATION = {"none": "not needed yet", "pending": "in progress", "passed": "passed", "failed": "failed"}


def quality_section(ctx: ServiceContext, flow_name: str | None = None) -> str:
    """The section's HTML, live from the store (all jobs, or one)."""
    rows = worker_accuracy(ctx, flow_name)
    configs = ctx.store.quality.configs()
    titles = {}
    for flow in {r["flowDefinitionName"] for r in rows} | set(configs):
        record = ctx.store.flow_definitions.get(flow)
        config = (record or {}).get("doc", {}).get("HumanLoopConfig", {}) if record else {}
        titles[flow] = str(config.get("TaskTitle") or flow)
    if flow_name is not None:
        titles = {k: v for k, v in titles.items() if k == flow_name}
    return quality_section_html(rows, titles)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _accuracy_cell(row: dict[str, Any]) -> str:
    n = row["goldAnswered"]
    if not n:
        return '<span class="muted">no gold answers yet</span>'
    return (f"<strong>{_percent(row['accuracy'])}</strong> <span class=\"muted\">({row['goldCorrect']} of {n}; "
            f"95 % interval {_percent(row['low'])}–{_percent(row['high'])})</span>")


def _qualification_cell(row: dict[str, Any]) -> str:
    state = QUALIFICATION.get(row["qualification"], row["qualification"])
    if row["qualificationAnswered"]:
        state += f" ({row['qualificationCorrect']} of {row['qualificationAnswered']} right)"
    return e(state)


def quality_section_html(rows: list[dict[str, Any]], titles: dict[str, str]) -> str:
    """The section from :func:`a2i_kit.service.quality_report.worker_accuracy` rows and job titles."""
    parts = ['<section class="quality" aria-labelledby="quality-h"><h2 id="quality-h">Reviewer quality</h2>']
    if not titles:
        parts.append('<p class="empty">No job has gold tasks or a qualification set yet. Add them from a notebook: '
                     "<code>a2i_kit.review.quality.add_gold_items(session, flow, items, rate=0.1)</code>.</p>")
    for flow in sorted(titles, key=lambda f: (titles[f], f)):
        mine = [r for r in rows if r["flowDefinitionName"] == flow]
        parts.append(f'<h3>{e(titles[flow])} <span class="muted mono">{e(flow)}</span></h3>')
        if not mine:
            parts.append('<p class="empty">No worker has answered a gold or qualification task of this job yet.</p>')
            continue
        body = "".join(f"<tr><td>{e(r['workerName'])}</td><td>{_accuracy_cell(r)}</td>"
                       f"<td>{_qualification_cell(r)}</td></tr>" for r in mine)
        parts.append(f'<table class="quality-table"><thead><tr><th scope="col">Worker</th>'
                     f'<th scope="col">Accuracy on gold tasks</th><th scope="col">Qualification</th></tr></thead>'
                     f"<tbody>{body}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)
