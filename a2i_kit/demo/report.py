"""The demo's outputs: one agreement figure and a short Markdown summary.

Example:
    >>> write_summary(reviewed, stats, Path("summary.md"), threshold=0.8, audit_rate=0.1)  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def write_figure(reviewed: pd.DataFrame, path: Path) -> Path:
    """Agreement per class, override rate per confidence bin and the confusion matrix, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from a2i_kit import analytics, charts

    model, human = reviewed["predicted_label"], reviewed["human_label"]
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    charts.agreement_by_class(analytics.agreement_by_class(model=model, human=human), ax=axes[0])
    charts.override_by_confidence(
        analytics.override_by_confidence(model=model, human=human, confidence=reviewed["confidence"],
                                         bins=[0, .4, .5, .6, .7, .8, .9, 1]),
        ax=axes[1])
    charts.confusion_matrix(analytics.confusion_matrix(model=model, human=human), ax=axes[2])
    fig.suptitle("Model vs human reviewers on the reviewed digits", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summary_numbers(reviewed: pd.DataFrame) -> dict[str, Any]:
    """Agreement overall and on the random audit (an unbiased look at the auto-accepted region)."""
    from a2i_kit import analytics

    overall = analytics.agreement_summary(model=reviewed["predicted_label"], human=reviewed["human_label"])
    audit = reviewed[reviewed["audit"]] if "audit" in reviewed else reviewed.iloc[0:0]
    numbers = {"reviewed": len(reviewed), "agreement": float(overall["agreement"]),
               "override_rate": float(overall["override_rate"]), "kappa": float(overall["kappa"]),
               "audited": len(audit), "note": str(overall["note"])}
    if len(audit):
        numbers["audit_error_rate"] = float((audit["predicted_label"] != audit["human_label"]).mean())
    numbers["reviewer_accuracy"] = float((reviewed["human_label"] == reviewed["true_label"]).mean())
    return numbers


def write_summary(reviewed: pd.DataFrame, stats: dict[str, Any], path: Path, *,
                  threshold: float, audit_rate: float) -> Path:
    numbers = summary_numbers(reviewed)
    stats.update(numbers)
    lines = [
        "# a2i-kit demo: digits reviewed by (simulated) humans",
        "",
        f"- Routing: confidence below **{threshold:.2f}** goes to review, plus a seeded random audit of "
        f"**{audit_rate:.0%}** of the confident rest.",
        f"- Loops: {', '.join(f'{k} {v}' for k, v in stats.get('statuses', {}).items()) or 'none'}; "
        f"output.json files read: {stats.get('outputs')}; unreadable outputs: {stats.get('problems')}.",
        f"- Reviewed items: {numbers['reviewed']} (of them audit: {numbers['audited']}).",
        f"- Model–human agreement: **{numbers['agreement']:.1%}** (override rate {numbers['override_rate']:.1%}, "
        f"Cohen's κ {_kappa(numbers)}).",
    ]
    if "audit_error_rate" in numbers:
        lines.append(f"- Error rate of confident predictions, estimated from the audit: "
                     f"**{numbers['audit_error_rate']:.1%}** on {numbers['audited']} audited items.")
    lines += [f"- Reviewer accuracy against the dataset's truth: {numbers['reviewer_accuracy']:.1%}.",
              "", "![agreement](agreement.png)", ""]
    path.write_text("\n".join(lines))
    return path


def _kappa(numbers: dict[str, Any]) -> str:
    """κ to two decimals, or why it is undefined (NaN is never shown as a number)."""
    kappa = numbers["kappa"]
    return f"{kappa:.2f}" if kappa == kappa else f"undefined: {numbers['note']}"
