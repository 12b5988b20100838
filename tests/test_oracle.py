"""The generator's engagement oracle reproduces the written week and estimates its probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from vklsvd.errors import VklsvdError
from vklsvd.synthetic import VALIDATION_WEEK, week_path
from vklsvd.synthetic.oracle import engagement_probabilities
from vklsvd.synthetic.shapes import shape_config

POSITIVE = ("like", "share", "bookmark", "click_on_author", "open_comments")
CONFIG = shape_config("tiny", seed=11)  # the `tiny_dataset` fixture's


@pytest.fixture(scope="module")
def oracle():
    return engagement_probabilities(CONFIG, VALIDATION_WEEK, replicates=16, positive_signals=POSITIVE)


def _pairs(item_id: np.ndarray, user_id: np.ndarray) -> set[tuple[int, int]]:
    return set(zip(item_id.tolist(), user_id.tolist(), strict=True))


def test_observed_pairs_are_the_written_weeks_positive_new_clip_pairs(oracle, tiny_dataset: Path) -> None:
    earlier = pq.read_table(
        [week_path(tiny_dataset, week) for week in range(VALIDATION_WEEK)], columns=["item_id"]
    ).column("item_id")
    week = pq.read_table(week_path(tiny_dataset, VALIDATION_WEEK))
    positive = week["like"]
    for signal in POSITIVE[1:]:
        positive = pc.or_(positive, week[signal])
    new = pc.invert(pc.is_in(week["item_id"], value_set=pc.unique(earlier)))
    rows = week.filter(pc.and_(positive, new))
    expected = _pairs(rows["item_id"].to_numpy(), rows["user_id"].to_numpy())
    assert expected, "the tiny dataset has positive pairs of new clips in week 25"
    assert _pairs(oracle.observed_item_id, oracle.observed_user_id) == expected


def test_probabilities_are_probabilities_and_predict_the_real_week(oracle) -> None:
    assert oracle.item_id.size == oracle.user_id.size == oracle.probability.size > 0
    assert np.all((oracle.probability > 0) & (oracle.probability <= 1))
    assert len(_pairs(oracle.item_id, oracle.user_id)) == oracle.item_id.size, "one row per pair"
    # the expected number of positive pairs is the sum of probabilities; the real week is one more draw
    expected = oracle.probability.sum()
    assert abs(oracle.observed_item_id.size - expected) < 5 * np.sqrt(expected) + 5
    # pairs the real week made positive are the likely ones, far above the average (clip, user) pair
    probability = dict(
        zip(_pairs_list(oracle.item_id, oracle.user_id), oracle.probability.tolist(), strict=True)
    )
    observed_p = [
        probability.get(pair, 0.0) for pair in _pairs_list(oracle.observed_item_id, oracle.observed_user_id)
    ]
    average = expected / (CONFIG.items_per_week * CONFIG.n_users)
    assert np.mean(observed_p) > 4 * average


def _pairs_list(item_id: np.ndarray, user_id: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(item_id.tolist(), user_id.tolist(), strict=True))


def test_oracle_is_deterministic(oracle) -> None:
    again = engagement_probabilities(CONFIG, VALIDATION_WEEK, replicates=16, positive_signals=POSITIVE)
    np.testing.assert_array_equal(again.item_id, oracle.item_id)
    np.testing.assert_array_equal(again.user_id, oracle.user_id)
    np.testing.assert_array_equal(again.probability, oracle.probability)


@pytest.mark.parametrize(
    ("week", "replicates", "signals", "message"),
    [
        (27, 4, POSITIVE, "week 27 is not generated"),
        (25, 0, POSITIVE, "replicates must be at least 1"),
        (25, 4, ("like", "watched"), "positive_signals must be"),
        (25, 4, (), "positive_signals must be"),
    ],
)
def test_bad_arguments_are_refused(
    week: int, replicates: int, signals: tuple[str, ...], message: str
) -> None:
    with pytest.raises(VklsvdError, match=message):
        engagement_probabilities(CONFIG, week, replicates=replicates, positive_signals=signals)
