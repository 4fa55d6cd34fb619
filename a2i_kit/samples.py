"""Sample data for the notebooks and the demo: scikit-learn's handwritten digits and a small model.

The digits ship with scikit-learn (no download). A logistic regression trained on a small slice
makes confident and unconfident predictions, some of them wrong: what human review is for.
``digit_template()`` is a worker task template that shows one digit image with the model's guess.

Example:
    >>> from a2i_kit.samples import digit_predictions
    >>> preds = digit_predictions(n_items=50, seed=0)
    >>> list(preds.columns[:5])
    ['item_id', 'true_label', 'predicted_label', 'confidence', 'image_key']
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from a2i_kit.errors import ConfigError

__all__ = ["DIGIT_LABELS", "digit_png", "digit_predictions", "digit_template", "write_digit_images"]

DIGIT_LABELS = [str(d) for d in range(10)]

_DIGIT_TEMPLATE = """\
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier
      name="digit"
      src="{{ task.input.image_uri | grant_read_access }}"
      header="Which digit is this? The model said {{ task.input.predicted_label }} ({{ task.input.confidence }})."
      categories="['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']">
    <short-instructions>
      Pick the digit you see. Keys 1–9 and 0 choose an answer; Enter submits.
    </short-instructions>
    <full-instructions header="Reviewing handwritten digits">
      <p>Each image is an 8×8 scan of a handwritten digit, enlarged. Choose the digit the writer meant,
      even when the model was confident. If you cannot tell, choose your best guess and leave a comment.</p>
    </full-instructions>
  </crowd-image-classifier>
</crowd-form>
"""


@lru_cache(maxsize=1)
def _digits() -> Any:
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ConfigError("The digit samples need scikit-learn: pip install 'a2i-kit[demo]'") from exc

    return load_digits()


def digit_template() -> str:
    """The digit review task template: reads ``image_uri``, ``predicted_label``, ``confidence``.

    Example:
        >>> "crowd-image-classifier" in digit_template()
        True
    """
    return _DIGIT_TEMPLATE


def digit_predictions(n_items: int = 300, *, train_size: int = 80, seed: int = 0) -> pd.DataFrame:
    """Predictions for ``n_items`` digits: item_id, true_label, predicted_label, confidence, p_0..p_9.

    The model sees only ``train_size`` digits; ``seed`` picks which, so a seed gives the same frame.

    Example:
        >>> bool(digit_predictions(n_items=3, seed=0)["item_id"].str.startswith("digit-").all())
        True
    """
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise ConfigError("The digit samples need scikit-learn: pip install 'a2i-kit[demo]'") from exc

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
    """The 8×8 digit ``index`` as a PNG, scaled up so a reviewer can see it.

    Example:
        >>> digit_png(0)[:4]
        b'\\x89PNG'
    """
    from PIL import Image

    pixels = _digits().images[index]
    gray = (255 - pixels * (255 / 16)).clip(0, 255).astype("uint8")
    image = Image.fromarray(gray, mode="L").resize((8 * scale, 8 * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_digit_images(predictions: pd.DataFrame, mirror_dir: Path | str, bucket: str) -> int:
    """Put each prediction's image into a local S3 mirror at ``s3://<bucket>/<image_key>``.

    Returns how many files were written (existing ones are kept). With the embedded service pass
    ``session.mirror_dir``; on AWS upload the same bytes with ``s3.put_object``.

    Example:
        >>> write_digit_images(preds, session.mirror_dir, "my-bucket")   # doctest: +SKIP
        50
    """
    written = 0
    for key in predictions["image_key"]:
        path = Path(mirror_dir) / bucket / key
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # private, as the service makes its data dir
        if not path.exists():
            path.write_bytes(digit_png(int(key.split("/")[-1].split(".")[0])))
            written += 1
    return written
