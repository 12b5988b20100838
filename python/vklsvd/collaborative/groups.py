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

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from vklsvd.collaborative.factors import AlsParams, confidence_matrix, fold_in_columns, fold_in_rows
from vklsvd.id_map import IdMap
from vklsvd.segments import segment_starts, unique_inverse

#: Pairs and interests per block of the nearest-interest assignment: bound its product's memory
#: (pairs x interests floats) and its work per pair (interests x dim).
ASSIGNMENT_BLOCK_ROWS = 1 << 16
ASSIGNMENT_BLOCK_SLOTS = 256


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
    author_ids, author_rows = unique_inverse(clip_authors)
    shape = (author_ids.size, user_factors.shape[0])
    # the sparse constructor sums the (author, user) repeats in one counting pass, not a sort of every pair
    summed = sparse.csr_matrix(
        (engagement.astype(np.float64), (author_rows, user_rows.astype(np.int64))), shape=shape
    )
    summed.sum_duplicates()
    summed = summed.tocoo()
    matrix = confidence_matrix(summed.row, summed.col, confidence(summed.data), shape)
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
    and `has_embedding`.

    Pairs are taken a few users at a time (`_user_blocks`): one matrix product of the block's clip
    embeddings with all of the block's interest centroids, then each pair reads its own user's
    columns, so no centroid is copied once per pair."""
    nearest = np.full(pair_users.size, -1, dtype=np.int64)
    if interests.user_id.size == 0 or pair_users.size == 0:
        return nearest
    grouped = bool(np.all(pair_users[1:] >= pair_users[:-1]))
    order = np.arange(pair_users.size) if grouped else np.argsort(pair_users, kind="stable")
    users_in_order = pair_users[order]
    first = segment_starts(interests.user_id)
    users = interests.user_id[first]
    counts = np.diff(np.r_[first, interests.user_id.size])
    width = int(counts.max())
    at = IdMap.of_sorted(users).rows(users_in_order)  # -1: a user without interests
    known = (at >= 0) & has_embedding[clip_rows[order]]
    pair_rows = np.flatnonzero(known)  # positions in `order`, grouped by user
    if pair_rows.size == 0:
        return nearest
    owner = at[pair_rows]  # row of `users` of each known pair, ascending
    pair_starts = np.searchsorted(owner, np.arange(users.size + 1))  # pairs of each user
    table = np.asarray(embeddings, np.float32)
    centroids = np.asarray(interests.centroids, np.float32)
    offset = np.arange(width)[None, :]
    for low, high in _user_blocks(pair_starts, first, interests.user_id.size):
        rows = pair_rows[pair_starts[low] : pair_starts[high]]
        if rows.size == 0:
            continue
        first_slot = first[low]
        block_slots = slice(first_slot, first[high] if high < users.size else interests.user_id.size)
        similarity = table[clip_rows[order[rows]]] @ centroids[block_slots].T
        local = first[at[rows]][:, None] - first_slot + offset  # each pair's own user's columns
        valid = offset < counts[at[rows]][:, None]
        own = np.take_along_axis(similarity, np.where(valid, local, 0), axis=1)
        own[~valid] = -np.inf
        nearest[order[rows]] = first_slot + local[np.arange(rows.size), np.argmax(own, axis=1)]
    return nearest


def _user_blocks(pair_starts: np.ndarray, first_slot: np.ndarray, n_slots: int) -> Iterator[tuple[int, int]]:
    """Runs [low, high) of consecutive users holding at most `ASSIGNMENT_BLOCK_ROWS` pairs and at most
    `ASSIGNMENT_BLOCK_SLOTS` interests (always at least one user): the product's size per pair stays
    bounded whether users have thousands of pairs (dense shapes) or a handful (sparse ones)."""
    n_users = first_slot.size
    slot_starts = np.r_[first_slot, n_slots]
    low = 0
    while low < n_users:
        by_pairs = np.searchsorted(pair_starts, pair_starts[low] + ASSIGNMENT_BLOCK_ROWS, side="right") - 1
        by_slots = np.searchsorted(slot_starts, slot_starts[low] + ASSIGNMENT_BLOCK_SLOTS, side="right") - 1
        high = min(max(min(by_pairs, by_slots), low + 1), n_users)
        yield low, high
        low = high


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
    groups, group_rows = unique_inverse(nearest[assigned])
    matrix = confidence_matrix(
        group_rows, clip_columns[assigned], values[assigned], (groups.size, clip_factors.shape[0])
    )
    return InterestVectors(
        interests.user_id[groups], interests.interest_id[groups], fold_in_rows(clip_factors, matrix, params)
    )
