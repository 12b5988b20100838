"""Grouped operations on flat arrays (vklsvd.segments): the sort-free unique of compact and of sorted ids."""

import numpy as np
import pytest

from vklsvd import segments
from vklsvd.segments import sorted_unique_inverse, unique_inverse


@pytest.mark.parametrize(
    "ids",
    [
        np.array([5, 3, 5, 0, 9, 3], np.uint32),
        np.array([7, 7, 7], np.int64),
        np.array([2**40, 3, 2**40], np.int64),  # a span far beyond the length: the sort
        np.array([-2, 4, -2], np.int64),  # negative ids: the sort
        np.zeros(0, np.uint32),
    ],
)
def test_unique_inverse_is_numpys_unique(ids: np.ndarray) -> None:
    unique, inverse = unique_inverse(ids)
    expected_unique, expected_inverse = np.unique(ids, return_inverse=True)
    assert unique.dtype == expected_unique.dtype
    np.testing.assert_array_equal(unique, expected_unique)
    np.testing.assert_array_equal(inverse, expected_inverse.ravel())
    np.testing.assert_array_equal(unique[inverse], ids)


def test_unique_inverse_counts_presence_only_when_ids_are_compact(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_unique = np.unique

    def counting_unique(*args, **kwargs):
        calls.append(1)
        return real_unique(*args, **kwargs)

    monkeypatch.setattr(segments.np, "unique", counting_unique)
    unique_inverse(np.arange(1000, dtype=np.uint32)[::-1])
    assert calls == []
    unique_inverse(np.array([0, segments.DENSE_ID_SPAN_FLOOR * 2], np.uint32))
    assert calls == [1]


def test_sorted_unique_inverse_is_numpys_unique_and_refuses_unsorted_ids() -> None:
    ids = np.array([1, 1, 4, 6, 6, 6], np.uint32)
    unique, inverse = sorted_unique_inverse(ids)
    np.testing.assert_array_equal(unique, [1, 4, 6])
    np.testing.assert_array_equal(inverse, [0, 0, 1, 2, 2, 2])
    assert sorted_unique_inverse(np.zeros(0, np.uint32))[0].size == 0
    with pytest.raises(ValueError, match="ascending"):
        sorted_unique_inverse(np.array([2, 1], np.uint32))
