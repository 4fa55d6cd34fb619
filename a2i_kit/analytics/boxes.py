"""Agreement between reviewers who drew bounding boxes (crowd-bounding-box answers).

For every pair of workers on a task, boxes are matched one-to-one (Hungarian assignment on IoU,
same label required unless ``match_labels=False``); a match counts when IoU ≥ ``iou_threshold``.
Per pair: ``f1`` = 2·matches / (boxes of A + boxes of B) and the mean IoU of the matches.

Example:
    >>> a = [{"label": "car", "left": 0, "top": 0, "width": 10, "height": 10}]
    >>> b = [{"label": "car", "left": 1, "top": 0, "width": 10, "height": 10}]
    >>> round(float(iou_matrix(a, b)[0, 0]), 3)
    0.818
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.errors import InputError


def _array(boxes: Any) -> np.ndarray:
    if not boxes:
        return np.zeros((0, 4))
    return np.array([[b["left"], b["top"], b["width"], b["height"]] for b in boxes], dtype=float)


def iou_matrix(a: Any, b: Any) -> np.ndarray:
    """IoU of every box in ``a`` with every box in ``b`` (dicts with left, top, width, height)."""
    x, y = _array(a), _array(b)
    left = np.maximum(x[:, None, 0], y[None, :, 0])
    top = np.maximum(x[:, None, 1], y[None, :, 1])
    right = np.minimum(x[:, None, 0] + x[:, None, 2], y[None, :, 0] + y[None, :, 2])
    bottom = np.minimum(x[:, None, 1] + x[:, None, 3], y[None, :, 1] + y[None, :, 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    union = (x[:, 2] * x[:, 3])[:, None] + (y[:, 2] * y[:, 3])[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def match_boxes(
    a: Any, b: Any, iou_threshold: float = 0.5, match_labels: bool = True
) -> list[float]:
    """IoU of each matched pair (one-to-one, IoU ≥ threshold)."""
    iou = iou_matrix(a, b)
    if iou.size == 0:
        return []
    if match_labels:
        same = np.array([[p.get("label") == q.get("label") for q in b] for p in a])
        iou = np.where(same, iou, 0.0)
    from scipy.optimize import linear_sum_assignment  # seconds to import: on the first match

    rows, cols = linear_sum_assignment(-iou)
    return [float(iou[r, c]) for r, c in zip(rows, cols, strict=True) if iou[r, c] >= iou_threshold]


def box_agreement(answers: pd.DataFrame, column: str, *, iou_threshold: float = 0.5,
                  match_labels: bool = True) -> pd.DataFrame:  # fmt: skip
    """Per task: ``n_workers``, ``n_pairs``, ``f1`` and ``mean_iou`` averaged over worker pairs.

    ``column`` holds each answer's box list, e.g. ``"answer.annotatedResult.boundingBoxes"``.
    """
    if column not in answers.columns:
        raw = [c for c in answers.columns if c.endswith("boundingBoxes")]
        raise InputError(f"no column {column!r}; box columns present: {raw or 'none'}")
    rows = []
    for task, group in answers.groupby("task", sort=True):
        boxes = [b if isinstance(b, list) else [] for b in group[column]]
        f1s, ious = [], []
        for a, b in combinations(boxes, 2):
            matched = match_boxes(a, b, iou_threshold, match_labels)
            total = len(a) + len(b)
            f1s.append(1.0 if total == 0 else 2 * len(matched) / total)
            ious.extend(matched)
        rows.append({"task": task, "n_workers": len(boxes), "n_pairs": len(f1s),
                     "f1": float(np.mean(f1s)) if f1s else np.nan,
                     "mean_iou": float(np.mean(ious)) if ious else np.nan})  # fmt: skip
    return pd.DataFrame(rows, columns=["task", "n_workers", "n_pairs", "f1", "mean_iou"]).set_index(
        "task"
    )
