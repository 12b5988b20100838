"""NDCG@k with binary gains, the challenge metric: the package's one implementation of its discount and
its ideal DCG (the warehouse's is the SQL macro `ndcg_per_clip`, which the tests check against this one).

A position p (0-based) is worth 1 / log2(p + 2); a list's DCG sums that over its relevant users in the
first k positions; IDCG is the DCG of min(relevant users, k) relevant users in the first positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from vklsvd.id_map import IdMap
from vklsvd.segments import rank_within_sorted, sorted_unique_inverse


def discounts(k: int) -> np.ndarray:
    """The worth of positions 0..k-1: 1 / log2(position + 2)."""
    return 1.0 / np.log2(np.arange(k) + 2.0)


def ideal_dcg(n_relevant: np.ndarray | int, k: int) -> np.ndarray:
    """IDCG@k of lists with `n_relevant` relevant users (0 for none)."""
    table = np.r_[0.0, np.cumsum(discounts(k))]
    return table[np.minimum(np.asarray(n_relevant, dtype=np.int64), k)]


def ranked_ndcg(
    groups: np.ndarray,
    scores: np.ndarray,
    relevant: np.ndarray,
    k: int,
    n_relevant: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(groups, NDCG@k of each) of ranking every group's rows by score (highest first, ties by row
    order). The ideal counts `n_relevant[i]` relevant users for the i-th group (sorted group order;
    default: its relevant rows, so users outside the ranked rows are not counted). Groups without a
    relevant user are left out, their NDCG being undefined."""
    order = np.lexsort((np.arange(scores.size), -scores, groups))
    group_ids, group_index = sorted_unique_inverse(groups[order])
    hits = np.asarray(relevant, dtype=bool)[order]
    rank = rank_within_sorted(group_index)
    worth = np.zeros(rank.size)
    within = rank < k
    worth[within] = discounts(k)[rank[within]]
    dcg = np.bincount(group_index, weights=worth * hits, minlength=group_ids.size)
    counted = np.bincount(group_index, weights=hits, minlength=group_ids.size).astype(np.int64)
    total = counted if n_relevant is None else np.asarray(n_relevant, dtype=np.int64)
    scored = total > 0
    return group_ids[scored], dcg[scored] / ideal_dcg(total[scored], k)


def mean_ranked_ndcg(groups: np.ndarray, scores: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Mean NDCG@k over the groups with a relevant row of ranking each group's rows by score."""
    values = ranked_ndcg(groups, scores, relevant, k)[1]
    return float(values.mean()) if values.size else float("nan")


def ndcg_at_k(ranked_users: Sequence[int], relevant_users: set[int], k: int) -> float:
    """NDCG@k of one list against every relevant user of its clip (listed or not)."""
    if not relevant_users:
        raise ValueError("NDCG is undefined for a clip without relevant users")
    top = list(ranked_users)[:k]
    gains = np.array([user in relevant_users for user in top], dtype=np.float64)
    return float((gains * discounts(len(top))).sum() / ideal_dcg(len(relevant_users), k))


def mean_ndcg(submission: Mapping[int, Sequence[int]], relevant: Mapping[int, set[int]], k: int) -> float:
    """Mean NDCG@k over clips with relevant users; a clip missing from the submission scores 0."""
    scores = [ndcg_at_k(submission.get(item, []), users, k) for item, users in relevant.items() if users]
    return float(np.mean(scores)) if scores else float("nan")


def candidate_ndcg(
    items: np.ndarray, relevant: np.ndarray, scores: np.ndarray, positives: dict[int, int], k: int
) -> float:
    """Mean NDCG@k over target clips with a positive user: each clip's candidates ranked by score, the
    ideal DCG from all of the clip's positive users (candidates or not); a clip without candidates
    scores 0."""
    positive_clips = np.fromiter(positives, dtype=np.int64, count=len(positives))
    positive_users = np.fromiter(positives.values(), dtype=np.int64, count=len(positives))
    n_relevant = IdMap.of(positive_clips).gather(positive_users, np.unique(items), fill=0).astype(np.int64)
    clips, values = ranked_ndcg(items, scores, relevant, k, n_relevant=n_relevant)
    of_positive = np.isin(clips, positive_clips)
    return float(values[of_positive].sum() / len(positives)) if positives else float("nan")
