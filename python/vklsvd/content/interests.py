"""Multi-interest user profiles: spherical k-means of each user's history, all users at once.

A user with several tastes gets several unit vectors. The number of clusters grows with the history,
k = min(k_max, 1 + floor(log2(n / m))) for n >= m items (1 below), so short histories stay one vector.

Every user's clustering runs in the same vectorised Lloyd iterations: events are a flat array sorted by
user, centroids a padded [users, k_max, dim] array and clusters beyond a user's k are masked out.
Initialisation is deterministic (no random draw): the first centroid is the user's most central item
(highest cosine to the weighted mean), each next one the item farthest from the chosen centroids,
weighted by its history weight (farthest-first traversal); ties go to the smaller item id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from vklsvd.content.profiles import aggregate_pairs, item_vectors, l2_normalise
from vklsvd.segments import rank_within_sorted, segment_argmax, segment_starts

EVENT_CHUNK = 1 << 16


@dataclass(frozen=True)
class InterestParams:
    """Var `interest_params` (vklsvd.settings.stage_settings): at most `max_clusters` interests per user, one
    more for every doubling of the positive clips beyond `min_items_per_cluster`, `iterations` Lloyd steps."""

    max_clusters: int
    min_items_per_cluster: int
    iterations: int


@dataclass(frozen=True)
class InterestProfiles:
    user_id: np.ndarray  # uint32, one row per (user, interest)
    interest_id: np.ndarray  # int32, 0 = the interest with the largest share of the user's history
    weight: np.ndarray  # float32, share of the user's history weight in this interest (sums to 1)
    n_items: np.ndarray  # int32, history clips assigned to this interest
    embedding: np.ndarray  # float32 [rows, dim], unit length

    @property
    def size(self) -> int:
        return int(self.user_id.size)


def clusters_per_user(n_items: np.ndarray, k_max: int, min_items_per_cluster: int) -> np.ndarray:
    """k = min(k_max, 1 + floor(log2(n / m))) for n >= m, else 1 (never more than n)."""
    n = np.asarray(n_items, dtype=np.float64)
    ratio = np.maximum(n, 1.0) / max(min_items_per_cluster, 1)
    k = np.where(ratio >= 1.0, 1 + np.floor(np.log2(np.maximum(ratio, 1.0))), 1)
    k = np.minimum(np.minimum(k, k_max), np.maximum(n, 1))
    return np.maximum(k, 1).astype(np.int64)


def _row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


def _similarities(
    vectors: np.ndarray, user_index: np.ndarray, centroids: np.ndarray, k_per_user: np.ndarray
) -> np.ndarray:
    """Cosine of every event to each of its user's centroids; -inf for clusters the user does not have."""
    n_events, k_max = vectors.shape[0], centroids.shape[1]
    sims = np.empty((n_events, k_max), dtype=np.float32)
    for start in range(0, n_events, EVENT_CHUNK):
        rows = slice(start, start + EVENT_CHUNK)
        users = user_index[rows]
        sims[rows] = np.einsum("ed,ekd->ek", vectors[rows], centroids[users])
    sims[np.arange(k_max)[None, :] >= k_per_user[user_index][:, None]] = -np.inf
    return sims


def _cluster_sums(
    user_index: np.ndarray, assignment: np.ndarray, weights: np.ndarray, vectors: np.ndarray, shape: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted vector sum, weight sum and event count per (user, cluster)."""
    n_users, k_max = shape
    flat = user_index * k_max + assignment
    matrix = sp.csr_matrix(
        (weights.astype(np.float32), (flat, np.arange(flat.size))), shape=(n_users * k_max, vectors.shape[0])
    )
    sums = np.asarray(matrix @ vectors).reshape(n_users, k_max, -1)
    mass = np.bincount(flat, weights=weights, minlength=n_users * k_max).reshape(n_users, k_max)
    count = np.bincount(flat, minlength=n_users * k_max).reshape(n_users, k_max)
    return sums, mass, count


def _farthest_first_init(
    user_index: np.ndarray, vectors: np.ndarray, weights: np.ndarray, k_per_user: np.ndarray
) -> np.ndarray:
    n_users, k_max = k_per_user.size, int(k_per_user.max())
    centroids = np.zeros((n_users, k_max, vectors.shape[1]), dtype=np.float32)
    all_first = np.zeros(user_index.size, dtype=np.int64)
    sums, _, _ = _cluster_sums(user_index, all_first, weights, vectors, (n_users, 1))
    mean = l2_normalise(sums[:, 0, :]).astype(np.float32)
    central = segment_argmax(segment_starts(user_index), _row_dot(vectors, mean[user_index]))
    centroids[user_index[central], 0] = vectors[central]
    closest = _row_dot(vectors, centroids[user_index, 0])
    for j in range(1, k_max):
        rows = np.flatnonzero(k_per_user[user_index] > j)
        if rows.size == 0:
            break
        spread = weights[rows] * (1.0 - closest[rows])
        chosen = rows[segment_argmax(segment_starts(user_index[rows]), spread)]
        centroids[user_index[chosen], j] = vectors[chosen]
        closest[rows] = np.maximum(closest[rows], _row_dot(vectors[rows], centroids[user_index[rows], j]))
    return centroids


def spherical_kmeans_by_user(
    user_index: np.ndarray,
    vectors: np.ndarray,
    weights: np.ndarray,
    k_per_user: np.ndarray,
    n_iter: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted spherical k-means of every user's events at once.

    `user_index` (0..n_users-1, ascending) groups the events and every user has at least one; within a
    user, rows are in tie-break order (e.g. by item id): ties in the initialisation go to the earlier
    row. `vectors` are unit length (float32). Returns (assignment per event, centroids
    [users, k_max, dim], weight mass [users, k_max], event count [users, k_max]); empty clusters have
    mass 0.
    """
    n_users, k_max = k_per_user.size, int(k_per_user.max())
    weights = weights.astype(np.float64)
    centroids = _farthest_first_init(user_index, vectors, weights, k_per_user)
    previous = None
    for _ in range(n_iter):
        assignment = np.argmax(_similarities(vectors, user_index, centroids, k_per_user), axis=1)
        if previous is not None and np.array_equal(assignment, previous):
            break
        previous = assignment
        sums, mass, _ = _cluster_sums(user_index, assignment, weights, vectors, (n_users, k_max))
        updated = l2_normalise(sums.reshape(n_users * k_max, -1)).reshape(sums.shape).astype(np.float32)
        centroids = np.where((mass > 0)[:, :, None], updated, centroids)
    assignment = np.argmax(_similarities(vectors, user_index, centroids, k_per_user), axis=1)
    sums, mass, count = _cluster_sums(user_index, assignment, weights, vectors, (n_users, k_max))
    final = l2_normalise(sums.reshape(n_users * k_max, -1)).reshape(sums.shape).astype(np.float32)
    return assignment, np.where((mass > 0)[:, :, None], final, centroids), mass, count


def multi_interest_profiles(
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    weights: np.ndarray,
    embedding_item_ids: np.ndarray,
    embeddings: np.ndarray,
    *,
    k_max: int,
    min_items_per_cluster: int,
    n_iter: int,
    users_per_chunk: int = 100_000,
) -> InterestProfiles:
    """Cluster each user's history (events with positive weight and an embedding) into 1..k_max interests.

    Repeated (user, item) events add their weights. Users are processed in chunks of
    `users_per_chunk` to bound memory; chunks are independent, so the result does not depend on it.
    """
    users, items, pair_weights = aggregate_pairs(user_ids, item_ids, weights)
    vecs, found = item_vectors(items, embedding_item_ids, embeddings)
    users, items, pair_weights, vecs = users[found], items[found], pair_weights[found], vecs[found]
    dim = embeddings.shape[1] if embeddings.ndim == 2 else 0
    unique_users, user_index, n_items = np.unique(users, return_inverse=True, return_counts=True)
    k_per_user = clusters_per_user(n_items, k_max, min_items_per_cluster)
    boundaries = np.r_[0, np.cumsum(n_items)]
    parts: list[tuple[np.ndarray, ...]] = []
    for first_user in range(0, unique_users.size, users_per_chunk):
        last_user = min(first_user + users_per_chunk, unique_users.size)
        rows = slice(boundaries[first_user], boundaries[last_user])
        local_index = user_index[rows] - first_user
        local_k = k_per_user[first_user:last_user]
        _, centroids, mass, count = spherical_kmeans_by_user(
            local_index, vecs[rows], pair_weights[rows], local_k, n_iter
        )
        owner, cluster = np.nonzero(mass > 0)  # row-major: by user, then cluster
        share = mass[owner, cluster] / mass.sum(axis=1)[owner]
        order = np.lexsort((cluster, -share, owner))
        owner, cluster, share = owner[order], cluster[order], share[order]
        parts.append(
            (
                unique_users[first_user + owner],
                rank_within_sorted(owner).astype(np.int32),
                share.astype(np.float32),
                count[owner, cluster].astype(np.int32),
                centroids[owner, cluster],
            )
        )
    if not parts:
        empty = np.empty(0, dtype=np.int32)
        return InterestProfiles(
            np.empty(0, dtype=np.uint32), empty, np.empty(0, dtype=np.float32), empty,
            np.empty((0, dim), dtype=np.float32),
        )  # fmt: skip
    columns = [np.concatenate(values) for values in zip(*parts, strict=True)]
    return InterestProfiles(*columns)
