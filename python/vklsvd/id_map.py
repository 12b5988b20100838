"""The package's one id -> row lookup: user, clip and author ids are sparse 32-bit numbers, arrays are
indexed by row, and every step that joins the two goes through an `IdMap`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vklsvd.errors import VklsvdError


@dataclass(frozen=True)
class IdMap:
    """Distinct ids and the row each stands for: `sorted_ids` ascending, `rows_in_order[i]` the row of
    `sorted_ids[i]` (None: the ids were given sorted, so the row is the position)."""

    sorted_ids: np.ndarray
    rows_in_order: np.ndarray | None = None

    @classmethod
    def of(cls, ids: np.ndarray) -> IdMap:
        """The map of the distinct `ids` in any order: row i is `ids[i]`."""
        ids = np.asarray(ids)
        order = np.argsort(ids, kind="stable")
        ordered = ids[order]
        if ordered.size > 1 and np.any(ordered[1:] == ordered[:-1]):
            raise VklsvdError("an id map needs distinct ids; some id appears twice")
        return cls(ordered, order)

    @classmethod
    def of_sorted(cls, sorted_ids: np.ndarray) -> IdMap:
        """The map of ids already ascending and distinct (unchecked: hot paths): row i is `sorted_ids[i]`."""
        return cls(np.asarray(sorted_ids))

    @property
    def size(self) -> int:
        return int(self.sorted_ids.size)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The row of each of `ids`, -1 where an id is not in the map (int64, the shape of `ids`)."""
        ids = np.asarray(ids)
        if self.sorted_ids.size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.sorted_ids, ids), self.sorted_ids.size - 1)
        found = self.sorted_ids[at] == ids
        rows = at if self.rows_in_order is None else self.rows_in_order[at]
        return np.where(found, rows, -1).astype(np.int64)

    def known_rows(self, ids: np.ndarray, missing: str) -> np.ndarray:
        """The row of each of `ids`, every one of which must be in the map; else an error that counts the
        absent ids (`missing`: what they are, e.g. "clip(s) missing from the clip metadata")."""
        rows = self.rows(ids)
        if np.any(rows < 0):
            absent = np.asarray(ids)[rows < 0]
            raise VklsvdError(f"{absent.size:,} {missing}, e.g. id {absent[0]}")
        return rows

    def gather(self, values: np.ndarray, ids: np.ndarray, fill: np.ndarray | float = 0.0) -> np.ndarray:
        """Rows of `values` (one per row of the map) for `ids`; `fill` (a value, or one row per id) where
        an id is unknown."""
        rows = self.rows(ids)
        found = rows >= 0
        if np.isscalar(fill):
            out = np.full((rows.size, *values.shape[1:]), fill, dtype=values.dtype)
        else:
            out = np.array(fill, dtype=values.dtype, copy=True)
        out[found] = values[rows[found]]
        return out
