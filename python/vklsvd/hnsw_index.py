"""Approximate nearest neighbours with hnswlib (cosine space) and its recall against exact search.

Rows are labelled 0..n-1 in the order given; callers keep their own label -> entity mapping. The index
is built with one thread and a fixed seed, so the same vectors give the same graph and answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import hnswlib
import numpy as np

from vklsvd.artifacts import verified_path, write_atomically
from vklsvd.errors import VklsvdError
from vklsvd.retrieval import exact_top_k


@dataclass(frozen=True)
class HnswParams:
    m: int = 16  # hnswlib M: graph links per node
    ef_construction: int = 200
    ef_search: int = 0  # 0 = max(2 * k, 100) at query time
    seed: int = 100

    def ef_for(self, k: int) -> int:
        return max(self.ef_search, k) if self.ef_search > 0 else max(2 * k, 100)


@dataclass(frozen=True)
class BuiltIndex:
    index: hnswlib.Index
    build_seconds: float


def build_index(vectors: np.ndarray, params: HnswParams) -> BuiltIndex:
    """Index of the rows of `vectors` (labels 0..n-1); rows must be non-zero."""
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise VklsvdError("cannot build an HNSW index without vectors (no user has a content profile)")
    if not (np.linalg.norm(vectors, axis=1) > 0).all():
        raise VklsvdError("HNSW vectors must be non-zero (cosine space)")
    started = time.perf_counter()
    index = hnswlib.Index(space="cosine", dim=int(vectors.shape[1]))
    index.init_index(
        max_elements=int(vectors.shape[0]),
        M=params.m,
        ef_construction=params.ef_construction,
        random_seed=params.seed,
    )
    index.add_items(
        np.ascontiguousarray(vectors, dtype=np.float32), np.arange(vectors.shape[0]), num_threads=1
    )
    return BuiltIndex(index, time.perf_counter() - started)


def query(
    index: hnswlib.Index, queries: np.ndarray, k: int, ef: int, num_threads: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Labels [q, k] and cosine similarities [q, k] of the k nearest rows, best first."""
    k = min(k, index.get_current_count())
    if k == 0 or queries.shape[0] == 0:
        return np.empty((queries.shape[0], 0), np.int64), np.empty((queries.shape[0], 0), np.float32)
    index.set_ef(max(ef, k))
    labels, distances = index.knn_query(
        np.ascontiguousarray(queries, dtype=np.float32), k=k, num_threads=num_threads
    )
    return labels.astype(np.int64), (1.0 - distances).astype(np.float32)


def recall_against_exact(
    index: hnswlib.Index, base_vectors: np.ndarray, queries: np.ndarray, k: int, ef: int
) -> float:
    """Mean share of the exact top-k rows (cosine) that the index returns in its top k."""
    k = min(k, base_vectors.shape[0])
    if k == 0 or queries.shape[0] == 0:
        return float("nan")
    approx, _ = query(index, queries, k, ef)
    query_ids = np.arange(queries.shape[0], dtype=np.uint32)
    q, exact, _, _ = exact_top_k(
        query_ids, queries, np.arange(base_vectors.shape[0], dtype=np.uint32), base_vectors, k
    )
    approx_keys = np.repeat(query_ids.astype(np.int64), k) * base_vectors.shape[0] + approx.reshape(-1)
    exact_keys = q.astype(np.int64) * base_vectors.shape[0] + exact.astype(np.int64)
    return float(np.isin(exact_keys, approx_keys).mean())


def timed_query(
    index: hnswlib.Index, queries: np.ndarray, k: int, ef: int
) -> tuple[np.ndarray, np.ndarray, float]:
    started = time.perf_counter()
    labels, sims = query(index, queries, k, ef)
    return labels, sims, time.perf_counter() - started


def save_index(index: hnswlib.Index, path: Path) -> str:
    """Write the index atomically; returns its sha256."""
    return write_atomically(path, lambda target: index.save_index(str(target)))


def load_index(path: str | Path, sha256: str, dim: int, n_vectors: int) -> hnswlib.Index:
    index = hnswlib.Index(space="cosine", dim=dim)
    index.load_index(str(verified_path(path, sha256)), max_elements=n_vectors)
    return index
