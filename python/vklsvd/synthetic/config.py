"""Settings, layout and calibration targets of the synthetic dataset, and the summary of what was written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from vklsvd.errors import InvalidArgumentError

# --- layout -------------------------------------------------------------------------------------------

MAX_WEEKS: Final = 27
LAST_TRAIN_WEEK: Final = 24
VALIDATION_WEEK: Final = 25
TEST_WEEK: Final = 26
N_PLACES: Final = 24
N_PLATFORMS: Final = 11
N_AGENTS: Final = 29

TARGET_RATES: Final[Mapping[str, float]] = {
    "like": 0.029,
    "dislike": 0.0003,
    "share": 0.0064,
    "bookmark": 0.0010,
    "click_on_author": 0.0021,
    "open_comments": 0.012,
}
TARGET_MEAN_TIMESPENT: Final = 21.0


# --- world constants ----------------------------------------------------------------------------------

USER_ID_RANGE: Final = (1, 500_000_000)
ITEM_ID_RANGE: Final = (1, 600_000_000)
AUTHOR_ID_RANGE: Final = (1, 300_000_000)

#: Relative popularity of an item by age in weeks (0 = release week); older items are not shown.
POPULARITY_DECAY: Final = (1.0, 0.25, 0.08, 0.025)
BACKLOG_WEEKS: Final = len(POPULARITY_DECAY) - 1
LATENT_DIM: Final = 16
#: Release-week exposure added to every clip, in units of the mean popularity.
EXPLORATION_BOOST: Final = 0.5
MAX_FAVOURITE_AUTHORS: Final = 3
#: Share of a user's impressions targeted at their topics (the share from their favourite authors is the
#: setting `author_exposure`, the rest is popularity).
TOPIC_EXPOSURE: Final = 0.5
#: Affinity weights (the favourite-author weight is the setting `favourite_author_weight`).
W_TOPIC: Final = 2.2
W_AUTHOR_QUALITY: Final = 0.4
W_ITEM_QUALITY: Final = 0.4
IMPRESSION_NOISE: Final = 0.8
#: Per-signal slope on the impression affinity (dislike decreases with affinity).
SIGNAL_SLOPES: Final[Mapping[str, float]] = {
    "like": 1.0,
    "dislike": -1.0,
    "share": 0.9,
    "bookmark": 0.8,
    "click_on_author": 0.5,
    "open_comments": 0.7,
}
CLICK_ON_AUTHOR_FAVOURITE_BOOST: Final = 2.0
MAX_WATCH_FRACTION: Final = 1.25
PILOT_ROWS: Final = 300_000
REDRAW_ROUNDS: Final = 3
CHUNK_ROWS: Final = 1 << 18
PILOT_WARMUP_WEEKS: Final = 3
PARQUET_COMPRESSION: Final = "zstd"

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


# --- configuration and results ------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratorConfig:
    """Sizes and seed of a synthetic dataset (validated on construction)."""

    n_users: int = 4000
    n_authors: int = 300
    items_per_week: int = 250
    n_weeks: int = MAX_WEEKS
    mean_impressions_per_user_week: float = 12.0
    n_topics: int = 24
    seed: int = 0
    #: Spread (log-normal sigma) of the users' mean weekly activity: 1 for a random sample of users, less
    #: for a sample of the most active ones (every user active almost every week).
    activity_sigma: float = 1.0
    #: Share of a user's impressions drawn from their favourite authors' clips (the "followed" feed), and
    #: the affinity a favourite author adds to an impression: raise both for a world where engagement
    #: follows authors more than content (e.g. 0.45 and 3.0: about two thirds of positives then fall on
    #: favourite authors' clips, against a quarter by default).
    author_exposure: float = 0.08
    favourite_author_weight: float = 1.2

    def __post_init__(self) -> None:
        checks: list[tuple[bool, str]] = [
            (1 <= self.n_users < USER_ID_RANGE[1] // 4, "n_users must be between 1 and 125,000,000"),
            (1 <= self.n_authors < AUTHOR_ID_RANGE[1] // 4, "n_authors must be between 1 and 75,000,000"),
            (
                1 <= self.items_per_week * (self.n_weeks + BACKLOG_WEEKS) < ITEM_ID_RANGE[1] // 4,
                "items_per_week must be at least 1 (and the total number of items below 150,000,000)",
            ),
            (1 <= self.n_weeks <= MAX_WEEKS, f"n_weeks must be between 1 and {MAX_WEEKS}"),
            (
                0.0 < self.mean_impressions_per_user_week <= 10_000.0,
                "mean_impressions_per_user_week must be in (0, 10000]",
            ),
            (1 <= self.n_topics <= 1000, "n_topics must be between 1 and 1000"),
            (0.0 <= self.activity_sigma <= 3.0, "activity_sigma must be between 0 and 3"),
            (
                0.0 <= self.author_exposure <= 1.0 - TOPIC_EXPOSURE,
                f"author_exposure must be between 0 and {1.0 - TOPIC_EXPOSURE} (topics take the rest)",
            ),
            (0.0 <= self.favourite_author_weight <= 5.0, "favourite_author_weight must be between 0 and 5"),
            (self.seed >= 0, "seed must be a non-negative integer"),
        ]
        for ok, message in checks:
            if not ok:
                raise InvalidArgumentError(f"invalid generator setting: {message}")

    @property
    def n_items(self) -> int:
        """All items, including the backlog released before week 0."""
        return self.items_per_week * (self.n_weeks + BACKLOG_WEEKS)


@dataclass(frozen=True)
class GenerationSummary:
    """What :func:`generate_dataset` wrote."""

    out_dir: Path
    n_users: int
    n_items: int
    n_authors: int
    rows_per_week: tuple[int, ...]
    total_rows: int
    #: Share of impressions with each signal, over all weeks.
    rates: Mapping[str, float]
    mean_timespent: float
    #: Clips first seen in week 25 (the validation targets), and in the last generated week.
    n_validation_target_clips: int
    n_template_items: int
    files: tuple[Path, ...]
