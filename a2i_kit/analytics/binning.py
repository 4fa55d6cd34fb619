"""Confidence bins and threshold grids on exact edges.

Edge ``i`` of ``k`` equal bins is ``i / k`` computed by one correctly rounded division (never
``linspace``'s ``start + i·step``, which makes 0.30000000000000004). A confidence written with any
number of decimals parses to the same double as the edge it equals, and rounding is monotonic, so
comparing the doubles gives the same answer as comparing the exact decimals: bins are
``[left, right)`` with the last one closed, and ``confidence >= threshold`` is exact.

Example:
    >>> idx, edges = confidence_bins([0.3, 0.35, 1.0], 10)
    >>> idx.tolist(), edges[3].item()
    ([3, 3, 9], 0.3)
    >>> grid(20)[7].item()
    0.35
"""

from __future__ import annotations

from typing import Any

import numpy as np

from a2i_kit.analytics._data import probabilities
from a2i_kit.errors import InputError


def grid(k: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """``k + 1`` equally spaced points from ``lo`` to ``hi``, each the double nearest to its exact
    value when ``lo`` and ``hi`` are whole numbers (``grid(10)[3] == 0.3``)."""
    if k < 1:
        raise InputError(f"bins={k}: use a count ≥ 1 or increasing edges, e.g. [0, 0.5, 0.8, 1]")
    i = np.arange(k + 1)
    return (lo * (k - i) + hi * i) / k


def as_edges(bins: int | Any) -> np.ndarray:
    """Edges from a count (equal width on [0, 1]) or from increasing edges."""
    if isinstance(bins, int | np.integer) and not isinstance(bins, bool):
        return grid(int(bins))
    edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or not np.all(np.isfinite(edges)) or np.any(
        np.diff(edges) <= 0
    ):
        raise InputError("bins must be a count ≥ 1 or increasing edges, e.g. [0, 0.5, 0.8, 1]")
    return edges


def confidence_bins(confidence: Any, bins: int | Any = 10,
                    name: str = "confidence") -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Bin index per value and the edges: bins ``[left, right)``, the last one ``[left, right]``.

    ``bins`` is a count (equal width on [0, 1]; values must be probabilities) or increasing edges
    (values must lie within them): nothing outside the bins is silently put in an end bin.
    """
    edges = as_edges(bins)
    if isinstance(bins, int | np.integer):
        conf = probabilities(confidence, name)
    else:
        conf = np.asarray(confidence, dtype=float)
        bad = np.flatnonzero((conf < edges[0]) | (conf > edges[-1]))
        if bad.size:
            i = bad[0]
            raise InputError(
                f"{name}[{i}] is {float(conf[i])!r}, outside the bins [{float(edges[0])!r}, "
                f"{float(edges[-1])!r}]: "
                "widen the first/last edge or drop those items"
            )
    idx = np.searchsorted(edges, conf, side="right") - 1
    return np.minimum(idx, len(edges) - 2), edges
