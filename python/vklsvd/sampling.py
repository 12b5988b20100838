"""Seeded row samples shared by every step that fits or measures on a subset."""

from __future__ import annotations

import numpy as np


def seeded_subsample(n_rows: int, max_rows: int, seed: int) -> np.ndarray:
    """Sorted row indices: all rows, or `max_rows` of them drawn without replacement with `seed`."""
    if max_rows <= 0 or n_rows <= max_rows:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=max_rows, replace=False))
