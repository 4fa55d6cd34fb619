"""The experiment's data: a small labelled set, an unlabelled pool and a held-out test set.

Example:
    >>> split = split_digits(initial=30, test_size=500, seed=0)
    >>> len(split.train), len(split.pool), len(split.test)
    (30, 1267, 500)
    >>> split.pool["item_id"].iloc[0].startswith("digit-")
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from a2i_kit.errors import ConfigError, InputError


@dataclass(frozen=True)
class Split:
    """Three frames with ``item_id``, ``true_label`` (str) and the feature columns."""

    train: pd.DataFrame
    pool: pd.DataFrame
    test: pd.DataFrame
    features: list[str]

    @property
    def classes(self) -> list[str]:
        """Every label in the data, sorted."""
        labels = pd.concat([self.train, self.pool, self.test])["true_label"]
        return sorted(labels.unique().tolist())


def split_arrays(x: np.ndarray, y: np.ndarray, *, initial: int, test_size: int, seed: int = 0,
                 prefix: str = "item") -> Split:
    """Shuffle (seeded) and cut into ``initial`` labelled items, a test set and the pool.

    The labelled start holds at least one item of every class when ``initial`` allows, so the
    first model knows every label.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    if x.ndim != 2 or len(x) != len(y):
        raise InputError(f"x must be 2-D with one row per label; got x{x.shape} and {len(y)} labels")
    classes = np.unique(y)
    if not isinstance(initial, int) or initial < len(classes):
        raise InputError(f"initial={initial!r} must be a whole number >= the number of classes "
                         f"({len(classes)}), so the first model sees every class")
    if not isinstance(test_size, int) or test_size < 1 or initial + test_size >= len(y):
        raise InputError(f"test_size={test_size!r} must be >= 1 and leave a pool: "
                         f"{len(y)} items, initial={initial}")
    order = np.random.default_rng(seed).permutation(len(y))
    first = [int(order[np.flatnonzero(y[order] == c)[0]]) for c in classes]
    chosen = set(first)
    rest = [int(i) for i in order if int(i) not in chosen]
    start = first + rest[:initial - len(first)]
    test = rest[initial - len(first):initial - len(first) + test_size]
    pool = rest[initial - len(first) + test_size:]
    width = len(str(len(y) - 1))
    features = [f"x{j}" for j in range(x.shape[1])]
    frame = pd.DataFrame(x, columns=features)
    frame.insert(0, "true_label", [str(v) for v in y])
    frame.insert(0, "item_id", [f"{prefix}-{i:0{width}d}" for i in range(len(y))])

    def part(rows: list[int]) -> pd.DataFrame:
        return frame.iloc[rows].reset_index(drop=True)

    return Split(train=part(start), pool=part(pool), test=part(test), features=features)


def split_digits(*, initial: int = 30, test_size: int = 500, seed: int = 0) -> Split:
    """scikit-learn's bundled 8x8 handwritten digits (1,797 images, no download), split."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ConfigError("split_digits() needs scikit-learn: pip install 'a2i-kit[demo]'") from exc

    digits = load_digits()
    return split_arrays(digits.data / 16.0, digits.target, initial=initial, test_size=test_size,
                        seed=seed, prefix="digit")
