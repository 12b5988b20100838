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
    q, b, s, r = exact_top_k(np.arange(5, dtype=np.uint32), queries, base_ids, base, k=6, threads=2)
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


def test_inner_product_top_k_orders_equal_products_by_id_whatever_the_threads() -> None:
    from vklsvd.retrieval.exact import top_k_inner_product

    base = np.repeat(np.eye(3, dtype=np.float32), 4, axis=0)  # four copies of each unit vector
    base_ids = np.arange(100, 112, dtype=np.uint32)[::-1].copy()
    queries = np.array([[2, 1, 0], [0, 0, 3]], dtype=np.float32)
    one = top_k_inner_product(np.array([7, 8], np.uint32), queries, base_ids, base, k=6, threads=1)
    two = top_k_inner_product(np.array([7, 8], np.uint32), queries, base_ids, base, k=6, threads=2)
    for left, right in zip(one, two, strict=True):
        assert np.array_equal(left, right)
    _, found, products, ranks = one
    # query 7: the four copies of e0 (product 2) by ascending id, then two of e1's four (product 1)
    assert found[:4].tolist() == [108, 109, 110, 111]
    assert set(found[4:6].tolist()) < {104, 105, 106, 107} and found[4] < found[5]
    assert products[:6].tolist() == [2, 2, 2, 2, 1, 1] and ranks[:6].tolist() == [1, 2, 3, 4, 5, 6]
    assert found[6:10].tolist() == [100, 101, 102, 103] and products[6] == 3


def test_augmented_base_gives_every_row_the_largest_norm_and_zero_rows_norm_one() -> None:
    from vklsvd.retrieval.inner_product import augmented_base

    base = np.array([[3, 4], [1, 0], [0, 0]], dtype=np.float32)
    np.testing.assert_allclose(np.linalg.norm(augmented_base(base), axis=1), 5.0, rtol=1e-6)
    np.testing.assert_allclose(augmented_base(np.zeros((2, 3), np.float32))[:, -1], 1.0)
    assert augmented_base(np.zeros((0, 3), np.float32)).shape == (0, 4)
