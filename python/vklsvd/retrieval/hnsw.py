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

from vklsvd.errors import VklsvdError
from vklsvd.io.artifacts import verified_path, write_atomically
from vklsvd.retrieval.exact import exact_top_k


class IncompleteResults(VklsvdError):
    """The graph could not give k neighbours to some query (too few links or too small an ef)."""


@dataclass(frozen=True)
class HnswParams:
    """Var `hnsw_params` (vklsvd.settings.stage_settings) and the build's seed: index and search settings of
    every HNSW search; the user index also reads `profile_kinds` (what it indexes besides the interest
    vectors) and `overfetch`."""

    profile_kinds: tuple[str, ...]  # user content profile kinds indexed next to the multi-interest vectors
    m: int  # hnswlib M: graph links per node
    ef_construction: int
    ef_search: int  # 0 = max(2 * k, 100) at query time
    max_ef_search: int  # 0 = min(16 k, vectors)
    target_recall: float  # plan_search raises ef until the sampled recall reaches it
    overfetch: int  # neighbours fetched per wanted user (users own several vectors)
    recall_queries: int  # queries on which HNSW is compared with exact search
    seed: int

    def ef_for(self, k: int) -> int:
        return max(self.ef_search, k) if self.ef_search > 0 else max(2 * k, 100)

    def max_ef_for(self, k: int, n_vectors: int) -> int:
        """The largest ef `plan_search` tries: `max_ef_search`, or 16 k capped by the index size."""
        limit = self.max_ef_search if self.max_ef_search > 0 else min(16 * k, n_vectors)
        return max(limit, self.ef_for(k))


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
    try:
        labels, distances = index.knn_query(
            np.ascontiguousarray(queries, dtype=np.float32), k=k, num_threads=num_threads
        )
    except RuntimeError as error:  # hnswlib: fewer than k reachable neighbours for some query
        raise IncompleteResults(f"HNSW returned fewer than {k} neighbours at ef {ef}: {error}") from error
    return labels.astype(np.int64), (1.0 - distances).astype(np.float32)


def exact_neighbours(base_vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Labels [q, k] of the exact k most cosine-similar rows (the reference of the recall)."""
    k = min(k, base_vectors.shape[0])
    query_ids = np.arange(queries.shape[0], dtype=np.uint32)
    _, exact, _, _ = exact_top_k(
        query_ids, queries, np.arange(base_vectors.shape[0], dtype=np.uint32), base_vectors, k
    )
    return exact.astype(np.int64).reshape(queries.shape[0], k)


def recall_of(approximate: np.ndarray, exact: np.ndarray, n_vectors: int) -> float:
    """Mean share of each query's exact neighbours [q, k] found among its approximate ones [q, k']."""
    if exact.size == 0:
        return float("nan")
    rows = np.arange(exact.shape[0], dtype=np.int64)[:, None] * n_vectors
    return float(np.isin((exact + rows).reshape(-1), (approximate + rows).reshape(-1)).mean())


def recall_against_exact(
    index: hnswlib.Index, base_vectors: np.ndarray, queries: np.ndarray, k: int, ef: int
) -> float:
    """Mean share of the exact top-k rows (cosine) that the index returns in its top k."""
    k = min(k, base_vectors.shape[0])
    if k == 0 or queries.shape[0] == 0:
        return float("nan")
    approx, _ = query(index, queries, k, ef)
    return recall_of(approx, exact_neighbours(base_vectors, queries, k), base_vectors.shape[0])


@dataclass(frozen=True)
class SearchPlan:
    """How candidates are retrieved: HNSW at `ef`, or exact search when no ef reached the target."""

    exact: bool
    ef: int
    hnsw_recall: float  # recall of HNSW at `ef` on the sample (the best one measured)
    efs_tried: tuple[int, ...]


def plan_search(
    index: hnswlib.Index,
    base_vectors: np.ndarray,
    sample_queries: np.ndarray,
    k: int,
    *,
    first_ef: int,
    target_recall: float,
    max_ef: int,
) -> SearchPlan:
    """Raise ef (doubling from `first_ef`, at most `max_ef`) until HNSW's recall at depth k on the sample
    reaches `target_recall`; when no ef does, plan exact search. Recall depends only on the vectors, the
    seeded graph and ef, so the plan is the same in every build of the same data."""
    k = min(k, base_vectors.shape[0])
    if k == 0 or sample_queries.shape[0] == 0:
        return SearchPlan(exact=False, ef=max(first_ef, k), hnsw_recall=float("nan"), efs_tried=())
    exact = exact_neighbours(base_vectors, sample_queries, k)
    ef, tried, best = max(first_ef, k), [], (float("-inf"), first_ef)
    while True:
        try:
            approx, _ = query(index, sample_queries, k, ef)
            recall = recall_of(approx, exact, base_vectors.shape[0])
        except IncompleteResults:
            recall = 0.0
        tried.append(ef)
        if recall > best[0]:
            best = (recall, ef)
        if recall >= target_recall:
            return SearchPlan(exact=False, ef=ef, hnsw_recall=recall, efs_tried=tuple(tried))
        if ef >= max_ef:
            return SearchPlan(exact=True, ef=best[1], hnsw_recall=best[0], efs_tried=tuple(tried))
        ef = min(2 * ef, max_ef)


def save_index(index: hnswlib.Index, path: Path) -> str:
    """Write the index atomically; returns its sha256."""
    return write_atomically(path, lambda target: index.save_index(str(target)))


def load_index(path: str | Path, sha256: str, dim: int, n_vectors: int) -> hnswlib.Index:
    index = hnswlib.Index(space="cosine", dim=dim)
    index.load_index(str(verified_path(path, sha256)), max_elements=n_vectors)
    return index
