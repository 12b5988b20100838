"""Semantic IDs: residual quantisation of unit-length item embeddings into a short code.

Level 1 clusters the embeddings with k-means (scikit-learn), level 2 clusters what level 1 left
unexplained (the residuals), and so on; codebooks may shrink with depth (e.g. 64 / 32 / 16). A clip's
code comes from its embedding alone, so a brand-new clip gets one, and a code prefix groups clips
with similar content at a coarse (level 1) or finer (levels 1+2) granularity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from vklsvd.content.profiles import l2_normalise
from vklsvd.errors import VklsvdError
from vklsvd.io.artifacts import load_npz, write_npz_atomically
from vklsvd.sampling import seeded_subsample

ENCODE_CHUNK = 1 << 16


@dataclass(frozen=True)
class SemanticIdParams:
    """Var `semantic_id_params` (vklsvd.settings.stage_settings): the codebook size of each residual level,
    fitted on at most `max_fit_items` clips; SQL keeps users' engagement counters per code prefix of
    length 1..`counter_levels`."""

    sizes: tuple[int, ...]
    max_fit_items: int
    counter_levels: int


@dataclass(frozen=True)
class Codebooks:
    centroids: tuple[np.ndarray, ...]  # one [size_l, dim] array per level
    n_fit_items: int
    fit_seconds: float

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(c.shape[0]) for c in self.centroids)


def fit_codebooks(vectors: np.ndarray, sizes: tuple[int, ...], *, seed: int, max_fit_items: int) -> Codebooks:
    """Residual k-means codebooks of the given sizes (each capped by the number of distinct rows)."""
    if not sizes or min(sizes) < 1:
        raise VklsvdError(f"semantic-ID codebook sizes must be positive integers, got {list(sizes)}")
    rows = seeded_subsample(vectors.shape[0], max_fit_items, seed)
    residual = l2_normalise(vectors[rows].astype(np.float64))
    if residual.shape[0] < 2:
        raise VklsvdError("cannot fit semantic-ID codebooks on fewer than 2 items before the target week")
    started = time.perf_counter()
    centroids = []
    for level, size in enumerate(sizes):
        distinct = np.unique(np.round(residual, 9), axis=0).shape[0]
        # one k-means++ start: restarts cost a full fit each and barely move a codebook of this size
        kmeans = KMeans(n_clusters=max(1, min(size, distinct)), n_init=1, random_state=seed + level)
        # one thread: scikit-learn's parallel k-means adds per-thread partial sums in the order the threads
        # finish, so on a busy machine the centroids' last bits, then the codes, change from run to run
        with threadpool_limits(limits=1):
            kmeans.fit(residual)
        centroids.append(kmeans.cluster_centers_.astype(np.float64))
        residual = residual - kmeans.cluster_centers_[kmeans.labels_]
    return Codebooks(tuple(centroids), int(rows.size), time.perf_counter() - started)


def _nearest(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid (squared Euclidean; ties: smaller index)."""
    distances = (centroids**2).sum(axis=1)[None, :] - 2.0 * points @ centroids.T
    return np.argmin(distances, axis=1)


def encode(vectors: np.ndarray, codebooks: Codebooks) -> tuple[np.ndarray, np.ndarray]:
    """Codes [n, levels] (int32) and the squared residual norm left after each level [n, levels]."""
    n, levels = vectors.shape[0], len(codebooks.centroids)
    codes = np.zeros((n, levels), dtype=np.int32)
    residual_norms = np.zeros((n, levels), dtype=np.float64)
    for start in range(0, n, ENCODE_CHUNK):
        residual = l2_normalise(vectors[start : start + ENCODE_CHUNK].astype(np.float64))
        for level, centroids in enumerate(codebooks.centroids):
            code = _nearest(residual, centroids)
            residual = residual - centroids[code]
            codes[start : start + residual.shape[0], level] = code
            residual_norms[start : start + residual.shape[0], level] = (residual**2).sum(axis=1)
    return codes, residual_norms


def prefix_keys(codes: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    """Integer key of every code prefix [n, levels]: column l identifies codes[:, :l+1] uniquely."""
    keys = np.zeros(codes.shape, dtype=np.int64)
    running = np.zeros(codes.shape[0], dtype=np.int64)
    for level, size in enumerate(sizes):
        running = running * size + codes[:, level]
        keys[:, level] = running
    return keys


def save_codebooks(codebooks: Codebooks, path: Path) -> str:
    return write_npz_atomically(path, {f"level_{i + 1}": c for i, c in enumerate(codebooks.centroids)})


def load_codebooks(path: str | Path, sha256: str) -> Codebooks:
    arrays = load_npz(path, sha256)
    levels = sorted(arrays, key=lambda name: int(name.split("_")[1]))
    return Codebooks(tuple(arrays[name] for name in levels), 0, 0.0)
