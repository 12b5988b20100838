"""HNSW index (hnswlib, cosine): recall against exact search, round trip, determinism (vklsvd.hnsw_index)."""

from pathlib import Path

import numpy as np
import pytest

from vklsvd.errors import VklsvdError
from vklsvd.hnsw_index import HnswParams, build_index, load_index, query, recall_against_exact, save_index
from vklsvd.profiles import l2_normalise


def _clustered(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    return (centres[rng.integers(0, 20, size=n)] + 0.5 * rng.normal(size=(n, dim))).astype(np.float32)


@pytest.mark.parametrize("k", [10, 100])
def test_recall_against_exact_search_with_default_params(k: int) -> None:
    base = _clustered(3000)
    queries = _clustered(100, seed=1)
    params = HnswParams()
    built = build_index(base, params)
    assert recall_against_exact(built.index, base, queries, k, params.ef_for(k)) >= 0.95


def test_similarities_are_cosines_best_first() -> None:
    base = _clustered(500)
    queries = _clustered(5, seed=2)
    labels, sims = query(build_index(base, HnswParams()).index, queries, 8, 100)
    expected = np.einsum("qd,qkd->qk", l2_normalise(queries), l2_normalise(base)[labels])
    np.testing.assert_allclose(sims, expected, atol=1e-5)
    assert (np.diff(sims, axis=1) <= 1e-6).all()


def test_ef_rule() -> None:
    assert HnswParams().ef_for(10) == 100 and HnswParams().ef_for(300) == 600
    assert HnswParams(ef_search=50).ef_for(80) == 80  # never below k


def test_build_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    base = _clustered(800, seed=4)
    queries = _clustered(20, seed=5)
    first, second = build_index(base, HnswParams(seed=3)), build_index(base, HnswParams(seed=3))
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
    labels, _ = query(build_index(base, HnswParams()).index, base[:2], 50, 100)
    assert labels.shape == (2, 5) and sorted(labels[0].tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(VklsvdError, match="non-zero"):
        build_index(np.zeros((2, 3), dtype=np.float32), HnswParams())
    with pytest.raises(VklsvdError, match="without vectors"):
        build_index(np.empty((0, 3), dtype=np.float32), HnswParams())
