"""Grouped operations on flat arrays without a Python loop per group: ranks and top-k within groups.

Long tables (clip x user, user x component ...) are kept as parallel 1-d arrays; these helpers sort once
with `np.lexsort` and work on the runs of equal group keys.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def rank_within_sorted(groups: np.ndarray) -> np.ndarray:
    """0-based position of each row inside its run of equal `groups` values (rows grouped already)."""
    if groups.size == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    run_lengths = np.diff(np.r_[starts, groups.size])
    return np.arange(groups.size) - np.repeat(starts, run_lengths)


def top_k_per_group(
    groups: np.ndarray, scores: np.ndarray, tie_ids: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the k best `scores` of every group, ties broken by the smaller `tie_ids`.

    Returns (row indices ordered by group then rank, 1-based rank of each returned row).
    """
    order = np.lexsort((tie_ids, -scores, groups))
    rank = rank_within_sorted(groups[order])
    keep = rank < k
    return order[keep], (rank[keep] + 1).astype(np.int32)


def dedupe_max(
    groups: np.ndarray, members: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per distinct (group, member) pair keeping its highest score."""
    order = np.lexsort((-scores, members, groups))
    g, m, s = groups[order], members[order], scores[order]
    first = np.r_[True, (g[1:] != g[:-1]) | (m[1:] != m[:-1])] if g.size else np.empty(0, dtype=bool)
    return g[first], m[first], s[first]


def segment_starts(sorted_groups: np.ndarray) -> np.ndarray:
    """Start row of every run of equal values in an already grouped array."""
    if sorted_groups.size == 0:
        return np.empty(0, dtype=np.int64)
    return np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]


def pair_sums(
    first: np.ndarray, second: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, second, sum of values) per run of equal (first, second) keys in arrays already sorted by
    them: one row per distinct key pair, in key order."""
    if first.size == 0:
        return first, second, values
    starts = np.flatnonzero(np.r_[True, (first[1:] != first[:-1]) | (second[1:] != second[:-1])])
    return first[starts], second[starts], np.add.reduceat(values, starts)


def segment_argmax(starts: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Row of the highest score in every segment [starts[i], starts[i+1]); ties: the first row.

    O(n) with `reduceat`, no sort: use it when rows are already ordered by the tie-break.
    """
    if starts.size == 0:
        return np.empty(0, dtype=np.int64)
    best = np.maximum.reduceat(scores, starts)
    lengths = np.diff(np.r_[starts, scores.size])
    rows = np.arange(scores.size)
    candidate = np.where(scores == np.repeat(best, lengths), rows, scores.size)
    return np.minimum.reduceat(candidate, starts)


#: `unique_inverse` counts presence in an array of max id + 1 slots when that is at most this many
#: times the input's length (plus a floor), and hashes otherwise (sparse ids: the real dataset's).
DENSE_ID_SPAN_RATIO = 4
DENSE_ID_SPAN_FLOOR = 1 << 20


def unique_inverse(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(ids, return_inverse=True)` of integer ids in O(n) instead of a sort of every row: a
    presence array and its running count when the ids are compact, else Arrow's hash table
    (`dictionary_encode`) and a sort of the distinct ids alone (at 9 M rows of 18 k sparse clip ids,
    0.09 s against 2.1 s for the sort); the same two arrays either way."""
    if ids.size == 0 or ids.dtype.kind not in "iu":
        return np.unique(ids, return_inverse=True)
    if ids.dtype.kind == "i" and int(ids.min()) < 0:
        return _hashed_unique_inverse(ids)
    span = int(ids.max()) + 1
    if span > DENSE_ID_SPAN_RATIO * ids.size + DENSE_ID_SPAN_FLOOR:
        return _hashed_unique_inverse(ids)
    present = np.zeros(span, dtype=bool)
    present[ids] = True
    position = np.cumsum(present, dtype=np.int64) - 1
    return np.flatnonzero(present).astype(ids.dtype), position[ids]


def _hashed_unique_inverse(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    encoded = pc.dictionary_encode(pa.array(ids))
    distinct = encoded.dictionary.to_numpy()
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return distinct[order], rank[encoded.indices.to_numpy()]


def sorted_unique_inverse(sorted_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(ids, return_inverse=True)` of ids already in ascending order, without a sort."""
    if sorted_ids.size and np.any(sorted_ids[1:] < sorted_ids[:-1]):
        raise ValueError("sorted_unique_inverse needs ids in ascending order")
    starts = segment_starts(sorted_ids)
    inverse = np.zeros(sorted_ids.size, dtype=np.int64)
    inverse[starts[1:]] = 1
    return sorted_ids[starts], np.cumsum(inverse)
