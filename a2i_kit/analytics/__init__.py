"""Learn from reviews: agreement, calibration, coverage/risk and thresholds, reviewers,
consolidation and inter-annotator agreement.

Example:
    >>> from a2i_kit import analytics
    >>> analytics.agreement_summary(model=["a", "b"], human=["a", "a"])["override_rate"]
    0.5
"""

from __future__ import annotations

from a2i_kit.analytics.agreement import (
    agreement_by_class,
    agreement_summary,
    cohen_kappa,
    confusion_matrix,
    override_by_confidence,
)
from a2i_kit.analytics.bounds import clopper_pearson_upper, wilson_upper
from a2i_kit.analytics.boxes import box_agreement, iou_matrix, match_boxes
from a2i_kit.analytics.calibration import expected_calibration_error, reliability
from a2i_kit.analytics.consolidation import (
    CROWDKIT_METHODS,
    consolidate,
    loop_agreement,
    majority_vote,
    reviewer_agreement,
)
from a2i_kit.analytics.coverage_risk import Sweep, area_under_curve, coverage_risk, review_volume
from a2i_kit.analytics.iaa import fleiss_kappa, iaa_summary, krippendorff_alpha
from a2i_kit.analytics.reviewers import (
    backlog,
    backlog_summary,
    reviewer_stats,
    throughput,
    wait_times,
)
from a2i_kit.analytics.threshold import ThresholdRecommendation, recommend_threshold
from a2i_kit.analytics.worker_accuracy import worker_accuracy

__all__ = [
    "CROWDKIT_METHODS",
    "Sweep",
    "ThresholdRecommendation",
    "agreement_by_class",
    "agreement_summary",
    "area_under_curve",
    "backlog",
    "backlog_summary",
    "box_agreement",
    "clopper_pearson_upper",
    "cohen_kappa",
    "confusion_matrix",
    "consolidate",
    "coverage_risk",
    "expected_calibration_error",
    "fleiss_kappa",
    "iaa_summary",
    "iou_matrix",
    "krippendorff_alpha",
    "loop_agreement",
    "majority_vote",
    "match_boxes",
    "override_by_confidence",
    "recommend_threshold",
    "reliability",
    "review_volume",
    "reviewer_agreement",
    "reviewer_stats",
    "throughput",
    "wait_times",
    "wilson_upper",
    "worker_accuracy",
]
