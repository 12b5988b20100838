"""Groups of a factorisation's interactions folded into its space with one least-squares step against
the fixed factors of the other side (`factors.fold_in_rows` / `fold_in_columns`).

- An author's clips, as one column: every user's summed engagement with the author's clips, folded
  against the fixed user factors, is the column an author would be if all their clips were one clip;
  its dot product with a user's factor predicts that user's engagement with the author's work.
- A user's interest clusters, as rows: each clip of the user's history goes to the nearest of the
  user's interests (cosine of its content embedding with the interest's centroid, the assignment step
  of the k-means that made the interests), and each cluster's clips are folded against the fixed clip
  factors, so a user with two tastes gets a collaborative vector for each.

Inputs are (user, clip, summed engagement) pairs of one factorisation; the fold-in confidence is the
factorisation's own (`confidence`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vklsvd.collaborative.factors import AlsParams, confidence_matrix, fold_in_columns, fold_in_rows
from vklsvd.segments import pair_sums, segment_starts

#: Pairs per block of the nearest-interest assignment: bounds its memory (block x interests x dim floats).
ASSIGNMENT_BLOCK_ROWS = 1 << 16


@dataclass(frozen=True)
class Interests:
    """Every user's interest centroids as of one week, sorted by (user_id, interest_id): row r of
    `centroids` is interest `interest_id[r]` of user `user_id[r]` (unit vectors)."""

    user_id: np.ndarray
    interest_id: np.ndarray
    centroids: np.ndarray

    @classmethod
    def of(cls, user_id: np.ndarray, interest_id: np.ndarray, centroids: np.ndarray) -> Interests:
        order = np.lexsort((interest_id, user_id))
        return cls(user_id[order], interest_id[order], np.asarray(centroids, np.float32)[order])


@dataclass(frozen=True)
class InterestVectors:
    user_id: np.ndarray
    interest_id: np.ndarray
    factors: np.ndarray


def author_clip_vectors(
    user_rows: np.ndarray,
    clip_authors: np.ndarray,
    engagement: np.ndarray,
    user_factors: np.ndarray,
    params: AlsParams,
    confidence: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """(author ids, their vectors in the clip space): for every pair (row of `user_factors`, clip's
    author, summed engagement), the author's column folded in against the fixed `user_factors` from
    each user's engagement summed over the author's clips, through `confidence` (summed engagement to
    the fold-in's confidence, the factorisation's own)."""
    order = np.lexsort((user_rows, clip_authors))
    authors, users, summed = pair_sums(clip_authors[order], user_rows[order], engagement[order])
    author_ids, author_rows = np.unique(authors, return_inverse=True)
    matrix = confidence_matrix(
        author_rows, users, confidence(summed), (author_ids.size, user_factors.shape[0])
    )
    return author_ids, fold_in_columns(user_factors, matrix, params)


def nearest_interest(
    pair_users: np.ndarray,
    clip_rows: np.ndarray,
    embeddings: np.ndarray,
    has_embedding: np.ndarray,
    interests: Interests,
) -> np.ndarray:
    """Row of `interests` nearest (cosine) to each pair's clip among its user's interests; -1 where the
    user has no interest or the clip no embedding. A pair's clip is row `clip_rows[i]` of `embeddings`
    and `has_embedding`: the embeddings are gathered block by block, never one copy per pair."""
    first = segment_starts(interests.user_id)
    users = interests.user_id[first]
    counts = np.diff(np.r_[first, interests.user_id.size])
    width = int(counts.max()) if counts.size else 0
    nearest = np.full(pair_users.size, -1, dtype=np.int64)
    if width == 0 or pair_users.size == 0:
        return nearest
    at = np.minimum(np.searchsorted(users, pair_users), users.size - 1)
    known = (users[at] == pair_users) & has_embedding[clip_rows]
    slots = first[:, None] + np.arange(width)[None, :]  # interest rows of each user, padded
    valid = np.arange(width)[None, :] < counts[:, None]
    slots = np.where(valid, slots, 0)
    dim = interests.centroids.shape[1]
    for start in range(0, pair_users.size, ASSIGNMENT_BLOCK_ROWS):
        block = np.flatnonzero(known[start : start + ASSIGNMENT_BLOCK_ROWS]) + start
        if block.size == 0:
            continue
        user_slots = slots[at[block]]  # (n, width)
        centroids = interests.centroids[user_slots.ravel()].reshape(block.size, width, dim)
        embedded = np.asarray(embeddings[clip_rows[block]], np.float32)[:, :, None]
        similarity = np.matmul(centroids, embedded)[:, :, 0]
        similarity[~valid[at[block]]] = -np.inf
        nearest[block] = user_slots[np.arange(block.size), np.argmax(similarity, axis=1)]
    return nearest


def interest_vectors(
    pair_users: np.ndarray,
    clip_columns: np.ndarray,
    clip_rows: np.ndarray,
    embeddings: np.ndarray,
    has_embedding: np.ndarray,
    values: np.ndarray,
    interests: Interests,
    clip_factors: np.ndarray,
    params: AlsParams,
) -> InterestVectors:
    """Each (user, interest) with clips: the fold-in, against the fixed `clip_factors`, of the user's
    pairs (user id, column of `clip_factors`, confidence `values`) whose clip is nearest that interest
    (`nearest_interest`, the clip's embedding at `clip_rows`). Pairs of users without interests or of
    clips without embeddings take no part."""
    nearest = nearest_interest(pair_users, clip_rows, embeddings, has_embedding, interests)
    assigned = nearest >= 0
    groups, group_rows = np.unique(nearest[assigned], return_inverse=True)
    matrix = confidence_matrix(
        group_rows, clip_columns[assigned], values[assigned], (groups.size, clip_factors.shape[0])
    )
    return InterestVectors(
        interests.user_id[groups], interests.interest_id[groups], fold_in_rows(clip_factors, matrix, params)
    )
