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
                                         bins=10),
        ax=axes[1])
    charts.confusion_matrix(analytics.confusion_matrix(model=model, human=human), ax=axes[2])
    fig.suptitle("Model vs human reviewers on the reviewed digits", fontsize=13)
    fig.tight_layout()  # makes room for the legends beside each chart
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summary_numbers(reviewed: pd.DataFrame) -> dict[str, Any]:
    """Agreement overall and on the random audit (an unbiased look at the auto-accepted region),
    with the counts each rate stands on (``*_count`` of ``*_n``)."""
    from a2i_kit import analytics

    overall = analytics.agreement_summary(model=reviewed["predicted_label"], human=reviewed["human_label"])
    audit = reviewed[reviewed["audit"]] if "audit" in reviewed else reviewed.iloc[0:0]
    agreed = int((reviewed["predicted_label"] == reviewed["human_label"]).sum())
    numbers: dict[str, Any] = {
        "reviewed": len(reviewed), "agreement": float(overall["agreement"]),
        "override_rate": float(overall["override_rate"]), "kappa": float(overall["kappa"]),
        "audited": len(audit), "note": str(overall["note"]), "agreed": agreed}
    if len(audit):
        numbers["audit_errors"] = int((audit["predicted_label"] != audit["human_label"]).sum())
        numbers["audit_error_rate"] = numbers["audit_errors"] / len(audit)
    numbers["reviewer_correct"] = int((reviewed["human_label"] == reviewed["true_label"]).sum())
    numbers["reviewer_accuracy"] = numbers["reviewer_correct"] / len(reviewed) if len(reviewed) else float("nan")
    return numbers


def write_summary(reviewed: pd.DataFrame, stats: dict[str, Any], path: Path, *,
                  threshold: float, audit_rate: float) -> Path:
    """``summary.md``: every rate with the count it stands on and its 95 % exact interval."""
    from a2i_kit.analytics.intervals import count_text, rate_text

    numbers = summary_numbers(reviewed)
    stats.update(numbers)
    n = numbers["reviewed"]
    lines = [
        "# a2i-kit demo: digits reviewed by (simulated) humans",
        "",
        f"- Routing: confidence below **{threshold:.2f}** goes to review, plus a seeded random audit of "
        f"**{audit_rate:.0%}** of the confident rest.",
        f"- Loops: {', '.join(f'{k} {v}' for k, v in stats.get('statuses', {}).items()) or 'none'}; "
        f"output.json files read: {stats.get('outputs')}; unreadable outputs: {stats.get('problems')}.",
        f"- Reviewed items: {n} (of them audit: {numbers['audited']}).",
        f"- Model–human agreement: **{numbers['agreement']:.1%}** ({count_text(numbers['agreed'], n)}); "
        f"override rate {numbers['override_rate']:.1%}, Cohen's κ {_kappa(numbers)}.",
    ]
    if "audit_error_rate" in numbers:
        lines.append(f"- Error rate of confident predictions, estimated from the audit: "
                     f"**{rate_text(numbers['audit_errors'], numbers['audited'])}**{_few(numbers['audited'])}.")
    lines += [f"- Reviewer accuracy against the dataset's truth: {rate_text(numbers['reviewer_correct'], n)}.",
              "", "Intervals are exact (Clopper–Pearson) at 95 %; with no errors counted the upper bound "
              "is the number to read.", "", "![agreement](agreement.png)", ""]
    path.write_text("\n".join(lines))
    return path


def _few(n: int) -> str:
    """A warning when a sample is too small to say much."""
    return " — a small sample: audit more items (raise audit_rate) before trusting this rate" if n < 30 else ""


def _kappa(numbers: dict[str, Any]) -> str:
    """κ to two decimals, or why it is undefined (NaN is never shown as a number)."""
    kappa = numbers["kappa"]
    return f"{kappa:.2f}" if kappa == kappa else f"undefined: {numbers['note']}"
