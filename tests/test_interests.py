"""Multi-interest profiles: per-user spherical k-means for all users at once (vklsvd.content.interests)."""

import numpy as np
import pytest

from vklsvd.content.interests import clusters_per_user, multi_interest_profiles
from vklsvd.content.profiles import l2_normalise


def test_cluster_count_grows_with_log_history() -> None:
    n = np.array([0, 1, 15, 16, 31, 32, 63, 64, 10_000])
    assert clusters_per_user(n, k_max=4, min_items_per_cluster=16).tolist() == [1, 1, 1, 1, 1, 2, 2, 3, 4]
    # never more clusters than items
    assert clusters_per_user(np.array([1, 2, 3]), k_max=5, min_items_per_cluster=1).tolist() == [1, 2, 2]


def _two_taste_world(seed: int = 0) -> tuple[np.ndarray, ...]:
    """Items around four directions; users 1..6 with one or two tastes and histories of different sizes."""
    rng = np.random.default_rng(seed)
    directions = np.eye(8)[:4]
    item_ids = np.arange(100, 500, dtype=np.uint32)
    topic = np.arange(item_ids.size) % 4
    embeddings = (directions[topic] + 0.05 * rng.normal(size=(item_ids.size, 8))).astype(np.float32)
    tastes = {1: [0], 2: [0, 1], 3: [2, 3], 4: [1], 5: [3, 0], 6: [2]}
    sizes = {1: 5, 2: 40, 3: 64, 4: 20, 5: 36, 6: 3}
    users, items = [], []
    for user, topics in tastes.items():
        pool = item_ids[np.isin(topic, topics)]
        chosen = rng.choice(pool, size=sizes[user], replace=False)
        users.append(np.full(chosen.size, user, dtype=np.uint32))
        items.append(chosen)
    return np.concatenate(users), np.concatenate(items), item_ids, embeddings, directions


def test_users_with_two_tastes_get_two_interests() -> None:
    users, items, item_ids, embeddings, directions = _two_taste_world()
    result = multi_interest_profiles(
        users, items, np.ones(users.size), item_ids, embeddings, k_max=3, min_items_per_cluster=16, n_iter=10
    )
    by_user = {u: result.embedding[result.user_id == u] for u in np.unique(result.user_id).tolist()}
    assert [by_user[u].shape[0] for u in range(1, 7)] == [1, 2, 3, 1, 2, 1]
    # two-taste users: each centroid sits on one of their topics, and both topics are covered
    for user, topics in ((2, {0, 1}), (5, {3, 0})):
        nearest = {int(np.argmax(directions @ c)) for c in by_user[user]}
        assert nearest == topics
    np.testing.assert_allclose(np.linalg.norm(result.embedding, axis=1), 1.0, rtol=1e-5)
    weight_sums = np.bincount(result.user_id - 1, weights=result.weight)
    np.testing.assert_allclose(weight_sums, 1.0, rtol=1e-6)
    # interest 0 is the heaviest of each user
    for user in range(1, 7):
        weights = result.weight[result.user_id == user]
        assert weights[0] == weights.max()
        assert result.interest_id[result.user_id == user].tolist() == list(range(weights.size))


def test_users_are_independent_of_chunking_and_input_order() -> None:
    users, items, item_ids, embeddings, _ = _two_taste_world(seed=3)
    weights = np.linspace(0.5, 2.0, users.size)
    kwargs = {"k_max": 4, "min_items_per_cluster": 8, "n_iter": 10}
    together = multi_interest_profiles(users, items, weights, item_ids, embeddings, **kwargs)
    one_by_one = multi_interest_profiles(
        users, items, weights, item_ids, embeddings, users_per_chunk=1, **kwargs
    )
    shuffled = np.random.default_rng(1).permutation(users.size)
    reordered = multi_interest_profiles(
        users[shuffled], items[shuffled], weights[shuffled], item_ids, embeddings, **kwargs
    )
    for other in (one_by_one, reordered):
        assert np.array_equal(together.user_id, other.user_id)
        assert np.array_equal(together.n_items, other.n_items)
        np.testing.assert_allclose(together.embedding, other.embedding, atol=1e-6)
        np.testing.assert_allclose(together.weight, other.weight, atol=1e-6)


def _reference_one_user(vectors: np.ndarray, weights: np.ndarray, k: int, n_iter: int) -> np.ndarray:
    """Plain-loop spherical k-means with the documented farthest-first initialisation."""
    mean = l2_normalise((weights[:, None] * vectors).sum(axis=0, keepdims=True))[0]
    chosen = [int(np.argmax(vectors @ mean))]
    for _ in range(1, k):
        closest = np.max(vectors @ vectors[chosen].T, axis=1)
        chosen.append(int(np.argmax(weights * (1 - closest))))
    centroids = vectors[chosen].copy()
    for _ in range(n_iter + 1):
        assignment = np.argmax(vectors @ centroids.T, axis=1)
        for j in range(k):
            members = assignment == j
            if members.any():
                centroids[j] = l2_normalise(
                    (weights[members, None] * vectors[members]).sum(0, keepdims=True)
                )[0]
    return centroids


def test_matches_a_plain_loop_reference_for_one_user() -> None:
    rng = np.random.default_rng(5)
    item_ids = np.arange(1, 81, dtype=np.uint32)
    embeddings = rng.normal(size=(80, 6)).astype(np.float32)
    weights = rng.uniform(0.1, 1.0, size=80)
    result = multi_interest_profiles(
        np.full(80, 7, dtype=np.uint32), item_ids, weights, item_ids, embeddings,
        k_max=3, min_items_per_cluster=20, n_iter=30,
    )  # fmt: skip
    reference = _reference_one_user(l2_normalise(embeddings), weights, k=3, n_iter=30)
    got = result.embedding[np.argsort(-result.weight)]
    order = [int(np.argmax(reference @ g)) for g in got]
    np.testing.assert_allclose(got, reference[order], atol=1e-4)


def test_no_usable_history_gives_empty_profiles() -> None:
    result = multi_interest_profiles(
        np.array([1], dtype=np.uint32),
        np.array([5], dtype=np.uint32),
        np.array([0.0]),
        np.array([5], dtype=np.uint32),
        np.ones((1, 4), dtype=np.float32),
        k_max=4, min_items_per_cluster=8, n_iter=10,
    )  # fmt: skip
    assert result.size == 0 and result.embedding.shape == (0, 4)


@pytest.mark.parametrize("k_max", [1, 2])
def test_small_k_max_caps_clusters(k_max: int) -> None:
    users, items, item_ids, embeddings, _ = _two_taste_world()
    result = multi_interest_profiles(
        users,
        items,
        np.ones(users.size),
        item_ids,
        embeddings,
        k_max=k_max,
        min_items_per_cluster=1,
        n_iter=10,
    )
    assert np.bincount(result.user_id).max() <= k_max
