"""Semantic IDs: residual quantisation codebooks, encoding and prefixes (vklsvd.content.semantic_ids)."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from vklsvd.content.adapters import fit_gmm_bubbles, fit_semantic_codebooks
from vklsvd.content.bubbles import BubbleParams
from vklsvd.content.profiles import l2_normalise
from vklsvd.content.semantic_ids import (
    SemanticIdParams,
    encode,
    fit_codebooks,
    load_codebooks,
    prefix_keys,
    save_codebooks,
)
from vklsvd.errors import VklsvdError
from vklsvd.io.arrow import vector_array


def _items(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    topics = rng.integers(0, 4, size=n)
    vectors = np.eye(10)[topics] + 0.1 * rng.normal(size=(n, 10))
    return vectors.astype(np.float32), topics


def test_each_level_explains_more() -> None:
    vectors, topics = _items()
    books = fit_codebooks(vectors, (4, 8, 8), seed=0, max_fit_items=100_000)
    assert books.sizes == (4, 8, 8)
    codes, residual = encode(vectors, books)
    assert codes.shape == (400, 3) and codes.dtype == np.int32
    mean_residual = residual.mean(axis=0)
    assert 0 < mean_residual[2] < mean_residual[1] < mean_residual[0] < 1
    # level 1 recovers the four topics
    assert all(np.unique(codes[topics == t, 0]).size == 1 for t in range(4))


def test_encoding_is_the_residual_nearest_centroid() -> None:
    vectors, _ = _items(n=120, seed=1)
    books = fit_codebooks(vectors, (6, 3), seed=2, max_fit_items=100_000)
    codes, _ = encode(vectors, books)
    residual = l2_normalise(vectors.astype(np.float64))
    for level, centroids in enumerate(books.centroids):
        distances = ((residual[:, None, :] - centroids[None]) ** 2).sum(-1)
        assert np.array_equal(codes[:, level], np.argmin(distances, axis=1))
        residual = residual - centroids[codes[:, level]]


def test_a_new_clip_gets_its_code_from_content_alone() -> None:
    vectors, topics = _items()
    books = fit_codebooks(vectors[:300], (4, 4), seed=0, max_fit_items=100_000)
    codes, _ = encode(vectors, books)
    by_topic = {t: codes[:300][topics[:300] == t, 0][0] for t in range(4)}
    assert all(codes[300 + i, 0] == by_topic[topics[300 + i]] for i in range(100))


def test_prefix_keys_identify_prefixes() -> None:
    codes = np.array([[0, 1, 2], [0, 1, 3], [1, 0, 0], [0, 2, 2]], dtype=np.int32)
    keys = prefix_keys(codes, (4, 3, 5))
    assert keys[:, 0].tolist() == [0, 0, 1, 0]
    assert keys[:, 1].tolist() == [1, 1, 3, 2]
    assert keys[:, 2].tolist() == [7, 8, 15, 12]
    for level in range(3):
        assert np.unique(keys[:, level]).size == np.unique(codes[:, : level + 1], axis=0).shape[0]


def test_round_trip_seeded_and_capped(tmp_path: Path) -> None:
    vectors, _ = _items(n=50)
    books = fit_codebooks(vectors, (8, 4), seed=3, max_fit_items=100_000)
    again = fit_codebooks(vectors, (8, 4), seed=3, max_fit_items=100_000)
    assert all(np.array_equal(a, b) for a, b in zip(books.centroids, again.centroids, strict=True))
    digest = save_codebooks(books, tmp_path / "books.npz")
    loaded = load_codebooks(tmp_path / "books.npz", digest)
    assert np.array_equal(encode(vectors, loaded)[0], encode(vectors, books)[0])
    assert fit_codebooks(vectors[:3], (8,), seed=0, max_fit_items=100_000).sizes == (3,)
    with pytest.raises(VklsvdError, match="positive"):
        fit_codebooks(vectors, (8, 0), seed=0, max_fit_items=100_000)


@pytest.mark.parametrize("fit", ["codebooks", "bubbles"])
def test_fitted_content_models_ignore_the_row_order_of_their_input(tmp_path: Path, fit: str) -> None:
    """DuckDB hands a parallel scan's rows over in any order; a subsampled fit must not depend on it."""
    rng = np.random.default_rng(5)
    n_items = 600
    embeddings = rng.normal(size=(n_items, 8)).astype(np.float32)
    items = pa.table(
        {
            "item_id": pa.array(np.arange(1, n_items + 1), pa.uint32()),
            "embedding": vector_array(embeddings),
        }
    )
    shuffled = items.take(pa.array(rng.permutation(n_items)))
    digests = []
    for name, table in (("sorted", items), ("shuffled", shuffled)):
        folder = tmp_path / name
        folder.mkdir()
        if fit == "codebooks":
            description = fit_semantic_codebooks(
                table, SemanticIdParams(sizes=(8, 4), max_fit_items=200, counter_levels=2), seed=1,
                artifacts_dir=folder,
            )  # fmt: skip
        else:
            description = fit_gmm_bubbles(
                table, BubbleParams(
                    components=4, covariance="diag", max_fit_items=200, max_iterations=50,
                    item_top_components=3, user_top_components=3,
                ), seed=1, artifacts_dir=folder,
            )  # fmt: skip
        digests.append(description.column("sha256").to_pylist())
    assert digests[0] == digests[1]
