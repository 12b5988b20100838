"""User content profiles: weighted means of the embeddings of the clips in a user's history."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; all-zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def lookup_rows(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Row index of each id in `sorted_ids`, or -1 where the id is absent."""
    if sorted_ids.size == 0:
        return np.full(ids.shape, -1, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, ids)
    pos_clipped = np.minimum(pos, sorted_ids.size - 1)
    return np.where(sorted_ids[pos_clipped] == ids, pos_clipped, -1).astype(np.int64)


@dataclass(frozen=True)
class HistoryEmbeddings:
    """A history of (user, item) events joined once to the item embeddings, in a canonical order
    (user, embedding row), so that any number of weighted profiles over subsets of it (per as-of week,
    per kind) cost one sparse product each, and repeated events add up in the same order whatever
    order the warehouse returned the rows in: profiles are bit-for-bit reproducible."""

    users: np.ndarray  # sorted unique user ids (uint32)
    user_index: np.ndarray  # per kept event, index into users
    embedding_row: np.ndarray  # per kept event, row of `embeddings`
    event: np.ndarray  # per kept event, position in the input arrays
    embeddings: np.ndarray  # float64 [n_items, dim]

    @classmethod
    def prepare(
        cls,
        user_ids: np.ndarray,
        item_ids: np.ndarray,
        embedding_item_ids: np.ndarray,
        embeddings: np.ndarray,
    ) -> HistoryEmbeddings:
        order = np.argsort(embedding_item_ids, kind="stable")
        rows = lookup_rows(embedding_item_ids[order], item_ids)
        event = np.flatnonzero(rows >= 0)
        users, user_index = np.unique(user_ids[event], return_inverse=True)
        embedding_row = order[rows[event]]
        canonical = np.lexsort((event, embedding_row, user_index))
        return cls(
            users=users.astype(np.uint32),
            user_index=user_index[canonical],
            embedding_row=embedding_row[canonical],
            event=event[canonical],
            embeddings=embeddings.astype(np.float64),
        )

    def profiles(
        self, weights: np.ndarray, selected: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """L2-normalised weighted mean per user over the selected events (boolean mask over the input
        events) with positive weight; users without such an event get no profile."""
        keep = weights[self.event] > 0
        if selected is not None:
            keep &= selected[self.event]
        if not keep.any():
            return np.empty(0, dtype=np.uint32), np.empty((0, self.embeddings.shape[1]), dtype=np.float32)
        present, user_index = np.unique(self.user_index[keep], return_inverse=True)
        matrix = sp.csr_matrix(
            (weights[self.event[keep]].astype(np.float64), (user_index, self.embedding_row[keep])),
            shape=(present.size, self.embeddings.shape[0]),
        )
        sums = np.asarray(matrix @ self.embeddings)
        return self.users[present], l2_normalise(sums).astype(np.float32)


def weighted_mean_profiles(
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    weights: np.ndarray,
    embedding_item_ids: np.ndarray,
    embeddings: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-user weighted mean of item embeddings, L2-normalised.

    Events whose item has no embedding or whose weight is not positive are ignored; users left with
    no usable event get no profile. Returns (sorted unique user ids, profiles [n_users, dim]).
    """
    history = HistoryEmbeddings.prepare(user_ids, item_ids, embedding_item_ids, embeddings)
    return history.profiles(np.asarray(weights, dtype=np.float64))


def aggregate_pairs(
    user_ids: np.ndarray, item_ids: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (user, item) pairs with positive summed weight, ordered by user then item.

    Repeated impressions of a pair add up; pairs whose total weight is not positive are dropped.
    """
    keep = weights > 0
    key = (user_ids[keep].astype(np.uint64) << np.uint64(32)) | item_ids[keep].astype(np.uint64)
    values = weights[keep].astype(np.float64)
    canonical = np.lexsort((values, key))  # repeats add up in the same order whatever the input order
    key, values = key[canonical], values[canonical]
    pairs, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=values, minlength=pairs.size)
    users = (pairs >> np.uint64(32)).astype(np.uint32)
    items = (pairs & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return users, items, total


def item_vectors(
    item_ids: np.ndarray, embedding_item_ids: np.ndarray, embeddings: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Unit-length embedding of each of `item_ids` and a mask of the ids that have one."""
    order = np.argsort(embedding_item_ids, kind="stable")
    rows = lookup_rows(embedding_item_ids[order], item_ids)
    found = rows >= 0
    out = np.zeros((item_ids.size, embeddings.shape[1]), dtype=np.float32)
    out[found] = l2_normalise(embeddings[order[rows[found]]].astype(np.float32))
    return out, found
