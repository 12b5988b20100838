import numpy as np
import pytest

from vklsvd.errors import VklsvdError
from vklsvd.ranking.assignment import assign_with_capacity, strategy_scores
from vklsvd.ranking.expected_dcg import user_prices


def _lists(result) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for item, user in zip(result.item_id.tolist(), result.user_id.tolist(), strict=True):
        out.setdefault(item, []).append(user)
    return out


def test_respects_list_size_distinct_users_and_capacity() -> None:
    rng = np.random.default_rng(3)
    items = np.arange(1, 41, dtype=np.uint32)
    users = np.arange(100, 160, dtype=np.uint32)
    pair_items = np.repeat(items, 30)
    pair_users = rng.choice(users[:20], size=pair_items.size)  # few popular users: capacity binds
    scores = rng.random(pair_items.size)
    result = assign_with_capacity(
        items, pair_items, pair_users, scores, users, list_size=10, capacity=8, seed=1
    )
    lists = _lists(result)
    assert sorted(lists) == items.tolist()
    assert all(len(v) == 10 and len(set(v)) == 10 for v in lists.values())
    assert np.unique(result.user_id, return_counts=True)[1].max() <= 8
    positions = result.position.reshape(40, 10)
    assert (positions == np.arange(1, 11)).all()


def test_greedy_keeps_best_scored_pairs_for_a_contended_user() -> None:
    # user 7 is everybody's best candidate but may appear only once: the clip with the highest score wins
    items = np.array([1, 2, 3], dtype=np.uint32)
    pair_items = np.array([1, 2, 3, 1, 2, 3], dtype=np.uint32)
    pair_users = np.array([7, 7, 7, 8, 9, 10], dtype=np.uint32)
    scores = np.array([0.5, 0.9, 0.7, 0.1, 0.1, 0.1])
    result = assign_with_capacity(
        items,
        pair_items,
        pair_users,
        scores,
        np.array([11, 12, 13], dtype=np.uint32),
        list_size=2,
        capacity=1,
        seed=0,
    )
    lists = _lists(result)
    assert lists[2][0] == 7
    assert 7 not in lists[1] and 7 not in lists[3]
    assert np.unique(result.user_id, return_counts=True)[1].max() == 1


def test_candidates_ranked_before_fill_users_and_by_score() -> None:
    items = np.array([5], dtype=np.uint32)
    result = assign_with_capacity(
        items,
        np.array([5, 5], dtype=np.uint32),
        np.array([21, 22], dtype=np.uint32),
        np.array([0.2, 0.8]),
        np.array([30, 31, 32], dtype=np.uint32),
        list_size=4,
        capacity=1,
        seed=0,
    )
    assert result.user_id[:2].tolist() == [22, 21]
    assert result.from_candidates.tolist() == [True, True, False, False]


def test_deterministic_for_a_seed() -> None:
    rng = np.random.default_rng(0)
    items = np.arange(1, 30, dtype=np.uint32)
    fill = np.arange(1000, 1100, dtype=np.uint32)
    pair_items = np.repeat(items, 5)
    pair_users = rng.choice(fill, size=pair_items.size)
    scores = rng.random(pair_items.size)
    a = assign_with_capacity(items, pair_items, pair_users, scores, fill, list_size=20, capacity=7, seed=4)
    b = assign_with_capacity(items, pair_items, pair_users, scores, fill, list_size=20, capacity=7, seed=4)
    assert np.array_equal(a.user_id, b.user_id) and np.array_equal(a.item_id, b.item_id)


def test_too_few_users_is_a_clear_error() -> None:
    with pytest.raises(VklsvdError, match="cannot fill 3 clips"):
        assign_with_capacity(
            np.array([1, 2, 3], dtype=np.uint32),
            np.array([], dtype=np.uint32),
            np.array([], dtype=np.uint32),
            np.array([]),
            np.array([1, 2, 3, 4], dtype=np.uint32),
            list_size=4,
            capacity=2,
            seed=0,
        )


def test_round_robin_gives_a_contended_user_to_the_clip_that_ranks_them_highest() -> None:
    # user 7 (capacity 1) is clip 1's best candidate at score 0.2, and clip 2's second at 0.9: greedy by
    # score gives them to clip 2, round robin to clip 1
    pair_items = np.array([1, 1, 2, 2], dtype=np.uint32)
    pair_users = np.array([7, 8, 6, 7], dtype=np.uint32)
    scores = np.array([0.2, 0.1, 0.95, 0.9])
    np.testing.assert_array_equal(strategy_scores(pair_items, scores, "round_robin"), [-1, -2, -1, -2])
    lists = {}
    for strategy in ("score", "round_robin"):
        result = assign_with_capacity(
            np.array([1, 2], dtype=np.uint32),
            pair_items,
            pair_users,
            strategy_scores(pair_items, scores, strategy),
            np.array([11, 12], dtype=np.uint32),
            list_size=2,
            capacity=1,
            seed=0,
        )
        lists[strategy] = _lists(result)
    assert lists["score"][2] == [6, 7] and 7 not in lists["score"][1]
    assert lists["round_robin"][1][0] == 7 and 7 not in lists["round_robin"][2]
    with pytest.raises(VklsvdError, match="unknown assignment strategy 'best'"):
        strategy_scores(pair_items, scores, "best")


def _expected_ndcg(assigned, probability: dict[tuple[int, int], float], list_size: int) -> float:
    """Reference objective: mean over clips of sum_k p(user at k) / log2(k + 1) / IDCG, IDCG from the
    clip's expected number of relevant users (sum of p over its pairs, rounded, 1..list_size)."""
    by_clip: dict[int, float] = {}
    for item, user, position in zip(assigned.item_id, assigned.user_id, assigned.position, strict=True):
        gain = probability.get((int(item), int(user)), 0.0) / np.log2(position + 1)
        by_clip[int(item)] = by_clip.get(int(item), 0.0) + gain
    expected: dict[int, float] = {}
    for (item, _), p in probability.items():
        expected[item] = expected.get(item, 0.0) + p
    total = 0.0
    for item, dcg in by_clip.items():
        n = int(min(max(round(expected.get(item, 0.0)), 1), list_size))
        total += dcg / sum(1.0 / np.log2(k + 2) for k in range(n))
    return total / len(by_clip)


def test_expected_gain_counts_a_user_more_where_likely_users_are_few() -> None:
    from vklsvd.ranking.expected_dcg import expected_gains

    # clip 1: 0.7 expected relevant users (IDCG of 1 = 1); clip 2: 1.8 (IDCG of 2 = 1 + 1 / log2 3)
    items = np.array([1, 1, 2, 2, 2], dtype=np.uint32)
    p = np.array([0.6, 0.1, 0.6, 0.6, 0.6])
    gains = expected_gains(items, p, list_size=2)
    np.testing.assert_allclose(gains[:2], [0.6, 0.1])
    np.testing.assert_allclose(gains[2:], 0.6 / (1 + 1 / np.log2(3)))


def test_expected_dcg_strategy_beats_greedy_and_round_robin_on_its_objective() -> None:
    """Random contended instances (few users, capacity binding): the priced assignment's expected NDCG
    is at least that of greedy by probability and of round robin, and strictly better on most."""
    wins = 0
    for seed in range(8):
        rng = np.random.default_rng(seed)
        n_items, n_users, list_size, capacity = 30, 60, 10, 7
        items = np.repeat(np.arange(1, n_items + 1, dtype=np.uint32), 25)
        users = np.concatenate([rng.choice(n_users, 25, replace=False) + 100 for _ in range(n_items)]).astype(
            np.uint32
        )
        activity = rng.gamma(0.7, 1.0, n_users)  # a few users are likely everywhere
        p = np.clip(
            0.05 * activity[users - 100] * rng.random(items.size) * rng.gamma(1.0, 1.0, n_items)[items - 1],
            0,
            1,
        )
        probability = {(int(i), int(u)): float(q) for i, u, q in zip(items, users, p, strict=True)}
        fill = np.arange(100, 100 + n_users, dtype=np.uint32)
        objective = {}
        for strategy in ("score", "round_robin", "expected_dcg"):
            assigned = assign_with_capacity(
                np.arange(1, n_items + 1, dtype=np.uint32), items, users,
                strategy_scores(items, p, strategy, user_id=users, list_size=list_size, capacity=capacity),
                fill, list_size=list_size, capacity=capacity, seed=0,
                position_score=p if strategy == "expected_dcg" else None,
            )  # fmt: skip
            assert np.bincount(assigned.user_id).max() <= capacity
            objective[strategy] = _expected_ndcg(assigned, probability, list_size)
        assert objective["expected_dcg"] >= max(objective["score"], objective["round_robin"]) - 1e-9
        wins += objective["expected_dcg"] > max(objective["score"], objective["round_robin"]) + 1e-6
    assert wins >= 6


def test_position_score_orders_the_lists_not_the_selection() -> None:
    # clip 1 selects users 7 and 8 on priced gains; their positions follow the probabilities
    result = assign_with_capacity(
        np.array([1], dtype=np.uint32),
        np.array([1, 1, 1], dtype=np.uint32),
        np.array([7, 8, 9], dtype=np.uint32),
        np.array([0.5, 0.9, 0.1]),
        np.array([7, 8, 9], dtype=np.uint32),
        list_size=2,
        capacity=1,
        seed=0,
        position_score=np.array([0.8, 0.2, 0.9]),
    )
    assert result.user_id.tolist() == [7, 8]


def test_equal_scores_are_decided_by_the_tiebreak_in_selection_and_order() -> None:
    """A calibrated probability is flat over whole ranges of the raw score: within such a plateau the raw
    score, not the user id, must decide who gets a clip's last slot and in which order users are listed."""
    items = np.array([1], dtype=np.uint32)
    pair_items = np.ones(4, dtype=np.uint32)
    pair_users = np.array([10, 11, 12, 13], dtype=np.uint32)
    probability = np.array([0.2, 0.2, 0.2, 0.5])  # users 10-12 on one plateau of the calibration
    raw = np.array([0.1, 0.3, 0.2, 0.9])
    fill = np.arange(20, 30, dtype=np.uint32)

    def listed(tiebreak: np.ndarray | None) -> list[int]:
        result = assign_with_capacity(
            items, pair_items, pair_users, probability, fill,
            list_size=3, capacity=1, seed=0, position_score=probability, tiebreak=tiebreak,
        )  # fmt: skip
        return result.user_id.tolist()

    assert listed(raw) == [13, 11, 12]
    assert listed(None) == [13, 10, 11]  # without one, the user id decides


def test_prices_break_ties_of_the_priced_gain_by_the_raw_score() -> None:
    # two clips, one slot each, a cap of one: both clips want x and y equally (same probability); the
    # user whom the raw score prefers is the one both pick first, so that user's price rises first (and
    # stays the higher one as the prices settle)
    item = np.array([1, 1, 2, 2], dtype=np.uint32)
    user = np.array([10, 11, 10, 11], dtype=np.uint32)
    gains = np.full(4, 0.5)
    raw = np.array([0.1, 0.9, 0.1, 0.9])
    first_step = {"list_size": 1, "capacity": 1, "iterations": 1}
    by_rows = user_prices(item, user, gains, **first_step)
    assert by_rows[user == 10].min() > 0 and by_rows[user == 11].max() == 0
    by_raw = user_prices(item, user, gains, **first_step, tiebreak=raw)
    assert by_raw[user == 11].min() > 0 and by_raw[user == 10].max() == 0
    settled = user_prices(item, user, gains, list_size=1, capacity=1, tiebreak=raw)
    assert settled[user == 11].min() > settled[user == 10].max()
    # a tiebreak does not override a real difference of gain
    unequal = user_prices(item, user, np.array([0.6, 0.5, 0.6, 0.5]), **first_step, tiebreak=raw)
    assert unequal[user == 10].min() > 0 and unequal[user == 11].max() == 0
