"""Each worker's accuracy on hidden gold tasks, live, with a 95 % Wilson interval.

One row per (flow definition, worker) that answered a gold or qualification task or has a
qualification outcome. ``accuracy`` is None until a gold task is answered; the interval is
``(0, 1)`` then (nothing is known yet).

Example:
    >>> worker_accuracy(ctx, "flow-1")[0]["goldCorrect"]                # doctest: +SKIP
    19
"""

from __future__ import annotations

from typing import Any

from a2i_kit.service.context import ServiceContext

LEVEL = 0.95


def worker_accuracy(ctx: ServiceContext, flow_name: str | None = None) -> list[dict[str, Any]]:
    """Rows of ``flowDefinitionName, workerId, workerName, goldAnswered, goldCorrect, accuracy,
    low, high, qualification, qualificationCorrect, qualificationAnswered``, by flow then worker."""
    from a2i_kit.analytics.intervals import wilson_interval

    qc = ctx.store.quality
    names = {w["name"]: w["doc"].get("name", w["name"]) for w in ctx.store.workers.all()}
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(flow: str, worker_id: str) -> dict[str, Any]:
        return rows.setdefault((flow, worker_id), {
            "flowDefinitionName": flow, "workerId": worker_id, "workerName": names.get(worker_id, worker_id),
            "goldAnswered": 0, "goldCorrect": 0, "qualification": "none", "qualificationCorrect": 0,
            "qualificationAnswered": 0})

    for score in qc.scores():
        if flow_name is None or score["flow_name"] == flow_name:
            entry = row(score["flow_name"], score["worker_id"])
            prefix = "gold" if score["kind"] == "gold" else "qualification"
            entry[f"{prefix}Answered"], entry[f"{prefix}Correct"] = score["answered"], score["correct"]
    for state in qc.states():
        if (flow_name is None or state["flow_name"] == flow_name) and state["qualification"] != "none":
            row(state["flow_name"], state["worker_id"])["qualification"] = state["qualification"]
    ordered = [rows[key] for key in sorted(rows, key=lambda k: (k[0], rows[k]["workerName"], k[1]))]
    if ordered:
        low, high = wilson_interval([r["goldCorrect"] for r in ordered], [r["goldAnswered"] for r in ordered], LEVEL)
        for entry, lo, hi in zip(ordered, low, high, strict=True):
            n = entry["goldAnswered"]
            entry.update(accuracy=entry["goldCorrect"] / n if n else None, low=float(lo), high=float(hi))
    return ordered
