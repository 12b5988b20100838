import math

import numpy as np
import pytest

from vklsvd.ranking.metrics import ideal_dcg, mean_ndcg, mean_ranked_ndcg, ndcg_at_k, ranked_ndcg


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


def test_ranked_ndcg_of_groups_is_the_per_list_ndcg() -> None:
    groups = np.array([1, 1, 1, 2, 2, 3])
    relevant = np.array([0, 1, 1, 1, 0, 0], bool)
    scores = np.array([0.9, 0.5, 0.1, 0.2, 0.8, 0.3])
    # by score: group 1 ranks rows 0, 1, 2 (users 0, 1, 2), group 2 rows 4, 3; group 3 has no relevant row
    clips, values = ranked_ndcg(groups, scores, relevant, 3)
    assert clips.tolist() == [1, 2]
    np.testing.assert_allclose(values, [ndcg_at_k([0, 1, 2], {1, 2}, 3), ndcg_at_k([0, 1], {1}, 3)])
    assert mean_ranked_ndcg(groups, scores, relevant, 3) == pytest.approx(values.mean())
    # the ideal of every relevant user of the clip, listed or not (here 4 for group 2)
    _, against_all = ranked_ndcg(groups, scores, relevant, 3, n_relevant=np.array([2, 4, 0]))
    assert against_all[1] == pytest.approx(ndcg_at_k([0, 1], {1, 7, 8, 9}, 3))


def test_ranked_ndcg_breaks_ties_by_row_order_and_cuts_at_k() -> None:
    groups = np.zeros(4, np.int64)
    relevant = np.array([0, 0, 0, 1], bool)
    assert ranked_ndcg(groups, np.ones(4), relevant, 3)[1][0] == 0.0  # the relevant row is 4th of 4 ties
    assert ranked_ndcg(groups, np.ones(4), relevant, 4)[1][0] == pytest.approx(1 / math.log2(5))
    np.testing.assert_allclose(ideal_dcg(np.array([0, 1, 5]), 2), [0.0, 1.0, 1 + 1 / math.log2(3)])
