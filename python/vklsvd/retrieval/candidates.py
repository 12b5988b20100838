"""Candidate users for target clips from nearest-neighbour hits over user vectors.

A user may own several vectors in the index (a profile plus multi-interest vectors), so a clip's
neighbour list is folded to users: each user keeps their best similarity, then the k best users per
clip are ranked (ties: smaller user id).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vklsvd.segments import dedupe_max, top_k_per_group


@dataclass(frozen=True)
class Candidates:
    item_id: np.ndarray  # uint32
    user_id: np.ndarray  # uint32
    score: np.ndarray  # float32, higher is better
    source_rank: np.ndarray  # int32, 1 = best user for the clip in this source


def users_from_vector_hits(
    query_ids: np.ndarray, labels: np.ndarray, sims: np.ndarray, vector_user_ids: np.ndarray, k: int
) -> Candidates:
    """Fold per-vector hits [queries, hits] to the k best distinct users per query."""
    if labels.size == 0:
        empty = np.empty(0, dtype=np.uint32)
        return Candidates(empty, empty, np.empty(0, np.float32), np.empty(0, np.int32))
    queries = np.repeat(query_ids.astype(np.uint32), labels.shape[1])
    flat_labels = labels.reshape(-1)
    valid = flat_labels >= 0  # hnswlib pads with -1 when fewer neighbours exist
    item, user, score = dedupe_max(
        queries[valid], vector_user_ids[flat_labels[valid]].astype(np.uint32), sims.reshape(-1)[valid]
    )
    rows, rank = top_k_per_group(item, score, user, k)
    return Candidates(item[rows], user[rows], score[rows].astype(np.float32), rank)


def stack_user_vectors(
    parts: list[tuple[str, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate (kind, user ids, vectors) groups; drops zero vectors.

    Returns (user id per row, kind per row, vectors), ordered by kind as given then by user id.
    """
    users, kinds, blocks = [], [], []
    for kind, user_ids, vectors in parts:
        nonzero = np.linalg.norm(vectors, axis=1) > 0 if vectors.size else np.zeros(0, dtype=bool)
        order = np.argsort(user_ids[nonzero], kind="stable")
        users.append(user_ids[nonzero][order].astype(np.uint32))
        kinds.append(np.full(order.size, kind))
        blocks.append(vectors[nonzero][order].astype(np.float32))
    if not users:
        return np.empty(0, np.uint32), np.empty(0, dtype="<U1"), np.empty((0, 0), np.float32)
    return np.concatenate(users), np.concatenate(kinds), np.vstack(blocks)
