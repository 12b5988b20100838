"""Exact nearest-neighbour search by cosine similarity (the reference HNSW is checked against)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from vklsvd.content.profiles import l2_normalise

#: Bytes of one block of query x base similarities (and its top-k scratch): bounds memory whatever the
#: number of users, at the cost of more, smaller matrix products when the base is large.
SIMILARITY_BLOCK_BYTES = 128 << 20
#: Bytes per similarity in a block: the float32 score and the int64 index argpartition returns.
_BYTES_PER_SIMILARITY = 12


def exact_top_k(
    query_ids: np.ndarray,
    query_vectors: np.ndarray,
    base_ids: np.ndarray,
    base_vectors: np.ndarray,
    k: int,
    block_bytes: int = SIMILARITY_BLOCK_BYTES,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each query, the k most cosine-similar base rows.

    Ties are broken by the smaller base id so results are deterministic. Queries are processed in blocks
    whose similarity matrix fits `block_bytes`; with `threads` > 1 that many blocks run at once (each
    with one BLAS thread: the top-k selection after the product is single-threaded, so blocks side by
    side use the cores better than one block with a parallel product). The result does not depend on
    `threads`. Returns flat arrays (query_id, base_id, score, rank) with rank starting at 1, ordered by
    query then rank.
    """
    k = min(k, base_ids.size)
    if k == 0 or query_ids.size == 0:
        empty_ids = np.empty(0, dtype=np.uint32)
        return empty_ids, empty_ids, np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int32)
    base_order = np.argsort(base_ids, kind="stable")
    base_ids = base_ids[base_order]
    base = l2_normalise(base_vectors[base_order].astype(np.float32))
    queries = l2_normalise(query_vectors.astype(np.float32))
    chunk_size = max(1, block_bytes // (_BYTES_PER_SIMILARITY * base.shape[0]))

    def block(start: int) -> tuple[np.ndarray, np.ndarray]:
        sims = queries[start : start + chunk_size] @ base.T
        if k < base.shape[0]:
            part = np.argpartition(sims, base.shape[0] - k, axis=1)[:, -k:]
        else:
            part = np.broadcast_to(np.arange(base.shape[0]), (sims.shape[0], base.shape[0]))
        top_scores = np.take_along_axis(sims, part, axis=1)
        # sort each row by (-score, base id); base ids are sorted, so column index orders ids
        order = np.lexsort((part, -top_scores), axis=1)
        return np.take_along_axis(part, order, axis=1), np.take_along_axis(top_scores, order, axis=1)

    starts = range(0, queries.shape[0], chunk_size)
    if threads > 1 and len(starts) > 1:
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(threads) as pool:
            blocks = list(pool.map(block, starts))
    else:
        blocks = [block(start) for start in starts]
    ranks = np.tile(np.arange(1, k + 1, dtype=np.int32), query_ids.size)
    return (
        np.repeat(query_ids, k).astype(np.uint32),
        np.concatenate([base_ids[part].reshape(-1) for part, _ in blocks]).astype(np.uint32),
        np.concatenate([scores.reshape(-1) for _, scores in blocks]).astype(np.float32),
        ranks,
    )
