"""Exact nearest-neighbour search by cosine similarity (the reference HNSW is checked against)."""

from __future__ import annotations

import numpy as np

from vklsvd.profiles import l2_normalise


def exact_top_k(
    query_ids: np.ndarray,
    query_vectors: np.ndarray,
    base_ids: np.ndarray,
    base_vectors: np.ndarray,
    k: int,
    chunk_size: int = 1024,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each query, the k most cosine-similar base rows.

    Ties are broken by the smaller base id so results are deterministic. Returns flat arrays
    (query_id, base_id, score, rank) with rank starting at 1, ordered by query then rank.
    """
    k = min(k, base_ids.size)
    if k == 0 or query_ids.size == 0:
        empty_ids = np.empty(0, dtype=np.uint32)
        return empty_ids, empty_ids, np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int32)
    base_order = np.argsort(base_ids, kind="stable")
    base_ids = base_ids[base_order]
    base = l2_normalise(base_vectors[base_order].astype(np.float32))
    queries = l2_normalise(query_vectors.astype(np.float32))
    out_query, out_base, out_score = [], [], []
    for start in range(0, queries.shape[0], chunk_size):
        sims = queries[start : start + chunk_size] @ base.T
        if k < base.shape[0]:
            part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(base.shape[0]), (sims.shape[0], base.shape[0]))
        top_scores = np.take_along_axis(sims, part, axis=1)
        # sort each row by (-score, base id); base ids are sorted, so column index orders ids
        order = np.lexsort((part, -top_scores), axis=1)
        part = np.take_along_axis(part, order, axis=1)
        out_query.append(np.repeat(query_ids[start : start + chunk_size], k))
        out_base.append(base_ids[part].reshape(-1))
        out_score.append(np.take_along_axis(top_scores, order, axis=1).reshape(-1))
    ranks = np.tile(np.arange(1, k + 1, dtype=np.int32), query_ids.size)
    return (
        np.concatenate(out_query).astype(np.uint32),
        np.concatenate(out_base).astype(np.uint32),
        np.concatenate(out_score).astype(np.float32),
        ranks,
    )
