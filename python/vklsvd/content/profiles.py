"""User content profiles: weighted means of the embeddings of the clips in a user's history.

The history is far larger than memory at real size (47 M rows for the dense subsample, billions for the
full data), so profiles are accumulated batch by batch from a stream of events, for every as-of week at
once: an event of week w adds to the sums of the as-of period it belongs to (weeks before the first
as-of week, then between consecutive as-of weeks), and the profile as of week W is the sum of the
periods before W. Memory is the sums, never the history.

Sums are exact: weights and embeddings are rounded to fixed-point integers (embeddings to 2^-20 of their
largest component, weights to 2^-10) and added as int64, so the profiles do not depend on the order in
which the warehouse streams the rows (a parallel scan has none) and two builds give the same bits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from vklsvd.errors import VklsvdError
from vklsvd.id_map import IdMap

#: Fixed-point precision: embeddings carry 20 bits below their largest component, weights 10 bits.
EMBEDDING_BITS = 20
WEIGHT_BITS = 10


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; all-zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def fixed_point_embeddings(embeddings: np.ndarray) -> np.ndarray:
    """Embeddings as int64 multiples of a power of two (2^-20 of the largest |component|, rounded up to a
    power of two so that small integers stay exact); the scale cancels when a profile is normalised."""
    values = np.asarray(embeddings, dtype=np.float64)
    largest = float(np.abs(values).max()) if values.size else 0.0
    exponent = EMBEDDING_BITS - (int(np.ceil(np.log2(largest))) if largest > 0 else 0)
    return np.rint(np.ldexp(values, exponent)).astype(np.int64)


def fixed_point_weights(weights: np.ndarray) -> np.ndarray:
    """Weights as int64 multiples of 2^-10 (watch fractions, seconds, 0/1 flags)."""
    return np.rint(np.ldexp(np.asarray(weights, dtype=np.float64), WEIGHT_BITS)).astype(np.int64)


@dataclass(frozen=True)
class Profiles:
    """Profiles of one kind as of one week: sorted user ids and their unit-length vectors."""

    as_of_week: int
    kind: str
    user_id: np.ndarray  # uint32, sorted
    embedding: np.ndarray  # float32 [users, dim], unit rows


@dataclass(frozen=True)
class FixedPointClips:
    """The clips' embeddings as exact fixed-point integers (`fixed_point_embeddings`), one row per id of
    `ids` (ascending): prepared once and shared by every chunk of users a profile pass sums."""

    ids: IdMap
    embeddings: np.ndarray

    @classmethod
    def of(cls, item_ids: np.ndarray, embeddings: np.ndarray) -> FixedPointClips:
        order = np.argsort(item_ids, kind="stable")
        ordered = np.asarray(item_ids, dtype=np.uint32)[order]
        if ordered.size > 1 and np.any(ordered[1:] == ordered[:-1]):
            raise VklsvdError("item embeddings list some item_id more than once")
        return cls(IdMap.of_sorted(ordered), fixed_point_embeddings(np.asarray(embeddings)[order]))


class ProfileAccumulator:
    """Exact weighted sums of clip embeddings per (kind, as-of period, user), fed batch by batch.

    `weight_columns` maps a profile kind to the batch column that weighs an event for it (a kind ignores
    events of weight <= 0). Events of users outside `user_ids`, of clips outside `clips` and of weeks
    on or after the last as-of week are ignored.
    """

    def __init__(
        self,
        user_ids: np.ndarray,
        clips: FixedPointClips,
        as_of_weeks: Iterable[int],
        weight_columns: Mapping[str, str],
    ) -> None:
        self.users = IdMap.of_sorted(np.unique(np.asarray(user_ids, dtype=np.uint32)))
        self.clips = clips
        self.as_of_weeks = np.unique(np.asarray(list(as_of_weeks), dtype=np.int64))
        self.weight_columns = dict(weight_columns)
        shape = (self.as_of_weeks.size, self.users.size)
        self.sums = {kind: np.zeros((*shape, self.dim), dtype=np.int64) for kind in self.weight_columns}
        self.events_per_slot = {kind: np.zeros(shape, dtype=np.int64) for kind in self.weight_columns}
        self._marks = np.zeros(shape[0] * shape[1], dtype=bool)
        self._renumber = np.zeros(shape[0] * shape[1], dtype=np.int64)
        self.events = 0

    @property
    def dim(self) -> int:
        return int(self.clips.embeddings.shape[1]) if self.clips.embeddings.ndim == 2 else 0

    def add(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Add a batch with columns user_id, item_id, week and every weight column."""
        names = ["user_id", "item_id", "week", *self.weight_columns.values()]
        missing = [name for name in names if name not in batch.schema.names]
        if missing:
            raise VklsvdError(f"history batch lacks column(s) {missing}; it has {batch.schema.names}")
        user = self.users.rows(_numpy(batch, "user_id", np.uint32))
        item = self.clips.ids.rows(_numpy(batch, "item_id", np.uint32))
        period = np.searchsorted(self.as_of_weeks, _numpy(batch, "week", np.int64), side="right")
        usable = (user >= 0) & (item >= 0) & (period < self.as_of_weeks.size)
        slot = period * self.users.size + user
        for kind, name in self.weight_columns.items():
            weight = fixed_point_weights(_numpy(batch, name, np.float64))
            keep = usable & (weight > 0)
            if keep.any():
                self._add_events(kind, slot[keep], item[keep], weight[keep])
        self.events += batch.num_rows

    def _add_events(self, kind: str, slot: np.ndarray, item: np.ndarray, weight: np.ndarray) -> None:
        # compact the touched (period, user) slots without sorting: a mark per slot, then a renumbering
        self._marks[:] = False
        self._marks[slot] = True
        touched = np.flatnonzero(self._marks)
        self._renumber[touched] = np.arange(touched.size)
        local = self._renumber[slot]
        matrix = sp.csr_matrix(
            (weight, (local, item)), shape=(touched.size, self.clips.ids.size), dtype=np.int64
        )
        self.sums[kind].reshape(-1, self.dim)[touched] += matrix @ self.clips.embeddings
        self.events_per_slot[kind].reshape(-1)[touched] += np.bincount(local, minlength=touched.size)

    def profiles(self) -> Iterator[Profiles]:
        """Profiles of every as-of week (ascending) and kind: users with positive weight before the week."""
        for kind in self.weight_columns:
            running = np.zeros((self.users.size, self.dim), dtype=np.int64)
            events = np.zeros(self.users.size, dtype=np.int64)
            for index, as_of_week in enumerate(self.as_of_weeks.tolist()):
                running += self.sums[kind][index]
                events += self.events_per_slot[kind][index]
                present = np.flatnonzero(events > 0)
                vectors = l2_normalise(running[present].astype(np.float64))
                nonzero = np.linalg.norm(vectors, axis=1) > 0
                yield Profiles(
                    as_of_week,
                    kind,
                    self.users.sorted_ids[present[nonzero]],
                    vectors[nonzero].astype(np.float32),
                )


def _numpy(batch: pa.RecordBatch | pa.Table, name: str, dtype: type) -> np.ndarray:
    values = batch.column(name)
    if values.null_count:
        raise VklsvdError(f"history column '{name}' has {values.null_count} null value(s); expected none")
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=dtype)


def weighted_mean_profiles(
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    weights: np.ndarray,
    embedding_item_ids: np.ndarray,
    embeddings: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-user weighted mean of item embeddings, L2-normalised, over one in-memory history.

    Events whose item has no embedding or whose weight is not positive are ignored; users left with
    no usable event get no profile. Returns (sorted unique user ids, profiles [n_users, dim]).
    """
    clips = FixedPointClips.of(embedding_item_ids, embeddings)
    accumulator = ProfileAccumulator(user_ids, clips, [1], {"weighted": "weight"})
    accumulator.add(
        pa.table(
            {
                "user_id": pa.array(np.asarray(user_ids, dtype=np.uint32)),
                "item_id": pa.array(np.asarray(item_ids, dtype=np.uint32)),
                "week": pa.array(np.zeros(np.asarray(user_ids).size, dtype=np.int32)),
                "weight": pa.array(np.asarray(weights, dtype=np.float64)),
            }
        )
    )
    (result,) = accumulator.profiles()
    return result.user_id, result.embedding


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
    rows = IdMap.of(embedding_item_ids).rows(item_ids)
    found = rows >= 0
    out = np.zeros((item_ids.size, embeddings.shape[1]), dtype=np.float32)
    out[found] = l2_normalise(embeddings[rows[found]].astype(np.float32))
    return out, found
