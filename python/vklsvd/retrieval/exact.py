"""Exact top-k search by inner product and by cosine similarity (the reference HNSW is checked against)."""

from __future__ import annotations

import numpy as np
from implicit.cpu.topk import topk

from vklsvd.content.profiles import l2_normalise


def top_k_inner_product(
    query_ids: np.ndarray,
    queries: np.ndarray,
    base_ids: np.ndarray,
    base: np.ndarray,
    k: int,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each query, the k base rows of largest inner product.

    The products and the selection are `implicit`'s top-k (blocks of queries, `threads` threads; the
    result does not depend on `threads`); equal products are ordered by the smaller base id. Which of
    several rows tied at the k-th place are kept is implicit's choice, the same for the same input.
    Returns flat arrays (query_id, base_id, inner product, rank) with rank starting at 1, ordered by
    query then rank.
    """
    k = min(k, base_ids.size)
    if k == 0 or query_ids.size == 0:
        empty_ids = np.empty(0, dtype=np.uint32)
        return empty_ids, empty_ids, np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int32)
    base_order = np.argsort(base_ids, kind="stable")
    rows, products = topk(
        np.ascontiguousarray(base[base_order], dtype=np.float32),
        np.ascontiguousarray(queries, dtype=np.float32),
        k,
        num_threads=threads,
    )
    found_ids = base_ids[base_order][rows]
    order = np.lexsort((found_ids, -products), axis=1)
    found_ids, products = (
        np.take_along_axis(found_ids, order, axis=1),
        np.take_along_axis(products, order, axis=1),
    )
    return (
        np.repeat(query_ids, k).astype(np.uint32),
        found_ids.reshape(-1).astype(np.uint32),
        products.reshape(-1).astype(np.float32),
        np.tile(np.arange(1, k + 1, dtype=np.int32), query_ids.size),
    )


def exact_top_k(
    query_ids: np.ndarray,
    query_vectors: np.ndarray,
    base_ids: np.ndarray,
    base_vectors: np.ndarray,
    k: int,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each query, the k most cosine-similar base rows: `top_k_inner_product` of the unit vectors
    (same output, the score a cosine)."""
    return top_k_inner_product(
        query_ids,
        l2_normalise(query_vectors.astype(np.float32)),
        base_ids,
        l2_normalise(base_vectors.astype(np.float32)),
        k,
        threads,
    )
