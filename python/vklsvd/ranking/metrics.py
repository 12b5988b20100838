"""Reference implementation of the challenge metric, used to cross-check the SQL model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def ndcg_at_k(ranked_users: Sequence[int], relevant_users: set[int], k: int) -> float:
    """NDCG@k with binary gains: DCG / IDCG, IDCG over min(|relevant|, k) ideal positions."""
    if not relevant_users:
        raise ValueError("NDCG is undefined for a clip without relevant users")
    top = list(ranked_users)[:k]
    gains = np.array([user in relevant_users for user in top], dtype=np.float64)
    discounts = 1.0 / np.log2(np.arange(2, len(top) + 2))
    ideal = (1.0 / np.log2(np.arange(2, min(len(relevant_users), k) + 2))).sum()
    return float((gains * discounts).sum() / ideal)


def mean_ndcg(submission: Mapping[int, Sequence[int]], relevant: Mapping[int, set[int]], k: int) -> float:
    """Mean NDCG@k over clips with relevant users; a clip missing from the submission scores 0."""
    scores = [ndcg_at_k(submission.get(item, []), users, k) for item, users in relevant.items() if users]
    return float(np.mean(scores)) if scores else float("nan")
