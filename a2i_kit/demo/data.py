"""The demo's dataset and model: scikit-learn's handwritten digits and a deliberately small model.

The digits ship with scikit-learn (no download). A logistic regression trained on a small slice
makes confident and unconfident predictions, some of them wrong: what human review is for.

Example:
    >>> preds = digit_predictions(n_items=50, seed=0)
    >>> sorted(preds.columns)[:3]
    ['confidence', 'image_key', 'item_id']
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

LABELS = [str(d) for d in range(10)]


@lru_cache(maxsize=1)
def _digits() -> Any:
    from sklearn.datasets import load_digits

    return load_digits()


def digit_predictions(n_items: int = 300, *, train_size: int = 80, seed: int = 0) -> pd.DataFrame:
    """Predictions for ``n_items`` digits: item_id, true_label, predicted_label, confidence, p_0..p_9."""
    from sklearn.linear_model import LogisticRegression

    digits = _digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(digits.target))
    train, score = order[:train_size], order[train_size:train_size + n_items]
    model = LogisticRegression(max_iter=2000, C=5.0)
    model.fit(digits.data[train] / 16.0, digits.target[train])
    proba = model.predict_proba(digits.data[score] / 16.0)
    frame = pd.DataFrame({
        "item_id": [f"digit-{i:04d}" for i in score],
        "true_label": [str(t) for t in digits.target[score]],
        "predicted_label": [str(p) for p in model.classes_[proba.argmax(axis=1)]],
        "confidence": proba.max(axis=1).round(4),
        "image_key": [f"digits/{i:04d}.png" for i in score],
    })
    for column, label in enumerate(model.classes_):
        frame[f"p_{label}"] = proba[:, column].round(4)
    return frame


def digit_png(index: int, scale: int = 16) -> bytes:
    """The 8×8 digit ``index`` as a PNG, scaled up so a reviewer can see it."""
    from PIL import Image

    pixels = _digits().images[index]
    gray = (255 - pixels * (255 / 16)).clip(0, 255).astype("uint8")
    image = Image.fromarray(gray, mode="L").resize((8 * scale, 8 * scale), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_digit_images(predictions: pd.DataFrame, mirror_dir: Path, bucket: str) -> int:
    """Put each prediction's image into the local S3 mirror at ``s3://<bucket>/<image_key>``."""
    written = 0
    for key in predictions["image_key"]:
        path = Path(mirror_dir) / bucket / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_bytes(digit_png(int(key.split("/")[-1].split(".")[0])))
            written += 1
    return written
