"""Collaborative factors (vklsvd.collaborative): ALS fit, fold-in against fixed factors, the as-of factor
table of users and authors, the content bridge to cold clips and the inner-product search of the
collaborative candidate source, on small deterministic inputs."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from harness import default_hnsw_params
from vklsvd.collaborative import groups
from vklsvd.collaborative.adapters import confidence, user_author_factors, user_clip_factors
from vklsvd.collaborative.bridge import bridge_inputs, fit_bridge
from vklsvd.collaborative.factors import (
    AlsParams,
    CollaborativeParams,
    confidence_matrix,
    fit_factors,
    fold_in_columns,
    fold_in_rows,
    warm_start,
)
from vklsvd.collaborative.groups import Interests, author_clip_vectors, nearest_interest
from vklsvd.errors import VklsvdError
from vklsvd.io.arrow import vectors
from vklsvd.retrieval.exact import exact_top_k, top_k_inner_product
from vklsvd.retrieval.inner_product import planned_top_k_inner_product

PARAMS = AlsParams(factors=4, regularization=0.1, alpha=2.0, iterations=15, seed=3, warm_iterations=3)


def _collaborative(als: AlsParams = PARAMS, recent_weeks: int = 1) -> CollaborativeParams:
    """cf_params around `als` (the engagement weights and the search bound are not read here)."""
    return CollaborativeParams(
        watch_weight=1.0, positive_weight=4.0, **als.__dict__, recent_weeks=recent_weeks,
        bridge_regularization=0.1, exact_search_max_products=0,
    )  # fmt: skip


def _two_communities(n_users: int = 40, n_authors: int = 10) -> np.ndarray:
    """Users 0..n/2 watch authors 0..4, the others authors 5..9, with seeded gaps."""
    rng = np.random.default_rng(0)
    dense = np.zeros((n_users, n_authors))
    half_users, half_authors = n_users // 2, n_authors // 2
    dense[:half_users, :half_authors] = rng.random((half_users, half_authors)) < 0.7
    dense[half_users:, half_authors:] = rng.random((n_users - half_users, n_authors - half_authors)) < 0.7
    return dense


def _matrix(dense: np.ndarray):
    rows, columns = np.nonzero(dense)
    return confidence_matrix(rows, columns, dense[rows, columns].astype(np.float64), dense.shape)


def _closed_form(fixed: np.ndarray, values: np.ndarray, params: AlsParams) -> np.ndarray:
    """x = (YᵀCY + λI)⁻¹ YᵀCp with C = alpha * value where observed, 1 elsewhere; p = observed."""
    weights = np.where(values > 0, params.alpha * values, 1.0)
    preference = (values > 0).astype(np.float64)
    gram = fixed.T @ (weights[:, None] * fixed) + params.regularization * np.eye(fixed.shape[1])
    return np.linalg.solve(gram, fixed.T @ (weights * preference))


def test_factors_separate_two_communities() -> None:
    dense = _two_communities()
    factors = fit_factors(_matrix(dense), PARAMS)
    scores = factors.rows @ factors.columns.T
    own = np.r_[scores[:20, :5].mean(axis=1), scores[20:, 5:].mean(axis=1)]
    other = np.r_[scores[:20, 5:].mean(axis=1), scores[20:, :5].mean(axis=1)]
    assert (own > other + 0.2).all()
    assert own.mean() > other.mean() + 0.5


def test_fit_is_seeded_and_the_seed_matters() -> None:
    matrix = _matrix(_two_communities())
    first, again = fit_factors(matrix, PARAMS), fit_factors(matrix, PARAMS)
    np.testing.assert_array_equal(first.rows, again.rows)
    np.testing.assert_array_equal(first.columns, again.columns)
    other_seed = fit_factors(matrix, AlsParams(**{**PARAMS.__dict__, "seed": 4}))
    assert not np.array_equal(first.rows, other_seed.rows)


def _loss(dense: np.ndarray, factors) -> float:
    """ALS's objective: sum of C (p - x.y)^2 (C = alpha * value where observed, else 1) + λ (|X|² + |Y|²)."""
    weights = np.where(dense > 0, PARAMS.alpha * dense, 1.0)
    error = (dense > 0) - factors.rows.astype(np.float64) @ factors.columns.T.astype(np.float64)
    penalty = PARAMS.regularization * ((factors.rows**2).sum() + (factors.columns**2).sum())
    return float((weights * error**2).sum() + penalty)


def test_warm_start_keeps_known_factors_and_seeds_new_ids() -> None:
    earlier = fit_factors(_matrix(_two_communities()), PARAMS)
    earlier_rows, earlier_columns = np.arange(40, dtype=np.uint32), np.arange(10, dtype=np.uint32)
    rows, columns = np.array([3, 7, 41], np.uint32), np.array([0, 9, 12], np.uint32)
    start = warm_start(earlier_rows, earlier_columns, earlier, rows, columns, PARAMS)
    np.testing.assert_array_equal(start.rows[:2], earlier.rows[[3, 7]])
    np.testing.assert_array_equal(start.columns[:2], earlier.columns[[0, 9]])
    # new ids: the cold fit's small random start, the same on every call
    assert 0 <= start.rows[2].min() and start.rows[2].max() < 0.01 and start.columns[2].max() < 0.01
    again = warm_start(earlier_rows, earlier_columns, earlier, rows, columns, PARAMS)
    np.testing.assert_array_equal(start.rows, again.rows)


def test_a_warm_fit_runs_few_iterations_and_reaches_the_cold_fit() -> None:
    dense = _two_communities()
    cold = fit_factors(_matrix(dense), PARAMS)
    # one more week: a new user of the first community, one more view of an old user
    grown = np.vstack([dense, np.r_[np.ones(5), np.zeros(5)]])
    grown[0, 6] = 1.0
    start = warm_start(np.arange(40), np.arange(10), cold, np.arange(41), np.arange(10), PARAMS)
    warm = fit_factors(_matrix(grown), PARAMS, start)
    assert warm.iterations == PARAMS.warm_iterations and cold.iterations == PARAMS.iterations
    recold = fit_factors(_matrix(grown), PARAMS)
    # the warm fit's weighted least-squares loss is as low as a cold fit's, far below its start's
    assert _loss(grown, warm) < 1.05 * _loss(grown, recold)
    assert _loss(grown, warm) < 0.8 * _loss(grown, start)
    scores = warm.rows[40] @ warm.columns.T
    assert scores[:5].min() > scores[5:].max()  # the new user is placed in their community


def test_a_warm_start_of_another_shape_is_refused() -> None:
    matrix = _matrix(_two_communities())
    wrong = warm_start(
        np.arange(40), np.arange(10), fit_factors(matrix, PARAMS), np.arange(39), np.arange(10), PARAMS
    )
    with pytest.raises(VklsvdError, match="do not fit"):
        fit_factors(matrix, PARAMS, wrong)


def test_fold_in_is_the_exact_least_squares_step() -> None:
    rng = np.random.default_rng(1)
    fixed = rng.normal(size=(10, 4)).astype(np.float32)
    dense = np.zeros((3, 10))
    dense[0, [1, 4]] = [1.0, 3.0]
    dense[1, [0, 2, 7, 9]] = [2.0, 1.0, 1.5, 4.0]
    folded = fold_in_rows(fixed, _matrix(dense), PARAMS)
    for row in range(2):
        np.testing.assert_allclose(folded[row], _closed_form(fixed, dense[row], PARAMS), rtol=1e-4, atol=1e-5)
    # no interactions: the zero vector (b = 0), not a guess
    np.testing.assert_array_equal(folded[2], np.zeros(4, np.float32))
    # columns fold in the same way against fixed row factors
    np.testing.assert_allclose(fold_in_columns(fixed, _matrix(dense), PARAMS), folded, rtol=1e-5, atol=1e-6)


def test_fold_in_of_a_users_own_history_lands_near_their_factor() -> None:
    dense = _two_communities()
    factors = fit_factors(_matrix(dense), PARAMS)
    folded = fold_in_rows(factors.columns, _matrix(dense), PARAMS)
    cosine = (folded * factors.rows).sum(axis=1) / (
        np.linalg.norm(folded, axis=1) * np.linalg.norm(factors.rows, axis=1)
    )
    assert cosine.min() > 0.95


def test_fold_in_refuses_a_matrix_of_other_columns() -> None:
    with pytest.raises(VklsvdError, match="columns"):
        fold_in_rows(np.zeros((5, 4), np.float32), _matrix(np.ones((2, 6))), PARAMS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"factors": 0}, "cf_params.factors"),
        ({"iterations": 0}, "cf_params.iterations"),
        ({"alpha": 0.0}, "cf_params.alpha"),
        ({"warm_iterations": -1}, "cf_params.warm_iterations"),
    ],
)
def test_params_are_checked(changes: dict, message: str) -> None:
    with pytest.raises(VklsvdError, match=message):
        AlsParams(**{**PARAMS.__dict__, **changes})
    with pytest.raises(VklsvdError, match=r"cf_params\.recent_weeks"):
        _collaborative(recent_weeks=0)


def test_confidence_matrix_sums_repeats_and_refuses_non_positive() -> None:
    matrix = confidence_matrix(np.array([0, 0, 1]), np.array([2, 2, 0]), np.array([1.0, 2.0, 1.0]), (2, 3))
    assert matrix.toarray().tolist() == [[0, 0, 3], [1, 0, 0]]
    with pytest.raises(VklsvdError, match="> 0"):
        confidence_matrix(np.array([0]), np.array([0]), np.array([0.0]), (1, 1))


def _engagement(rows: list[tuple[int, int, int, float]]) -> pa.Table:
    users, authors, weeks, values = zip(*rows, strict=True)
    return pa.table(
        {
            "user_id": pa.array(users, pa.uint32()),
            "author_id": pa.array(authors, pa.uint32()),
            "week": pa.array(weeks, pa.int16()),
            "engagement": pa.array(values, pa.float64()),
        }
    )


def _factor_table(engagement: pa.Table, weeks: list[int], recent_weeks: int = 1) -> pa.Table:
    as_of = pa.table({"as_of_week": pa.array(weeks, pa.int32())})
    return user_author_factors(
        engagement.to_batches(max_chunksize=3), as_of, params=_collaborative(recent_weeks=recent_weeks)
    )


def _vectors(table: pa.Table, week: int, side: str) -> dict[int, np.ndarray]:
    rows = table.filter(
        pa.compute.and_(pa.compute.equal(table["as_of_week"], week), pa.compute.equal(table["side"], side))
    )
    return dict(zip(rows["entity_id"].to_pylist(), vectors(rows, "factors"), strict=True))


def test_factor_table_is_as_of_each_week() -> None:
    engagement = _engagement(
        [(1, 10, 0, 2.0), (2, 10, 0, 1.0), (2, 11, 1, 1.0), (3, 11, 1, 3.0), (1, 10, 1, 1.0), (4, 12, 2, 1.0)]
    )
    table = _factor_table(engagement, [1, 2, 3])
    # as of week 1 only week 0 is known: users 1, 2 and author 10
    assert sorted(_vectors(table, 1, "user")) == [1, 2]
    assert sorted(_vectors(table, 1, "author")) == [10]
    assert sorted(_vectors(table, 2, "user")) == [1, 2, 3]
    assert sorted(_vectors(table, 3, "author")) == [10, 11, 12]
    # recent = the one week before the as-of week: as of 3, week 2 holds user 4 only
    assert sorted(_vectors(table, 2, "user_recent")) == [1, 2, 3]
    assert sorted(_vectors(table, 3, "user_recent")) == [4]
    assert set(table["side"].to_pylist()) == {"user", "user_recent", "author"}
    # the row order of the input does not change the result
    shuffled = engagement.take(pa.array(np.random.default_rng(5).permutation(engagement.num_rows)))
    assert _factor_table(shuffled, [1, 2, 3]).equals(table)


def test_a_later_week_does_not_move_earlier_factors() -> None:
    engagement = _engagement([(1, 10, 0, 2.0), (2, 11, 0, 1.0), (1, 11, 1, 1.0)])
    future = pa.concat_tables([engagement, _engagement([(9, 10, 5, 7.0), (1, 12, 5, 3.0)])])
    assert _factor_table(future, [1, 2]).equals(_factor_table(engagement, [1, 2]))


def test_each_as_of_week_starts_from_the_previous_weeks_fit_unless_warm_iterations_is_zero() -> None:
    engagement = _engagement(
        [(1, 10, 0, 2.0), (2, 10, 0, 1.0), (2, 11, 1, 1.0), (3, 11, 1, 3.0), (1, 10, 1, 1.0), (4, 12, 2, 1.0)]
    )
    as_of = pa.table({"as_of_week": pa.array([2, 3], pa.int32())})
    alone = pa.table({"as_of_week": pa.array([3], pa.int32())})

    def table(weeks: pa.Table, params: AlsParams) -> pa.Table:
        return user_author_factors(engagement.to_batches(), weeks, params=_collaborative(params))

    cold = AlsParams(**{**PARAMS.__dict__, "warm_iterations": 0})
    week_3 = pc.field("as_of_week") == 3
    # from scratch, a week's factors do not depend on the other weeks built; warm-started they do
    assert table(as_of, cold).filter(week_3).equals(table(alone, cold).filter(week_3))
    assert not table(as_of, PARAMS).filter(week_3).equals(table(alone, PARAMS).filter(week_3))
    # the first week built has no earlier fit to start from
    week_2 = pc.field("as_of_week") == 2
    assert table(as_of, PARAMS).filter(week_2).equals(table(as_of, cold).filter(week_2))


def test_engagement_must_be_positive() -> None:
    with pytest.raises(VklsvdError, match="engagement must be > 0"):
        _factor_table(_engagement([(1, 10, 0, 0.0)]), [1])


def test_confidence_grows_with_engagement_and_starts_at_one() -> None:
    values = confidence(np.array([0.0, 1.0, 10.0, 100.0]))
    assert values[0] == 1.0
    assert (np.diff(values) > 0).all()
    assert values[-1] < 10


def test_bridge_learns_a_linear_map_and_reports_held_out_r2() -> None:
    rng = np.random.default_rng(2)
    inputs = rng.normal(size=(400, 6))
    mapping = rng.normal(size=(6, 3))
    targets = inputs @ mapping + 0.01 * rng.normal(size=(400, 3))
    bridge = fit_bridge(inputs, targets, np.ones(400), regularization=0.1, seed=0)
    assert bridge.holdout_r2 > 0.99
    np.testing.assert_allclose(bridge.predict(inputs[:5]), targets[:5], atol=0.05)
    noise = fit_bridge(inputs, rng.normal(size=(400, 3)), np.ones(400), regularization=0.1, seed=0)
    assert noise.holdout_r2 < 0.1
    with pytest.raises(VklsvdError, match="no warm clip"):
        fit_bridge(inputs[:0], targets[:0], np.ones(0), regularization=0.1, seed=0)
    with pytest.raises(VklsvdError, match=r"cf_params\.bridge_regularization"):
        fit_bridge(inputs, targets, np.ones(400), regularization=0.0, seed=0)


def test_bridge_inputs_zero_a_missing_embedding_and_flag_it() -> None:
    rows = bridge_inputs(
        np.array([[1.0, 2.0], [9.0, 9.0]]),
        np.array([True, False]),
        np.array([10, 0]),
        np.array([[0.5], [0.0]]),
    )
    np.testing.assert_allclose(rows, [[1, 2, 1, np.log1p(10), 0.5], [0, 0, 0, 0, 0]])


def test_inner_product_search_is_exact_and_not_cosine() -> None:
    rng = np.random.default_rng(4)
    base = rng.normal(size=(50, 5)) * rng.uniform(0.1, 3.0, size=(50, 1))
    queries = rng.normal(size=(7, 5))
    base_ids = np.arange(100, 150, dtype=np.uint32)[::-1].copy()  # ids in no particular order
    query_ids = np.array([5, 3, 9, 1, 2, 8, 7], dtype=np.uint32)
    item, user, score, rank = top_k_inner_product(query_ids, queries, base_ids, base, 4)
    for q, query_id in enumerate(query_ids):
        products = base @ queries[q]
        expected = base_ids[np.argsort(-products)[:4]]
        assert user[item == query_id].tolist() == expected.tolist()
        np.testing.assert_allclose(score[item == query_id], np.sort(products)[::-1][:4], rtol=1e-5)
        assert rank[item == query_id].tolist() == [1, 2, 3, 4]
    # the largest-norm users win where cosine would not have picked them
    _, cosine_users, _, _ = exact_top_k(query_ids, queries, base_ids, base, 4)
    assert cosine_users.tolist() != user.tolist()


def test_planned_inner_product_search_is_exact_when_small_and_hnsw_beyond() -> None:
    rng = np.random.default_rng(8)
    base = (rng.normal(size=(3000, 8)) * rng.uniform(0.2, 3.0, size=(3000, 1))).astype(np.float32)
    queries = rng.normal(size=(40, 8)).astype(np.float32)
    base_ids = rng.permutation(np.arange(10, 3010)).astype(np.uint32)
    query_ids = rng.permutation(np.arange(500, 540)).astype(np.uint32)  # in no particular order
    exact = top_k_inner_product(query_ids, queries, base_ids, base, 20)
    params = default_hnsw_params(target_recall=0.9, recall_queries=10)
    small, how = planned_top_k_inner_product(
        query_ids, queries, base_ids, base, 20, params=params, max_exact_products=40 * 3000
    )
    assert how.exact and np.isnan(how.hnsw_recall)
    assert all(np.array_equal(a, b) for a, b in zip(small, exact, strict=True))
    large, how = planned_top_k_inner_product(
        query_ids, queries, base_ids, base, 20, params=params, max_exact_products=0
    )
    assert not how.exact and how.hnsw_recall >= 0.9 and how.ef >= params.ef_for(20)
    item, user, score, rank = large
    assert np.array_equal(item, exact[0]) and np.array_equal(rank, exact[3])
    found = {(int(q), int(u)) for q, u in zip(item, user, strict=True)}
    truth = {(int(q), int(u)) for q, u in zip(exact[0], exact[1], strict=True)}
    assert len(found & truth) / len(truth) >= 0.9
    # scores are the inner products of the pairs found, best first within each clip
    rows = {int(i): r for r, i in enumerate(base_ids)}
    query_rows = {int(i): r for r, i in enumerate(query_ids)}
    expected = np.array(
        [queries[query_rows[int(q)]] @ base[rows[int(u)]] for q, u in zip(item, user, strict=True)]
    )
    np.testing.assert_allclose(score, expected, rtol=1e-4)
    assert np.all(np.diff(score.reshape(40, 20), axis=1) <= 1e-5)


def _item_world() -> tuple[pa.Table, pa.Table, pa.Table, pa.Table, pa.Table]:
    """Two communities of users and clips over weeks 0..3; clips 100..119 carry an embedding that says
    which community they belong to, clips 200 and 201 are new in week 4 (one of each community)."""
    rng = np.random.default_rng(6)
    rows = []
    for user in range(30):
        community = user % 2
        for item in range(100, 120):
            if (item % 2) == community and rng.random() < 0.6:
                rows.append((user, item, int(rng.integers(0, 4)), float(rng.uniform(0.5, 2.0))))
    for item in range(100, 120):  # user 99 has both tastes
        rows.append((99, item, int(rng.integers(0, 4)), float(rng.uniform(0.5, 2.0))))
    users, items, weeks, values = zip(*rows, strict=True)
    engagement = pa.table(
        {
            "user_id": pa.array(users, pa.uint32()),
            "item_id": pa.array(items, pa.uint32()),
            "week": pa.array(weeks, pa.int16()),
            "engagement": pa.array(values, pa.float64()),
        }
    )
    all_items = [*range(100, 120), 200, 201]
    metadata = pa.table(
        {
            "item_id": pa.array(all_items, pa.uint32()),
            "author_id": pa.array([1 + item % 2 for item in all_items], pa.uint32()),
            "duration": pa.array([30] * len(all_items), pa.uint8()),
        }
    )
    side = [1.0 if item % 2 else -1.0 for item in all_items]
    embeddings = pa.table(
        {
            "item_id": pa.array(all_items, pa.uint32()),
            "embedding": pa.array([[s, 0.1 * s] for s in side], pa.list_(pa.float32())),
        }
    )
    clips = pa.table(
        {"as_of_week": pa.array([4, 4], pa.int32()), "item_id": pa.array([200, 201], pa.uint32())}
    )
    no_authors = pa.table(
        {
            "as_of_week": pa.array([], pa.int32()),
            "side": pa.array([], pa.string()),
            "entity_id": pa.array([], pa.uint32()),
            "factors": pa.array([], pa.list_(pa.float32(), PARAMS.factors)),
        }
    )
    return engagement, metadata, embeddings, clips, no_authors


def _two_tastes(week: int) -> pa.Table:
    """User 99's interests as of any week: 0 on the embedding side of community 1, 1 on community 0's."""
    norm = float(np.hypot(1.0, 0.1))
    return pa.table(
        {
            "user_id": pa.array([99, 99], pa.uint32()),
            "interest_id": pa.array([0, 1], pa.int32()),
            "embedding": pa.array([[1 / norm, 0.1 / norm], [-1 / norm, -0.1 / norm]], pa.list_(pa.float32())),
        }
    )


def _item_factor_table() -> pa.Table:
    engagement, *tables = _item_world()
    return user_clip_factors(
        engagement.to_batches(max_chunksize=7), *tables, _two_tastes, params=_collaborative()
    )


def test_cold_clips_get_factors_that_find_their_community() -> None:
    table = _item_factor_table()
    users = _vectors(table, 4, "user")
    clips = _vectors(table, 4, "clip")
    assert sorted(clips) == [200, 201]
    for clip, community in ((200, 0), (201, 1)):
        scores = {user: float(vector @ clips[clip]) for user, vector in users.items()}
        top = sorted(scores, key=scores.get, reverse=True)[:10]
        assert all(user % 2 == community for user in top if user != 99), (clip, top)


def test_an_authors_clips_fold_into_a_column_its_audience_prefers() -> None:
    table = _item_factor_table()
    users, authors = _vectors(table, 4, "user"), _vectors(table, 4, "author_clips")
    assert sorted(authors) == [1, 2]  # author 1 + community: the clips of community c are author 1 + c
    for user, vector in users.items():
        if user != 99:
            preferred = max(authors, key=lambda author: float(vector @ authors[author]))
            assert preferred == 1 + user % 2, user


def test_each_interest_of_a_user_folds_into_a_vector_of_its_own_taste() -> None:
    table = _item_factor_table()
    of_interest = table.filter(pc.equal(table["side"], "user_interest"))
    assert of_interest["entity_id"].to_pylist() == [99, 99] and of_interest["interest_id"].to_pylist() == [
        0,
        1,
    ]
    assert table.filter(pc.not_equal(table["side"], "user_interest"))["interest_id"].null_count == (
        table.num_rows - 2
    )
    taste = dict(zip(of_interest["interest_id"].to_pylist(), vectors(of_interest, "factors"), strict=True))
    clips = _vectors(table, 4, "clip")
    # interest 0 sits on community 1's content (clip 201), interest 1 on community 0's (clip 200)
    assert taste[0] @ clips[201] > taste[0] @ clips[200] and taste[1] @ clips[200] > taste[1] @ clips[201]


def test_nearest_interest_assigns_each_clip_within_its_own_users_interests() -> None:
    interests = Interests.of(
        np.array([7, 5, 5], np.uint32),
        np.array([0, 1, 0], np.int32),
        np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], np.float32),
    )  # sorted: (5, 0) -> row 0, (5, 1) -> row 1, (7, 0) -> row 2
    pair_users = np.array([5, 5, 7, 7, 9, 5, 5], np.uint32)
    embeddings = np.array([[0.9, 0.1], [0.1, 0.9], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    has_embedding = np.array([True, True, True, True, False])
    clip_rows = np.array([0, 1, 2, 3, 3, 4, 2])
    # user 7's only interest takes every clip of theirs; user 9 has none; clip row 4 has no embedding
    nearest = nearest_interest(pair_users, clip_rows, embeddings, has_embedding, interests)
    assert nearest.tolist() == [0, 1, 2, 2, -1, -1, 1]


def _brute_force_nearest(pair_users, clip_rows, embeddings, has_embedding, interests) -> list[int]:
    nearest = []
    for user, row in zip(pair_users.tolist(), clip_rows.tolist(), strict=True):
        own = np.flatnonzero(interests.user_id == user)
        if own.size == 0 or not has_embedding[row]:
            nearest.append(-1)
            continue
        nearest.append(int(own[np.argmax(interests.centroids[own] @ embeddings[row])]))
    return nearest


@pytest.mark.parametrize("block_rows, block_slots", [(1 << 16, 256), (7, 5), (1, 1)])
def test_nearest_interest_is_the_same_however_users_are_blocked(
    monkeypatch: pytest.MonkeyPatch, block_rows: int, block_slots: int
) -> None:
    """Blocks of a few users (a user with more pairs or interests than a block gets a block alone) give
    the brute-force answer, with pairs in user order or not."""
    monkeypatch.setattr(groups, "ASSIGNMENT_BLOCK_ROWS", block_rows)
    monkeypatch.setattr(groups, "ASSIGNMENT_BLOCK_SLOTS", block_slots)
    rng = np.random.default_rng(4)
    interest_users = np.repeat(np.arange(0, 40, 2, dtype=np.uint32), rng.integers(1, 5, 20))
    centroids = rng.normal(size=(interest_users.size, 6)).astype(np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    interest_ids = np.concatenate([np.arange(n) for n in np.bincount(interest_users)[::2]]).astype(np.int32)
    interests = Interests.of(interest_users, interest_ids, centroids)
    embeddings = rng.normal(size=(30, 6))
    has_embedding = rng.random(30) > 0.2
    pair_users = np.sort(rng.integers(0, 41, 400)).astype(np.uint32)
    clip_rows = rng.integers(0, 30, 400)
    expected = _brute_force_nearest(pair_users, clip_rows, embeddings, has_embedding, interests)
    assert nearest_interest(pair_users, clip_rows, embeddings, has_embedding, interests).tolist() == expected
    shuffled = rng.permutation(400)
    assert nearest_interest(
        pair_users[shuffled], clip_rows[shuffled], embeddings, has_embedding, interests
    ).tolist() == [expected[i] for i in shuffled]


def test_author_columns_sum_each_users_engagement_before_the_confidence() -> None:
    """Two clips of one author watched by one user are one entry of confidence(2 + 3), not two."""
    user_factors = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    user_rows = np.array([0, 0, 1, 2])
    clip_authors = np.array([9, 9, 9, 4])
    engagement = np.array([2.0, 3.0, 1.0, 1.0])
    authors, columns = author_clip_vectors(
        user_rows, clip_authors, engagement, user_factors, PARAMS, confidence
    )
    assert authors.tolist() == [4, 9]
    expected = fold_in_columns(
        user_factors, confidence_matrix(np.array([0, 1, 1]), np.array([2, 0, 1]), confidence(
            np.array([1.0, 5.0, 1.0])), (2, 3)), PARAMS,
    )  # fmt: skip
    np.testing.assert_allclose(columns, expected, rtol=1e-6)


def test_a_clip_to_rank_without_metadata_is_an_error() -> None:
    engagement, metadata, embeddings, _, no_authors = _item_world()
    unknown = pa.table({"as_of_week": pa.array([4], pa.int32()), "item_id": pa.array([999], pa.uint32())})
    with pytest.raises(VklsvdError, match="missing from the clip metadata"):
        user_clip_factors(
            engagement.to_batches(),
            metadata,
            embeddings,
            unknown,
            no_authors,
            _two_tastes,
            params=_collaborative(),
        )
