"""Seeded, per-item uniform numbers for the random audit.

Each item id (as text) is hashed with a key derived from the seed (SipHash via pandas), so an
item's number depends only on (seed, id): the same items are audited on every run, and adding
rows never changes the decision for the rows already there.

Example:
    >>> import pandas as pd
    >>> u = audit_uniform(pd.Series(["a", "b", "c"]), seed=7)
    >>> bool(((u >= 0) & (u < 1)).all()), bool(u[0] == audit_uniform(pd.Series(["a"]), seed=7)[0])
    (True, True)
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def _hash_key(seed: int | str) -> str:
    return hashlib.sha256(f"a2i-kit-audit:{seed}".encode()).hexdigest()[:16]


def hash_ids(ids: pd.Series, seed: int | str = 0) -> np.ndarray:
    """A seeded 64-bit hash per id (ids compared as text)."""
    text = ids.astype(str)
    hashed = pd.util.hash_pandas_object(text, index=False, encoding="utf8",
                                        hash_key=_hash_key(seed), categorize=False)
    return hashed.to_numpy(dtype=np.uint64)


def to_uniform(hashes: np.ndarray) -> np.ndarray:
    """Map 64-bit hashes to [0, 1) (top 53 bits)."""
    return (hashes >> np.uint64(11)).astype(np.float64) / float(2**53)


def audit_uniform(ids: pd.Series, seed: int | str = 0) -> np.ndarray:
    """A number in [0, 1) per id; the audit takes ids whose number is below the rate."""
    return to_uniform(hash_ids(ids, seed))
