"""Exact maximum-inner-product search, by reduction to cosine search.

Appending sqrt(M² - |b|²) to every base vector (M: the largest base norm) gives all of them the norm M,
and a zero to every query leaves its products unchanged, so the cosine order of the augmented vectors
is the inner-product order of the originals (Bachrach et al., 2014). The search itself is
`exact.exact_top_k`: bounded blocks, ties broken by the smaller base id.
"""

from __future__ import annotations

import numpy as np

from vklsvd.retrieval.exact import exact_top_k


def augmented_base(base: np.ndarray) -> np.ndarray:
    """Base vectors with the extra coordinate that gives every one the largest norm."""
    norms = np.linalg.norm(base.astype(np.float64), axis=1)
    largest = float(norms.max()) if norms.size else 0.0
    largest = largest if largest > 0 else 1.0
    extra = np.sqrt(np.maximum(largest**2 - norms**2, 0.0))
    return np.hstack([base.astype(np.float64), extra[:, None]]).astype(np.float32)


def top_k_inner_product(
    query_ids: np.ndarray,
    queries: np.ndarray,
    base_ids: np.ndarray,
    base: np.ndarray,
    k: int,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each query, the k base rows of largest inner product. Returns flat (query_id, base_id,
    inner product, rank) ordered by query then rank, as `exact_top_k` does."""
    augmented_queries = np.hstack([queries.astype(np.float32), np.zeros((queries.shape[0], 1), np.float32)])
    query_out, base_out, _, ranks = exact_top_k(
        query_ids, augmented_queries, base_ids, augmented_base(base), k, threads=threads
    )
    products = np.einsum(
        "ij,ij->i", queries[_rows_of(query_ids, query_out)], base[_rows_of(base_ids, base_out)]
    ).astype(np.float32)
    return query_out, base_out, products, ranks


def _rows_of(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The row of each of `wanted` in `ids` (distinct ids, in any order; every wanted id among them)."""
    order = np.argsort(ids, kind="stable")
    return order[np.searchsorted(ids[order], wanted)]
