"""User content profiles: weighted means of the embeddings of the clips in a user's history."""

from __future__ import annotations

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
    order = np.argsort(embedding_item_ids, kind="stable")
    sorted_item_ids = embedding_item_ids[order]
    rows = lookup_rows(sorted_item_ids, item_ids)
    keep = (rows >= 0) & (weights > 0)
    if not keep.any():
        return np.empty(0, dtype=np.uint32), np.empty((0, embeddings.shape[1]), dtype=np.float32)
    users, user_index = np.unique(user_ids[keep], return_inverse=True)
    matrix = sp.csr_matrix(
        (weights[keep].astype(np.float64), (user_index, order[rows[keep]])),
        shape=(users.size, embeddings.shape[0]),
    )
    sums = np.asarray(matrix @ embeddings.astype(np.float64))
    return users.astype(np.uint32), l2_normalise(sums).astype(np.float32)
