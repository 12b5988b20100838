import numpy as np

from vklsvd.content.profiles import l2_normalise, weighted_mean_profiles
from vklsvd.retrieval.exact import exact_top_k


def test_weighted_mean_profiles_by_hand() -> None:
    emb_ids = np.array([20, 10], dtype=np.uint32)  # unsorted on purpose
    emb = np.array([[0.0, 2.0], [1.0, 0.0]], dtype=np.float32)
    users, profiles = weighted_mean_profiles(
        np.array([1, 1, 2, 3], dtype=np.uint32),
        np.array([10, 20, 20, 99], dtype=np.uint32),  # item 99 has no embedding
        np.array([3.0, 1.0, 1.0, 1.0]),
        emb_ids,
        emb,
    )
    assert users.tolist() == [1, 2]
    expected_user_1 = np.array([3.0, 2.0]) / np.sqrt(13.0)
    np.testing.assert_allclose(profiles[0], expected_user_1, rtol=1e-6)
    np.testing.assert_allclose(profiles[1], [0.0, 1.0])


def test_zero_weights_give_no_profile() -> None:
    users, profiles = weighted_mean_profiles(
        np.array([1], dtype=np.uint32),
        np.array([10], dtype=np.uint32),
        np.array([0.0]),
        np.array([10], dtype=np.uint32),
        np.ones((1, 4), dtype=np.float32),
    )
    assert users.size == 0 and profiles.shape == (0, 4)


def test_l2_normalise_keeps_zero_rows() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_exact_top_k_matches_brute_force_and_breaks_ties_by_id() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(size=(50, 8)).astype(np.float32)
    base[10] = base[3]  # an exact tie
    base_ids = rng.permutation(np.arange(1000, 1050)).astype(np.uint32)
    queries = np.vstack([base[3], rng.normal(size=(4, 8))]).astype(np.float32)
    q, b, s, r = exact_top_k(
        np.arange(5, dtype=np.uint32), queries, base_ids, base, k=6, block_bytes=2 * 12 * 50
    )
    assert q.size == 30 and r[:6].tolist() == [1, 2, 3, 4, 5, 6]
    top_two = b[:2].tolist()
    assert top_two == sorted([int(base_ids[3]), int(base_ids[10])])
    normed = l2_normalise(base)
    for query in range(5):
        sims = normed @ l2_normalise(queries[query : query + 1])[0]
        expected = np.sort(sims)[::-1][:6]
        np.testing.assert_allclose(s[query * 6 : query * 6 + 6], expected, rtol=1e-5, atol=1e-6)


def test_exact_top_k_with_k_above_base_size() -> None:
    q, b, _, _ = exact_top_k(
        np.array([1], dtype=np.uint32),
        np.ones((1, 2), dtype=np.float32),
        np.array([5, 6], dtype=np.uint32),
        np.eye(2, dtype=np.float32),
        k=10,
    )
    assert b.tolist() == [5, 6] and q.tolist() == [1, 1]
