"""Content profiles as of each week: kinds, weights, unit length, streaming (vklsvd.content.profiles)."""

from collections.abc import Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vklsvd.content.adapters import user_content_profiles
from vklsvd.content.profiles import aggregate_pairs, item_vectors, weighted_mean_profiles
from vklsvd.io.embeddings import embeddings_to_arrow


def _of_users(batches: Iterable[pa.RecordBatch]) -> Callable[[int, int], list[pa.RecordBatch]]:
    """`history_of_users` over a list of batches: the rows of users first..last, as the model filters."""
    batches = list(batches)

    def history_of_users(first: int, last: int) -> list[pa.RecordBatch]:
        return [
            batch.filter(
                pc.and_(pc.greater_equal(batch["user_id"], first), pc.less_equal(batch["user_id"], last))
            )
            for batch in batches
        ]

    return history_of_users


def _history() -> pa.Table:
    return pa.table(
        {
            "week": pa.array([3, 3, 3, 3, 4], pa.int32()),
            "user_id": pa.array([1, 1, 1, 2, 2], pa.uint32()),
            "item_id": pa.array([10, 20, 30, 10, 20], pa.uint32()),
            "timespent": pa.array([30, 10, 0, 5, 5], pa.uint8()),
            "watch_fraction": [1.0, 0.5, 0.0, 0.25, 0.25],
            "is_positive": [True, False, False, False, True],
            "is_negative": [False, False, True, False, False],
        }
    )


def _embeddings() -> pa.Table:
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]], dtype=np.float32)
    return embeddings_to_arrow(np.array([10, 20, 30], dtype=np.uint32), vectors)


def _users() -> pa.Table:
    return pa.table({"user_id": pa.array([1, 2, 3], pa.uint32())})


def _profiles(as_of_week: int = 5) -> dict[tuple[int, str], np.ndarray]:
    table = user_content_profiles(
        _of_users(_history().to_batches()), _users(), _embeddings(), pa.table({"as_of_week": [as_of_week]}),
        users_per_chunk=100,
    )  # fmt: skip
    rows = table.to_pylist()
    assert {row["as_of_week"] for row in rows} <= {as_of_week}
    return {(row["user_id"], row["profile_kind"]): np.array(row["embedding"]) for row in rows}


def test_profiles_use_only_weeks_before_the_as_of_week() -> None:
    # as of week 4, user 2's week-4 positive on item 20 is not known yet: only item 10 counts
    profiles = _profiles(as_of_week=4)
    np.testing.assert_allclose(profiles[(2, "watched")], [1.0, 0.0, 0.0])
    assert (2, "positive") not in profiles
    assert _profiles(as_of_week=3) == {}


def test_every_kind_is_a_normalised_weighted_mean() -> None:
    profiles = _profiles()
    # user 1: timespent weights 30 and 10 on items 10 ([1,0,0]) and 20 ([0,2,0]) -> (30, 20, 0)
    np.testing.assert_allclose(
        profiles[(1, "timespent")], np.array([30.0, 20.0, 0.0]) / np.hypot(30, 20), rtol=1e-6
    )
    # watch fraction 1.0 and 0.5 -> (1, 1, 0)
    np.testing.assert_allclose(profiles[(1, "watched")], np.array([1.0, 1.0, 0.0]) / np.sqrt(2), rtol=1e-6)
    np.testing.assert_allclose(profiles[(1, "positive")], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(profiles[(1, "negative")], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(profiles[(2, "positive")], [0.0, 1.0, 0.0])
    np.testing.assert_allclose([np.linalg.norm(v) for v in profiles.values()], 1.0, rtol=1e-6)


def test_kinds_without_events_give_no_row() -> None:
    kinds = {kind for user, kind in _profiles() if user == 2}
    assert kinds == {"watched", "timespent", "positive"}  # user 2 disliked nothing


def test_aggregate_pairs_adds_repeats_and_drops_non_positive() -> None:
    users, items, weights = aggregate_pairs(
        np.array([2, 1, 2, 1], dtype=np.uint32),
        np.array([7, 9, 7, 8], dtype=np.uint32),
        np.array([0.5, 1.0, 0.25, 0.0]),
    )
    assert users.tolist() == [1, 2] and items.tolist() == [9, 7]
    np.testing.assert_allclose(weights, [1.0, 0.75])


def test_item_vectors_are_unit_and_mark_missing() -> None:
    vectors, found = item_vectors(
        np.array([30, 99, 20], dtype=np.uint32),
        np.array([20, 30], dtype=np.uint32),
        np.array([[0.0, 2.0], [3.0, 4.0]], dtype=np.float32),
    )
    assert found.tolist() == [True, False, True]
    np.testing.assert_allclose(vectors, [[0.6, 0.8], [0.0, 0.0], [0.0, 1.0]])


def test_streamed_profiles_do_not_depend_on_row_order_batches_or_chunks_of_users() -> None:
    rng = np.random.default_rng(5)
    n = 5000
    history = pa.table(
        {
            "week": pa.array(rng.integers(0, 6, n), pa.int32()),
            "user_id": pa.array(rng.integers(1, 40, n), pa.uint32()),
            "item_id": pa.array(rng.integers(1, 80, n), pa.uint32()),
            "timespent": pa.array(rng.integers(0, 60, n), pa.uint8()),
            "watch_fraction": rng.random(n),
            "is_positive": rng.random(n) < 0.2,
            "is_negative": rng.random(n) < 0.05,
        }
    )
    embeddings = embeddings_to_arrow(
        np.arange(1, 80, dtype=np.uint32), rng.normal(size=(79, 16)).astype(np.float16)
    )
    users = pa.table({"user_id": pa.array(np.arange(1, 40), pa.uint32())})
    weeks = pa.table({"as_of_week": [3, 5, 6]})
    whole = user_content_profiles(
        _of_users([history.combine_chunks().to_batches()[0]]), users, embeddings, weeks, users_per_chunk=100
    )
    shuffled = history.take(rng.permutation(n))
    requested: list[tuple[int, int]] = []

    def recorded(first: int, last: int) -> list[pa.RecordBatch]:
        requested.append((first, last))
        return _of_users(shuffled.to_batches(max_chunksize=333))(first, last)

    chunked = user_content_profiles(recorded, users, embeddings, weeks, users_per_chunk=7)
    key = [("as_of_week", "ascending"), ("profile_kind", "ascending"), ("user_id", "ascending")]
    assert whole.sort_by(key).equals(chunked.sort_by(key))
    assert set(whole.column("as_of_week").to_pylist()) == {3, 5, 6}
    # users 1..39 in chunks of 7: one pass over the history per chunk, each for its own users
    assert requested == [(1, 7), (8, 14), (15, 21), (22, 28), (29, 35), (36, 39)]
    unfiltered = user_content_profiles(
        lambda first, last: shuffled.to_batches(max_chunksize=333),
        users,
        embeddings,
        weeks,
        users_per_chunk=7,
    )
    assert whole.sort_by(key).equals(unfiltered.sort_by(key))  # rows of other users are ignored


def test_history_without_weight_columns_is_a_clear_error() -> None:
    import pytest

    from vklsvd.errors import VklsvdError

    with pytest.raises(VklsvdError, match="lacks column"):
        user_content_profiles(
            _of_users(_history().drop_columns(["timespent"]).to_batches()), _users(), _embeddings(),
            pa.table({"as_of_week": [5]}), users_per_chunk=10,
        )  # fmt: skip
    with pytest.raises(VklsvdError, match="profile_users_per_chunk"):
        user_content_profiles(
            _of_users(_history().to_batches()), _users(), _embeddings(), pa.table({"as_of_week": [5]}),
            users_per_chunk=0,
        )  # fmt: skip


def test_profiles_are_bit_for_bit_independent_of_row_order() -> None:
    rng = np.random.default_rng(4)
    users = rng.integers(1, 30, size=2000).astype(np.uint32)
    items = rng.integers(1, 50, size=2000).astype(np.uint32)  # many repeated (user, item) pairs
    weights = rng.random(2000)
    emb_ids = np.arange(1, 50, dtype=np.uint32)
    emb = rng.normal(size=(49, 16)).astype(np.float32)
    shuffled = rng.permutation(2000)
    a = weighted_mean_profiles(users, items, weights, emb_ids, emb)
    b = weighted_mean_profiles(users[shuffled], items[shuffled], weights[shuffled], emb_ids, emb)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    pairs_a = aggregate_pairs(users, items, weights)
    pairs_b = aggregate_pairs(users[shuffled], items[shuffled], weights[shuffled])
    assert all(np.array_equal(x, y) for x, y in zip(pairs_a, pairs_b, strict=True))
