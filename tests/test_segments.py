"""Grouped operations on flat arrays (vklsvd.segments): the sort-free unique of compact, sparse and
sorted ids."""

import numpy as np
import pytest

from vklsvd import segments
from vklsvd.segments import sorted_unique_inverse, unique_inverse


@pytest.mark.parametrize(
    "ids",
    [
        np.array([5, 3, 5, 0, 9, 3], np.uint32),
        np.array([7, 7, 7], np.int64),
        np.array([2**40, 3, 2**40], np.int64),  # a span far beyond the length: the hash
        np.array([-2, 4, -2], np.int64),  # negative ids: the hash
        np.array([4_000_000_000, 17, 600_000_000, 17, 4_000_000_000], np.uint32),  # sparse uint32
        np.random.default_rng(0).choice(10**9, 5000).astype(np.uint64)[np.r_[0:5000, 0:5000:3]],
        np.array([1.5, -2.0, 1.5]),  # not integers: numpy's own
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


def test_unique_inverse_sorts_only_the_distinct_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compact ids are counted, sparse ones hashed: neither sorts the rows (only the distinct ids)."""
    sorted_sizes: list[int] = []
    real_argsort = np.argsort

    def recording_argsort(values, *args, **kwargs):
        sorted_sizes.append(np.asarray(values).size)
        return real_argsort(values, *args, **kwargs)

    def refused_unique(*args, **kwargs):
        pytest.fail("np.unique sorts every row")

    monkeypatch.setattr(segments.np, "unique", refused_unique)
    monkeypatch.setattr(segments.np, "argsort", recording_argsort)
    unique_inverse(np.arange(1000, dtype=np.uint32)[::-1])
    assert sorted_sizes == []
    sparse_ids = np.array([0, segments.DENSE_ID_SPAN_FLOOR * 2], np.uint32)[np.zeros(1000, np.int64)]
    sparse_ids[::2] = segments.DENSE_ID_SPAN_FLOOR * 2
    unique, inverse = unique_inverse(sparse_ids)
    assert sorted_sizes == [2]
    np.testing.assert_array_equal(unique[inverse], sparse_ids)


def test_sorted_unique_inverse_is_numpys_unique_and_refuses_unsorted_ids() -> None:
    ids = np.array([1, 1, 4, 6, 6, 6], np.uint32)
    unique, inverse = sorted_unique_inverse(ids)
    np.testing.assert_array_equal(unique, [1, 4, 6])
    np.testing.assert_array_equal(inverse, [0, 0, 1, 2, 2, 2])
    assert sorted_unique_inverse(np.zeros(0, np.uint32))[0].size == 0
    with pytest.raises(ValueError, match="ascending"):
        sorted_unique_inverse(np.array([2, 1], np.uint32))
