"""The content-to-collaborative bridge: a ridge regression from what is known of a clip without its
interactions (content embedding, duration, its author's factor) to its ALS item factor, learnt on the
warm clips and applied to cold ones, so a brand-new clip gets a vector in the users' factor space."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import Ridge

from vklsvd.errors import VklsvdError
from vklsvd.sampling import seeded_subsample

#: Share of the warm clips held out (seeded) to report how much of the factors the bridge explains.
HOLDOUT_SHARE = 0.1


@dataclass(frozen=True)
class Bridge:
    model: Ridge
    holdout_r2: float  # weighted R² over every factor dimension on held-out warm clips (nan if too few)
    n_fit: int

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict(inputs), dtype=np.float32)


def bridge_inputs(
    embedding: np.ndarray, has_embedding: np.ndarray, duration: np.ndarray, author_factor: np.ndarray
) -> np.ndarray:
    """One row per clip: embedding (zeros where missing), its presence flag, log(1 + duration) and the
    author's factor (zeros for an author without one)."""
    return np.hstack(
        [
            np.where(has_embedding[:, None], embedding, 0.0),
            has_embedding[:, None].astype(np.float64),
            np.log1p(duration.astype(np.float64))[:, None],
            author_factor,
        ]
    )


def fit_bridge(
    inputs: np.ndarray, targets: np.ndarray, weights: np.ndarray, *, regularization: float, seed: int
) -> Bridge:
    """Ridge from `inputs` to `targets` (warm clips' item factors), weighted by `weights`. A seeded share of
    the clips is held out first to measure R², then the map is refitted on every clip."""
    if regularization <= 0:
        raise VklsvdError(f"cf_params.bridge_regularization must be > 0, got {regularization}")
    if inputs.shape[0] != targets.shape[0] or inputs.shape[0] != weights.shape[0]:
        raise VklsvdError("bridge inputs, targets and weights must have one row per clip")
    if inputs.shape[0] == 0:
        raise VklsvdError("the bridge has no warm clip to learn from (no engagement before the as-of week)")
    n_held = int(inputs.shape[0] * HOLDOUT_SHARE)
    r2 = float("nan")
    if n_held >= 2 and inputs.shape[0] - n_held >= 2:
        held = np.zeros(inputs.shape[0], dtype=bool)
        held[seeded_subsample(inputs.shape[0], n_held, seed)] = True
        probe = Ridge(alpha=regularization).fit(inputs[~held], targets[~held], sample_weight=weights[~held])
        r2 = float(probe.score(inputs[held], targets[held], sample_weight=weights[held]))
    model = Ridge(alpha=regularization).fit(inputs, targets, sample_weight=weights)
    return Bridge(model, r2, int(inputs.shape[0]))
