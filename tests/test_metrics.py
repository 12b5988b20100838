import math

import pytest

from vklsvd.ranking.metrics import mean_ndcg, ndcg_at_k


def test_perfect_ranking_scores_one() -> None:
    assert ndcg_at_k([1, 2, 3, 4], {1, 2}, k=4) == pytest.approx(1.0)


def test_hand_computed_positions() -> None:
    # relevant at ranks 1 and 3: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3)
    expected = 1.5 / (1 + 1 / math.log2(3))
    assert ndcg_at_k([10, 20, 30], {10, 30}, k=3) == pytest.approx(expected)
    assert expected == pytest.approx(0.919721, abs=1e-6)


def test_ideal_is_capped_at_k() -> None:
    # 5 relevant users but k = 2: a list with two hits is perfect
    assert ndcg_at_k([1, 2, 9], {1, 2, 3, 4, 5}, k=2) == pytest.approx(1.0)


def test_relevant_beyond_k_does_not_count() -> None:
    assert ndcg_at_k([9, 8, 1], {1}, k=2) == 0.0


def test_mean_counts_missing_clip_as_zero_and_skips_unlabelled() -> None:
    submission = {1: [10, 20], 3: [5]}
    relevant = {1: {10}, 2: {7}, 3: set()}
    assert mean_ndcg(submission, relevant, k=2) == pytest.approx(0.5)


def test_undefined_without_relevant_users() -> None:
    with pytest.raises(ValueError, match="undefined"):
        ndcg_at_k([1], set(), k=1)
