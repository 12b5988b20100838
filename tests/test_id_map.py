"""The one id -> row lookup (vklsvd.id_map)."""

import numpy as np
import pytest

from vklsvd.errors import VklsvdError
from vklsvd.id_map import IdMap


def test_rows_of_sorted_and_unsorted_ids_mark_the_unknown() -> None:
    assert IdMap.of_sorted(np.array([2, 5, 9])).rows(np.array([5, 3, 9, 10])).tolist() == [1, -1, 2, -1]
    assert IdMap.of(np.array([9, 2, 5], np.uint32)).rows(np.array([5, 3, 9, 2])).tolist() == [2, -1, 0, 1]
    assert IdMap.of_sorted(np.array([], dtype=np.int64)).rows(np.array([1])).tolist() == [-1]
    assert IdMap.of(np.array([7])).size == 1


def test_known_rows_names_what_is_missing() -> None:
    ids = IdMap.of(np.array([4_000_000_000, 17], np.uint32))
    assert ids.known_rows(np.array([17, 4_000_000_000], np.uint32), "clips missing").tolist() == [1, 0]
    with pytest.raises(VklsvdError, match=r"2 clip\(s\) missing from the metadata, e.g. id 3"):
        ids.known_rows(np.array([3, 17, 5], np.uint32), "clip(s) missing from the metadata")


def test_gather_fills_unknown_ids_with_a_value_or_rows_of_their_own() -> None:
    ids = IdMap.of(np.array([30, 10]))
    values = np.array([[3.0, 3.0], [1.0, 1.0]])  # row 0 is id 30
    np.testing.assert_array_equal(ids.gather(values, np.array([10, 20, 30])), [[1, 1], [0, 0], [3, 3]])
    fill = np.full((2, 2), -1.0)
    np.testing.assert_array_equal(ids.gather(values, np.array([99, 30]), fill=fill), [[-1, -1], [3, 3]])
    assert fill[1].tolist() == [-1.0, -1.0]  # the fill is copied, not written into


def test_an_id_map_refuses_repeated_ids() -> None:
    with pytest.raises(VklsvdError, match="distinct"):
        IdMap.of(np.array([1, 2, 1]))
