"""Interest "bubbles": a Gaussian mixture over unit-length item embeddings (scikit-learn).

The mixture is fitted once per build on clips known before the target week (a seeded subsample when
there are many, one BLAS thread so the parameters are bit-for-bit reproducible), saved as plain arrays
(npz, no pickle) and re-created for prediction. An item's
bubbles are its most probable components; users' bubble profiles are built from these in SQL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from vklsvd.content.profiles import l2_normalise
from vklsvd.errors import VklsvdError
from vklsvd.io.artifacts import load_npz, write_npz_atomically
from vklsvd.sampling import seeded_subsample

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
PREDICT_CHUNK = 1 << 16


@dataclass(frozen=True)
class BubbleParams:
    """Var `bubble_params` (vklsvd.settings.stage_settings): the mixture's `components` and `covariance`,
    fitted on at most `max_fit_items` clips in at most `max_iterations` EM steps; each clip keeps its
    `item_top_components` most probable components, each user (in SQL, int_user_bubbles) the
    `user_top_components` heaviest."""

    components: int
    covariance: str
    max_fit_items: int
    max_iterations: int
    item_top_components: int
    user_top_components: int


@dataclass(frozen=True)
class MixtureFit:
    model: GaussianMixture
    n_fit_items: int
    fit_seconds: float
    mean_log_likelihood: float  # per fitted item, on the fitted items


def fit_mixture(
    vectors: np.ndarray,
    *,
    n_components: int,
    covariance_type: str,
    seed: int,
    max_fit_items: int,
    max_iter: int,
) -> MixtureFit:
    """Fit a GaussianMixture on the unit-length rows of `vectors` (at most `max_fit_items` of them).

    The component count is capped by the number of distinct fitted rows so a small dataset still fits.
    """
    if covariance_type not in COVARIANCE_TYPES:
        raise VklsvdError(
            f"bubble_params.covariance must be one of {COVARIANCE_TYPES}, got '{covariance_type}'"
        )
    if n_components < 1:
        raise VklsvdError(f"bubble_params.components must be at least 1, got {n_components}")
    rows = seeded_subsample(vectors.shape[0], max_fit_items, seed)
    fit_vectors = l2_normalise(vectors[rows].astype(np.float64))
    distinct = np.unique(fit_vectors, axis=0).shape[0] if fit_vectors.size else 0
    if distinct < 2:
        raise VklsvdError(
            f"cannot fit interest bubbles on {distinct} distinct item embedding(s) before the target week; "
            "use an earlier first_week or a larger item sample"
        )
    started = time.perf_counter()
    # one BLAS thread: multi-threaded sums change the last bits of the parameters from run to run
    with threadpool_limits(limits=1, user_api="blas"):
        model = GaussianMixture(
            n_components=min(n_components, distinct),
            covariance_type=covariance_type,
            max_iter=max_iter,
            reg_covar=1e-4,
            random_state=seed,
        ).fit(fit_vectors)
    elapsed = time.perf_counter() - started
    return MixtureFit(model, int(rows.size), elapsed, float(model.score(fit_vectors)))


def save_mixture(model: GaussianMixture, path: Path) -> str:
    """Parameters as npz (written atomically); returns the file's sha256."""
    return write_npz_atomically(
        path,
        {
            "weights": model.weights_,
            "means": model.means_,
            "covariances": model.covariances_,
            "precisions_cholesky": model.precisions_cholesky_,
            "covariance_type": np.array(model.covariance_type),
        },
    )


def load_mixture(path: str | Path, sha256: str) -> GaussianMixture:
    """Re-create a fitted GaussianMixture from `save_mixture`'s file, checking its hash."""
    arrays = load_npz(path, sha256)
    covariance_type = str(arrays["covariance_type"])
    model = GaussianMixture(n_components=arrays["weights"].size, covariance_type=covariance_type)
    model.weights_ = arrays["weights"]
    model.means_ = arrays["means"]
    model.covariances_ = arrays["covariances"]
    model.precisions_cholesky_ = arrays["precisions_cholesky"]
    model.n_features_in_ = arrays["means"].shape[1]
    model.converged_ = True
    return model


def top_components(
    model: GaussianMixture, vectors: np.ndarray, top: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each row, its `top` most probable components (ties: smaller component).

    Returns flat (row, component, probability, rank 1..top) ordered by row then rank.
    """
    top = min(top, model.n_components)
    out_row, out_comp, out_prob = [], [], []
    for start in range(0, vectors.shape[0], PREDICT_CHUNK):
        chunk = l2_normalise(vectors[start : start + PREDICT_CHUNK].astype(np.float64))
        with threadpool_limits(limits=1, user_api="blas"):
            proba = model.predict_proba(chunk)
        comps = np.argsort(-proba, axis=1, kind="stable")[:, :top]
        out_row.append(np.repeat(np.arange(start, start + chunk.shape[0]), top))
        out_comp.append(comps.reshape(-1))
        out_prob.append(np.take_along_axis(proba, comps, axis=1).reshape(-1))
    if not out_row:
        return (np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.float32), np.empty(0, np.int32))
    ranks = np.tile(np.arange(1, top + 1, dtype=np.int32), vectors.shape[0])
    return (
        np.concatenate(out_row),
        np.concatenate(out_comp).astype(np.int32),
        np.concatenate(out_prob).astype(np.float32),
        ranks,
    )
