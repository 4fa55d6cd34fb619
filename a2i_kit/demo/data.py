"""The demo's dataset and model: the public sample digits in :mod:`a2i_kit.samples`.

Example:
    >>> preds = digit_predictions(n_items=50, seed=0)
    >>> sorted(preds.columns)[:3]
    ['confidence', 'image_key', 'item_id']
"""

from __future__ import annotations

from a2i_kit.samples import DIGIT_LABELS as LABELS
from a2i_kit.samples import digit_png, digit_predictions, write_digit_images

__all__ = ["LABELS", "digit_png", "digit_predictions", "write_digit_images"]
