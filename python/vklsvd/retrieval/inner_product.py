"""Exact maximum-inner-product search, by reduction to cosine search.

Appending sqrt(M² - |b|²) to every base vector (M: the largest base norm) gives all of them the norm M,
and a zero to every query leaves its products unchanged, so the cosine order of the augmented vectors
is the inner-product order of the originals (Bachrach et al., 2014). The exact search needs no
augmentation (`exact.top_k_inner_product`: implicit's top-k, ties broken by the smaller base id); the
planned search indexes the augmented vectors with HNSW (`hnsw.build_index`, cosine space) and lets
`hnsw.plan_search` choose its ef on a sample of the queries, or exact search when no ef reaches the
target recall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from implicit.utils import augment_inner_product_matrix

from vklsvd.id_map import IdMap
from vklsvd.retrieval import hnsw
from vklsvd.retrieval.exact import top_k_inner_product
from vklsvd.sampling import seeded_subsample

Found = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def augmented_base(base: np.ndarray) -> np.ndarray:
    """Base vectors with the extra coordinate that gives every one the largest norm (`implicit`'s
    augmentation, in float64); a base of zero vectors gets norm 1, so a cosine index has no zero vector."""
    if base.shape[0] == 0:
        return np.zeros((0, base.shape[1] + 1), np.float32)
    largest, augmented = augment_inner_product_matrix(base.astype(np.float64))
    if largest == 0:
        augmented[:, -1] = 1.0
    return augmented.astype(np.float32)


def augmented_queries(queries: np.ndarray) -> np.ndarray:
    """Query vectors with a zero extra coordinate (their products with the augmented base unchanged)."""
    return np.hstack([queries.astype(np.float32), np.zeros((queries.shape[0], 1), np.float32)])


@dataclass(frozen=True)
class InnerProductSearch:
    """How a planned search ran: `exact` (chosen by size, or when HNSW missed the target recall on the
    sample or fell short of k neighbours for some query), else HNSW at `ef` (the best ef measured when
    exact); `hnsw_recall` on the sampled queries (nan when no index was built)."""

    exact: bool
    ef: int
    hnsw_recall: float
    build_seconds: float


def planned_top_k_inner_product(
    query_ids: np.ndarray,
    queries: np.ndarray,
    base_ids: np.ndarray,
    base: np.ndarray,
    k: int,
    *,
    params: hnsw.HnswParams,
    max_exact_products: int,
    threads: int = 1,
) -> tuple[Found, InnerProductSearch]:
    """`top_k_inner_product` when queries x base rows is at most `max_exact_products` (a full product is
    then cheaper than building a graph), else HNSW over the augmented base vectors at the ef that
    `hnsw.plan_search` finds on up to `params.recall_queries` seeded queries (exact when none reaches
    `params.target_recall`). Same flat output as `top_k_inner_product`."""
    k = min(k, base_ids.size)
    if queries.shape[0] * base.shape[0] <= max_exact_products or k == 0:
        found = top_k_inner_product(query_ids, queries, base_ids, base, k, threads=threads)
        return found, InnerProductSearch(True, 0, float("nan"), 0.0)
    indexed, asked = augmented_base(base), augmented_queries(queries)
    built = hnsw.build_index(indexed, params)
    sample = asked[seeded_subsample(query_ids.size, params.recall_queries, params.seed)]
    plan = hnsw.plan_search(
        built.index, indexed, sample, k, first_ef=params.ef_for(k), target_recall=params.target_recall,
        max_ef=params.max_ef_for(k, indexed.shape[0]),
    )  # fmt: skip
    search = InnerProductSearch(plan.exact, plan.ef, plan.hnsw_recall, built.build_seconds)
    if plan.exact:
        return top_k_inner_product(query_ids, queries, base_ids, base, k, threads=threads), search
    try:
        labels, _ = hnsw.query(built.index, asked, k, plan.ef, num_threads=threads)
    except hnsw.IncompleteResults:  # the sample reached k neighbours, some other query did not
        exact = InnerProductSearch(True, plan.ef, plan.hnsw_recall, built.build_seconds)
        return top_k_inner_product(query_ids, queries, base_ids, base, k, threads=threads), exact
    query_out = np.repeat(query_ids, k).astype(np.uint32)
    base_out = base_ids[labels.reshape(-1)].astype(np.uint32)
    ranks = np.tile(np.arange(1, k + 1, dtype=np.int32), query_ids.size)
    products = _products(queries, query_ids, query_out, base, base_ids, base_out)
    return (query_out, base_out, products, ranks), search


def _products(
    queries: np.ndarray,
    query_ids: np.ndarray,
    query_out: np.ndarray,
    base: np.ndarray,
    base_ids: np.ndarray,
    base_out: np.ndarray,
) -> np.ndarray:
    """The inner product of every found (query, base) pair."""
    return np.einsum(
        "ij,ij->i",
        queries[IdMap.of(query_ids).known_rows(query_out, "found query id(s) not among the queries")],
        base[IdMap.of(base_ids).known_rows(base_out, "found base id(s) not among the base rows")],
    ).astype(np.float32)
