"""HNSW (hnswlib, cosine): recall against exact search, search plans, round trip (vklsvd.retrieval.hnsw)."""

from pathlib import Path

import numpy as np
import pytest

from harness import default_hnsw_params
from vklsvd.content.profiles import l2_normalise
from vklsvd.errors import VklsvdError
from vklsvd.retrieval.hnsw import (
    build_index,
    load_index,
    plan_search,
    query,
    recall_against_exact,
    save_index,
)


def _clustered(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    return (centres[rng.integers(0, 20, size=n)] + 0.5 * rng.normal(size=(n, dim))).astype(np.float32)


@pytest.mark.parametrize("k", [10, 100])
def test_recall_against_exact_search_with_default_params(k: int) -> None:
    base = _clustered(3000)
    queries = _clustered(100, seed=1)
    params = default_hnsw_params()
    built = build_index(base, params)
    assert recall_against_exact(built.index, base, queries, k, params.ef_for(k)) >= 0.95


def test_similarities_are_cosines_best_first() -> None:
    base = _clustered(500)
    queries = _clustered(5, seed=2)
    labels, sims = query(build_index(base, default_hnsw_params()).index, queries, 8, 100)
    expected = np.einsum("qd,qkd->qk", l2_normalise(queries), l2_normalise(base)[labels])
    np.testing.assert_allclose(sims, expected, atol=1e-5)
    assert (np.diff(sims, axis=1) <= 1e-6).all()


def test_ef_rule() -> None:
    automatic = default_hnsw_params(ef_search=0, max_ef_search=0)
    assert automatic.ef_for(10) == 100 and automatic.ef_for(300) == 600
    assert default_hnsw_params(ef_search=50).ef_for(80) == 80  # never below k
    assert automatic.max_ef_for(100, n_vectors=500) == 500 and automatic.max_ef_for(10, 10_000) == 160
    # never below the first ef
    assert default_hnsw_params(ef_search=0, max_ef_search=50).max_ef_for(80, 10_000) == 160


def test_plan_raises_ef_until_the_recall_target_is_met() -> None:
    # a sparse graph (M=4) searched at ef = k misses neighbours; a larger ef finds them
    base = _clustered(4000, seed=6)
    queries = _clustered(40, seed=7)
    index = build_index(base, default_hnsw_params(m=4, ef_construction=20, seed=2)).index
    k = 200
    first = recall_against_exact(index, base, queries, k, k)
    plan = plan_search(index, base, queries, k, first_ef=k, target_recall=0.99, max_ef=4000)
    assert first < 0.99
    assert not plan.exact and plan.hnsw_recall >= 0.99 and plan.efs_tried[0] == k
    assert list(plan.efs_tried) == sorted(set(plan.efs_tried)) and len(plan.efs_tried) >= 2
    assert plan.ef == plan.efs_tried[-1]
    again = plan_search(index, base, queries, k, first_ef=k, target_recall=0.99, max_ef=4000)
    assert again == plan  # recall depends only on the graph and ef: the same plan in every build


def test_plan_chooses_exact_search_when_no_ef_reaches_the_target() -> None:
    base = _clustered(2000, seed=8)
    queries = _clustered(30, seed=9)
    index = build_index(base, default_hnsw_params(m=2, ef_construction=4, seed=2)).index
    plan = plan_search(index, base, queries, 100, first_ef=100, target_recall=1.0, max_ef=200)
    assert plan.exact and plan.efs_tried == (100, 200) and plan.hnsw_recall < 1.0


def test_build_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    base = _clustered(800, seed=4)
    queries = _clustered(20, seed=5)
    first, second = (
        build_index(base, default_hnsw_params(seed=3)),
        build_index(base, default_hnsw_params(seed=3)),
    )
    a, _ = query(first.index, queries, 10, 100)
    b, _ = query(second.index, queries, 10, 100)
    assert np.array_equal(a, b)
    digest = save_index(first.index, tmp_path / "index.bin")
    assert save_index(second.index, tmp_path / "again.bin") == digest
    loaded = load_index(tmp_path / "index.bin", digest, dim=16, n_vectors=800)
    assert np.array_equal(query(loaded, queries, 10, 100)[0], a)
    with pytest.raises(VklsvdError, match="sha256"):
        load_index(tmp_path / "again.bin", "0" * 64, dim=16, n_vectors=800)


def test_more_neighbours_than_vectors_and_bad_input() -> None:
    base = _clustered(5)
    labels, _ = query(build_index(base, default_hnsw_params()).index, base[:2], 50, 100)
    assert labels.shape == (2, 5) and sorted(labels[0].tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(VklsvdError, match="non-zero"):
        build_index(np.zeros((2, 3), dtype=np.float32), default_hnsw_params())
    with pytest.raises(VklsvdError, match="without vectors"):
        build_index(np.empty((0, 3), dtype=np.float32), default_hnsw_params())
