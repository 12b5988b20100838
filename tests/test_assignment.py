import numpy as np
import pytest

from vklsvd.errors import VklsvdError
from vklsvd.ranking.assignment import assign_with_capacity, strategy_scores


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
