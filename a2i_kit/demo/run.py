"""Run the whole review cycle and write a figure and a summary.

On the embedded service by default; with ``A2I_KIT_BACKEND=aws`` through ``connect("aws")`` (the
role and bucket ``session.setup`` discovers; simulated reviewers need a2i-kit's service standing
in for A2I, see :func:`a2i_kit.workspace.reviewer_access`).

Steps: predictions → task UI, workteam, flow definition → routing (threshold + random audit) →
launch → simulated reviewers → output.json read back → joined to predictions → agreement figure and
summary in a results folder.

Example:
    >>> result = run_demo("results/demo-x", n_items=120)     # doctest: +SKIP
    >>> result.summary.name
    'summary.md'
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from a2i_kit.config import Settings
from a2i_kit.demo.data import digit_predictions
from a2i_kit.demo.report import write_figure, write_summary
from a2i_kit.demo.resources import (
    BUCKET,
    REVIEWER_GROUP,
    ROLE_ARN,
    create_review_resources,
    digit_template,
)
from a2i_kit.workspace import bucket_name, put_digit_images, reviewer_access, role_arn

FLOW_NAME = "digit-review"


@dataclass
class DemoResult:
    """Where the demo wrote its outputs, and the frames it built."""

    out_dir: Path
    figure: Path
    summary: Path
    reviewed: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


def default_out_dir() -> Path:
    return Path("results") / f"demo-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"


def run_demo(out_dir: str | Path | None = None, *, n_items: int = 300, threshold: float = 0.8,
             audit_rate: float = 0.1, reviewers: int = 3, accuracy: float = 0.97, seed: int = 0,
             echo: Callable[[str], None] = print) -> DemoResult:
    """Run the demo into ``out_dir`` (a fresh ``results/demo-<time>`` by default)."""
    from a2i_kit.launch import launch_loops
    from a2i_kit.review import simulate_reviewers
    from a2i_kit.routing import ReviewPolicy

    out_dir = Path(out_dir) if out_dir else default_out_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    echo(f"a2i-kit demo → {out_dir}")

    predictions = digit_predictions(n_items, seed=seed)
    session = connect_for_demo(out_dir)
    reviewer_url, admin_token = reviewer_access(session)  # before creating anything: fails fast on A2I
    bucket = bucket_name(session, BUCKET)
    where = session.endpoint_url and f"embedded A2I service at {session.endpoint_url}"
    echo(f"1. {where or f'AWS {session.region}, bucket {bucket}'}; {len(predictions)} digit predictions")
    put_digit_images(session, predictions, bucket)
    arns = create_review_resources(session, FLOW_NAME, role_arn=role_arn(session, ROLE_ARN), bucket=bucket)
    echo(f"2. workteam, task UI and flow definition ready: {arns['flow_definition_arn']}")

    policy = ReviewPolicy(threshold=threshold, audit_rate=audit_rate, seed=seed)
    routed = policy.route(predictions, id_col="item_id", label_col="predicted_label", score_col="confidence")
    echo(f"3. routing: {policy.dry_run(predictions, label_col='predicted_label', score_col='confidence')}")

    routed["image_uri"] = "s3://" + bucket + "/" + routed["image_key"]
    launched = launch_loops(
        session, routed, flow_definition_arn=arns["flow_definition_arn"],
        input_cols=["item_id", "image_uri", "predicted_label", "confidence", "true_label"],
        ledger=out_dir / "launch-ledger.sqlite3", progress=False)
    echo(f"4. launched {int(routed['review'].sum())} human loops ({_counts(launched)})")

    crew = simulate_reviewers(reviewer_url, admin_token, workers=reviewers,
                              groups=[REVIEWER_GROUP], ground_truth_key="true_label",
                              accuracy=accuracy, seed=seed)
    echo(f"5. {reviewers} simulated reviewers answered {sum(crew.answered.values())} tasks")

    reviewed, stats = collect(session, arns["flow_definition_arn"], routed)
    echo(f"6. read {stats['outputs']} output.json files back; joined to the predictions")
    figure = write_figure(reviewed, out_dir / "agreement.png")
    summary = write_summary(reviewed, stats, out_dir / "summary.md", threshold=threshold, audit_rate=audit_rate)
    reviewed.to_csv(out_dir / "reviewed_predictions.csv", index=False)
    (out_dir / "stats.json").write_text(json.dumps(stats, indent=2, default=str))
    echo(f"7. figure: {figure}\n   summary: {summary}")
    return DemoResult(out_dir=out_dir, figure=figure, summary=summary, reviewed=reviewed, stats=stats)


def connect_for_demo(out_dir: Path) -> Any:
    """``connect()`` as ``A2I_KIT_BACKEND`` says: the embedded service in ``out_dir/service-data``
    locally, ``connect("aws")`` on AWS (then ``out_dir`` holds only the demo's own files)."""
    import a2i_kit

    if Settings.from_env().backend == "aws":
        session = a2i_kit.connect("aws")
        session.extras["work_dir"] = out_dir
        return session
    return a2i_kit.connect("local", data_dir=out_dir / "service-data")


def collect(session: Any, flow_definition_arn: str, routed: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every output.json of the flow as answers joined to the routed predictions, plus loop counts."""
    from a2i_kit.results import Results

    results = Results.from_session(session, FLOW_NAME, item_key="item_id", template=digit_template()).sync()
    answers = results.answers.drop(columns=["task"]).rename(columns={"label": "human_label"})
    predictions = routed.drop(columns=["image_uri"], errors="ignore")
    reviewed = answers.merge(predictions, on="item_id", how="left", validate="many_to_one")
    statuses = results.loops["status"].value_counts().to_dict() if len(results.loops) else {}
    stats = {"outputs": int(results.loops["output_uri"].notna().sum()),
             "statuses": statuses, "problems": len(results.problems),
             "flow_definition_arn": flow_definition_arn}
    return reviewed, stats


def _counts(summary: pd.DataFrame) -> str:
    if "status" not in summary:
        return f"{len(summary)} items"
    return ", ".join(f"{k}: {v}" for k, v in summary["status"].value_counts().items())
