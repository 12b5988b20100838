"""Believed worlds: the oracle's latent quantities replaced by what the earlier weeks' rows reveal."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vklsvd.errors import VklsvdError
from vklsvd.synthetic import VALIDATION_WEEK
from vklsvd.synthetic.beliefs import FAVOURITE_MIN_IMPRESSIONS, UNKNOWNS, History, believed_world
from vklsvd.synthetic.oracle import engagement_probabilities
from vklsvd.synthetic.shapes import shape_config
from vklsvd.synthetic.world import build_world

POSITIVE = ("like", "share", "bookmark", "click_on_author", "open_comments")
CONFIG = shape_config("tiny", seed=11)


@pytest.fixture(scope="module")
def world():
    return build_world(CONFIG)


def _items_of(world, author: int, count: int) -> np.ndarray:
    items = np.flatnonzero(world.item_author == author)[:count]
    assert items.size == count, f"author {author} has fewer than {count} clips"
    return items


def _authors(world, count: int) -> list[int]:
    """The `count` authors with the most clips."""
    return [int(author) for author in np.argsort(-np.bincount(world.item_author), kind="stable")[:count]]


def _history(world, rows: list[tuple[int, int, bool]]) -> History:
    """A history of one week from (user, item, positive) rows."""
    history = History.empty(world)
    user, item, positive = (np.array(column) for column in zip(*rows, strict=True))
    history.add_week(world, user.astype(np.int64), item.astype(np.int64), positive.astype(bool))
    return history


def test_weeks_add_up_per_user_and_per_user_and_author(world) -> None:
    a, b = _authors(world, 2)
    item_a, item_b = _items_of(world, a, 1)[0], _items_of(world, b, 1)[0]
    history = _history(world, [(0, item_a, True), (0, item_b, False), (1, item_a, False)])
    history.add_week(world, np.array([0, 0]), np.array([item_a, item_a]), np.array([True, False]))
    assert history.weeks == 2
    assert history.impressions[:3].tolist() == [4, 1, 0]
    assert history.positives[:3].tolist() == [2, 0, 0]
    np.testing.assert_allclose(history.positive_topics[0], 2 * world.item_topics[item_a])
    keys = {int(k): (int(i), int(p)) for k, i, p in zip(*_author_counts(history), strict=True)}
    n_authors = CONFIG.n_authors
    assert keys == {0 * n_authors + a: (3, 2), 0 * n_authors + b: (1, 0), 1 * n_authors + a: (1, 0)}


def _author_counts(history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return history.author_keys, history.author_impressions, history.author_positives


def test_favourites_are_the_most_seen_engaged_authors(world) -> None:
    a, b, c = _authors(world, 3)
    seen = FAVOURITE_MIN_IMPRESSIONS
    rows = [(0, item, True) for item in _items_of(world, a, seen + 2)]  # most seen, engaged
    rows += [(0, item, i == 0) for i, item in enumerate(_items_of(world, b, seen))]  # engaged once
    rows += [(0, item, False) for item in _items_of(world, c, seen + 5)]  # most seen, never engaged
    rows += [(1, item, False) for item in _items_of(world, c, 2)]  # user 1 never engaged with anyone
    believed = believed_world(world, _history(world, rows), VALIDATION_WEEK, ["favourite_authors"])
    assert believed.user_favourite_authors[0].tolist() == [a, b, -1]
    assert believed.user_n_favourite_authors[:2].tolist() == [2, 1]
    assert believed.user_favourite_authors[1].tolist() == [c, -1, -1]  # the one author they saw most
    never_seen = believed.user_favourite_authors[2]  # the author seen most overall
    assert never_seen.tolist() == [c, -1, -1] and believed.user_n_favourite_authors[2] == 1


def test_each_quantity_is_replaced_alone(world) -> None:
    items = np.flatnonzero(world.item_release_week < VALIDATION_WEEK)[:50]
    rows = [(user, int(item), user % 2 == 0) for user in range(4) for item in items[user::4]]
    history = _history(world, rows)
    assert believed_world(world, history, VALIDATION_WEEK, []) is world
    for name in UNKNOWNS:
        believed = believed_world(world, history, VALIDATION_WEEK, [name])
        changed = {
            field.name
            for field in dataclasses.fields(world)
            if not np.array_equal(getattr(world, field.name), getattr(believed, field.name))
            and field.name != "config"
        }
        expected = {
            "new_clips": {"item_quality", "item_popularity"},
            "activity": {"user_activity"},
            "interests": {"user_interest"},
            "favourite_authors": {"user_favourite_authors", "user_n_favourite_authors"},
            "propensity": {"user_propensity"},
        }[name]
        assert changed == expected, name
    believed = believed_world(world, history, VALIDATION_WEEK, ["new_clips", "activity", "interests"])
    new = world.item_release_week == VALIDATION_WEEK
    assert np.unique(believed.item_quality[new]).size == 1
    np.testing.assert_array_equal(believed.item_quality[~new], world.item_quality[~new])
    assert believed.user_activity[0] == np.count_nonzero(np.array(rows)[:, 0] == 0)  # one week of history
    np.testing.assert_allclose(believed.user_interest.sum(axis=1), 1.0)
    with pytest.raises(VklsvdError, match=r"unknown quantities \['taste'\]"):
        believed_world(world, history, VALIDATION_WEEK, ["taste"])


def test_a_belief_changes_the_probabilities_not_the_real_week() -> None:
    known = engagement_probabilities(CONFIG, VALIDATION_WEEK, replicates=4, positive_signals=POSITIVE)
    believed = engagement_probabilities(
        CONFIG, VALIDATION_WEEK, replicates=4, positive_signals=POSITIVE, unknown=UNKNOWNS
    )
    np.testing.assert_array_equal(believed.observed_item_id, known.observed_item_id)
    np.testing.assert_array_equal(believed.observed_user_id, known.observed_user_id)
    assert believed.probability.size != known.probability.size or not np.array_equal(
        believed.probability, known.probability
    )
