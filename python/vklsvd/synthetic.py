"""Synthetic VK-LSVD: the hub layout and dtypes, with planted structure that models can learn.

The generator writes exactly the files of the ``deepvk/VK-LSVD`` dataset (see ``MISSION_NOTES.md`` §1)::

    <out>/interactions/train/week_00.parquet ... week_24.parquet
    <out>/interactions/validation/week_25.parquet
    <out>/interactions/test/week_26.parquet
    <out>/metadata/users_metadata.parquet
    <out>/metadata/items_metadata.parquet
    <out>/metadata/item_embeddings.npz
    <out>/metadata/submission.parquet

The hidden world behind the data (built by :func:`build_world`, deterministic in the seed):

* ``n_topics`` topics with unequal prevalence. Authors have 1-2 favourite topics, a quality level and a
  productivity; items have an author, a dominant topic (usually one of the author's) plus a small
  mixture over all topics, a duration and a hidden quality; users have a sparse interest over topics
  (1-3 main topics), a heavy-tailed activity, an engagement propensity, 1-3 favourite authors, a
  primary and a secondary device (platform + agent), a mix of places, and demographics weakly tied
  to their topics.
* Items are released every week (``items_per_week``, also in weeks 25 and 26; three backlog weeks are
  released "before" week 0 so that week 0 looks like any other). An item is shown from its release week
  on, its popularity decaying over the next three weeks (:data:`POPULARITY_DECAY`), then it is gone.
* Each week every user draws a Poisson number of impressions; each impression comes from one of three
  exposure sources: global popularity (noise), the user's topics (the recommender's targeting,
  probability ∝ popularity * item topic weight) or one of the user's favourite authors. Together
  this is ``p(item | user) ∝ popularity * (1 + β_u · interest)`` plus a subscription term.
* Feedback comes from an affinity = topic match + favourite author + author quality + item quality +
  user propensity + place effect + impression noise. Signal intercepts and the watch-time scale are
  calibrated on a pilot week so the rates land near :data:`TARGET_RATES` and the mean timespent near
  :data:`TARGET_MEAN_TIMESPENT`.
* The content embedding (64 float16 components) is computed from the item's topic mixture, its
  author's style and item-specific style only (no collaborative signal): components are ordered by
  decreasing variance and increasing noise, so every prefix is a valid cheaper embedding.

Everything is vectorised numpy; the simulation runs week by week so memory stays bounded by one week.
Same arguments give byte-identical files (on the same platform and library versions).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from vklsvd.errors import InvalidArgumentError

__all__ = [
    "EMBEDDING_DIM",
    "INTERACTIONS_SCHEMA",
    "ITEMS_METADATA_SCHEMA",
    "MAX_WEEKS",
    "N_AGENTS",
    "N_PLACES",
    "N_PLATFORMS",
    "POPULARITY_DECAY",
    "SIGNALS",
    "SUBMISSION_SCHEMA",
    "TARGET_MEAN_TIMESPENT",
    "TARGET_RATES",
    "TEST_WEEK",
    "USERS_METADATA_SCHEMA",
    "VALIDATION_WEEK",
    "GenerationSummary",
    "GeneratorConfig",
    "SyntheticWorld",
    "build_world",
    "generate_dataset",
    "split_of_week",
    "week_path",
]

# --- layout -------------------------------------------------------------------------------------------

MAX_WEEKS: Final = 27
LAST_TRAIN_WEEK: Final = 24
VALIDATION_WEEK: Final = 25
TEST_WEEK: Final = 26
EMBEDDING_DIM: Final = 64
N_PLACES: Final = 24
N_PLATFORMS: Final = 11
N_AGENTS: Final = 29

SIGNALS: Final = ("like", "dislike", "share", "bookmark", "click_on_author", "open_comments")
TARGET_RATES: Final[Mapping[str, float]] = {
    "like": 0.029,
    "dislike": 0.0003,
    "share": 0.0064,
    "bookmark": 0.0010,
    "click_on_author": 0.0021,
    "open_comments": 0.012,
}
TARGET_MEAN_TIMESPENT: Final = 21.0

INTERACTIONS_SCHEMA: Final = pa.schema(
    [
        ("user_id", pa.uint32()),
        ("item_id", pa.uint32()),
        ("place", pa.uint8()),
        ("platform", pa.uint8()),
        ("agent", pa.uint8()),
        ("timespent", pa.uint8()),
        *[(name, pa.bool_()) for name in SIGNALS],
    ]
)
USERS_METADATA_SCHEMA: Final = pa.schema(
    [
        ("user_id", pa.uint32()),
        ("age", pa.uint8()),
        ("gender", pa.uint8()),
        ("geo", pa.uint8()),
        ("train_interactions_rank", pa.uint32()),
    ]
)
ITEMS_METADATA_SCHEMA: Final = pa.schema(
    [
        ("item_id", pa.uint32()),
        ("author_id", pa.uint32()),
        ("duration", pa.uint8()),
        ("train_interactions_rank", pa.uint32()),
    ]
)
SUBMISSION_SCHEMA: Final = pa.schema([("item_id", pa.uint32()), ("user_id", pa.list_(pa.uint32()))])

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
#: Share of a user's impressions targeted at their topics, and coming from their favourite authors.
TOPIC_EXPOSURE: Final = 0.5
AUTHOR_EXPOSURE: Final = 0.08
#: Affinity weights.
W_TOPIC: Final = 2.2
W_FAVOURITE_AUTHOR: Final = 1.2
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
    n_validation_target_items: int
    n_template_items: int
    files: tuple[Path, ...]


@dataclass(frozen=True)
class SyntheticWorld:
    """The hidden state behind a synthetic dataset. Arrays are indexed densely (0..n-1)."""

    config: GeneratorConfig
    topic_prevalence: FloatArray
    # users
    user_ids: NDArray[np.uint32]
    user_interest: FloatArray  # (U, T), rows sum to 1
    user_activity: FloatArray  # mean impressions a week
    user_propensity: FloatArray  # engagement bias on the affinity scale
    user_favourite_authors: IntArray  # (U, 3), -1 = no author in that slot
    user_n_favourite_authors: IntArray
    user_platforms: IntArray  # (U, 2): primary, secondary
    user_agents: IntArray  # (U, 2)
    user_primary_share: FloatArray
    user_place_mix: FloatArray  # (U, 24), rows sum to 1
    user_age: NDArray[np.uint8]
    user_gender: NDArray[np.uint8]
    user_geo: NDArray[np.uint8]
    # authors
    author_ids: NDArray[np.uint32]
    author_topics: FloatArray  # (A, T)
    author_quality: FloatArray
    # items
    item_ids: NDArray[np.uint32]
    item_author: IntArray
    item_release_week: IntArray  # -3..n_weeks-1
    item_topics: FloatArray  # (N, T), rows sum to 1
    item_main_topic: IntArray
    item_duration: NDArray[np.uint8]
    item_quality: FloatArray
    item_popularity: FloatArray
    item_embedding: NDArray[np.float16]  # (N, 64)
    place_effect: FloatArray

    @property
    def user_top_topic(self) -> IntArray:
        """Each user's strongest topic."""
        return np.argmax(self.user_interest, axis=1).astype(np.int64)


# --- small vectorised helpers -------------------------------------------------------------------------


class _GroupedSampler:
    """Draw one element per query from a chosen group with probability ∝ weight within the group.

    All groups share one sorted key array ``group + cdf_within_group``, so a batch of draws from
    different groups is a single ``np.searchsorted``.
    """

    def __init__(self, group: IntArray, weights: FloatArray, n_groups: int) -> None:
        order = np.argsort(group, kind="stable")
        sorted_group = group[order]
        sorted_weights = np.asarray(weights, dtype=np.float64)[order]
        counts = np.bincount(sorted_group, minlength=n_groups)
        ends = np.cumsum(counts)
        starts = ends - counts
        padded = np.concatenate(([0.0], np.cumsum(sorted_weights)))
        base = padded[starts]
        totals = padded[ends] - base
        safe_totals = np.where(totals > 0, totals, 1.0)
        within = (padded[1:] - base[sorted_group]) / safe_totals[sorted_group]
        within = np.where(totals[sorted_group] > 0, np.minimum(within, 1.0), 1.0)
        self.keys: FloatArray = sorted_group.astype(np.float64) + within
        self.members: IntArray = order.astype(np.int64)
        self.starts: IntArray = starts.astype(np.int64)
        self.ends: IntArray = ends.astype(np.int64)
        self.totals: FloatArray = totals

    @classmethod
    def from_matrix(cls, weights: FloatArray) -> _GroupedSampler:
        """One group per row; the drawn member is the column index."""
        n_rows, n_cols = weights.shape
        group = np.repeat(np.arange(n_rows, dtype=np.int64), n_cols)
        sampler = cls(group, weights.reshape(-1), n_rows)
        sampler.members = sampler.members % n_cols
        return sampler

    @property
    def has_mass(self) -> NDArray[np.bool_]:
        return self.totals > 0

    def sample(self, groups: IntArray, uniforms: FloatArray) -> IntArray:
        """Member drawn for each query; groups must have positive mass."""
        idx = np.searchsorted(self.keys, groups.astype(np.float64) + uniforms, side="right")
        idx = np.clip(idx, self.starts[groups], self.ends[groups] - 1)
        return self.members[idx]


def _sigmoid(x: FloatArray) -> FloatArray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _sparse_ids(rng: np.random.Generator, n: int, id_range: tuple[int, int]) -> NDArray[np.uint32]:
    """n distinct random ids in [low, high), in random order (never 0)."""
    low, high = id_range
    return (rng.choice(high - low, size=n, replace=False) + low).astype(np.uint32)


def _top_k_weighted(rng: np.random.Generator, log_weights: FloatArray, n_rows: int, k: int) -> IntArray:
    """k distinct categories per row drawn ∝ exp(log_weights) without replacement (Gumbel top-k)."""
    keys = log_weights[None, :] + rng.gumbel(size=(n_rows, log_weights.size))
    return np.argsort(-keys, axis=1, kind="stable")[:, :k].astype(np.int64)


def _isin_sorted(sorted_keys: NDArray[np.uint64], keys: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Whether each key occurs in ``sorted_keys`` (sorted ascending)."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[pos] == keys


def _categorical(rng: np.random.Generator, probabilities: FloatArray, size: int) -> IntArray:
    cdf = np.cumsum(probabilities)
    cdf /= cdf[-1]
    idx = np.searchsorted(cdf, rng.random(size), side="right")
    return np.minimum(idx, probabilities.size - 1).astype(np.int64)


# --- the world ----------------------------------------------------------------------------------------


def _item_embeddings(
    rng: np.random.Generator,
    item_topics: FloatArray,
    item_author: IntArray,
    topic_latent: FloatArray,
    author_style: FloatArray,
) -> NDArray[np.float16]:
    """Content embedding: topic latent + author and item style, mapped non-linearly, ordered by variance."""
    n_items = item_topics.shape[0]
    latent = (
        item_topics @ topic_latent
        + author_style[item_author]
        + rng.normal(0.0, 0.45, size=(n_items, LATENT_DIM))
    )
    w1 = rng.normal(size=(LATENT_DIM, EMBEDDING_DIM)) / np.sqrt(LATENT_DIM)
    w2 = rng.normal(size=(EMBEDDING_DIM, EMBEDDING_DIM)) / np.sqrt(EMBEDDING_DIM)
    signal = np.tanh(latent @ w1) @ w2
    signal -= signal.mean(axis=0)
    eigval, eigvec = np.linalg.eigh(signal.T @ signal / max(n_items, 1))
    components = signal @ eigvec[:, np.argsort(-eigval, kind="stable")]
    components /= components.std(axis=0) + 1e-9
    k = np.arange(EMBEDDING_DIM, dtype=np.float64)
    signal_share = 0.97 - 0.8 * k / (EMBEDDING_DIM - 1)  # noise grows with the component index
    variance = np.exp(-k / 20.0)  # total variance decreases with the component index
    noise = rng.normal(size=(n_items, EMBEDDING_DIM))
    emb = np.sqrt(signal_share) * components + np.sqrt(1.0 - signal_share) * noise
    emb = (emb - emb.mean(axis=0)) / (emb.std(axis=0) + 1e-9) * np.sqrt(variance)
    return emb.astype(np.float16)


def build_world(config: GeneratorConfig) -> SyntheticWorld:
    """The hidden users, authors and items of a synthetic dataset (deterministic in ``config``)."""
    rng = np.random.default_rng([config.seed, 0])
    n_topics, n_users, n_authors, n_items = (
        config.n_topics,
        config.n_users,
        config.n_authors,
        config.n_items,
    )

    # Topics: unequal prevalence, a latent centroid each, weak demographic leanings, duration scale.
    topic_prevalence = 1.0 / np.arange(1, n_topics + 1) ** 0.7
    topic_prevalence = topic_prevalence[rng.permutation(n_topics)]
    topic_prevalence /= topic_prevalence.sum()
    log_prevalence = np.log(topic_prevalence)
    topic_latent = rng.normal(size=(n_topics, LATENT_DIM))
    topic_age = rng.normal(size=n_topics)
    topic_gender = rng.normal(0.0, 1.2, size=n_topics)
    topic_log_duration = rng.normal(np.log(24.0), 0.35, size=n_topics)

    # Authors: 1-2 favourite topics, quality, productivity, a visual style.
    author_ids = _sparse_ids(rng, n_authors, AUTHOR_ID_RANGE)
    k_author = min(2, n_topics)
    author_fav = _top_k_weighted(rng, log_prevalence, n_authors, k_author)
    first_share = np.where(rng.random(n_authors) < 0.5, 1.0, rng.uniform(0.55, 0.85, n_authors))
    author_topics = np.zeros((n_authors, n_topics))
    rows = np.arange(n_authors)
    author_topics[rows, author_fav[:, 0]] = first_share
    if k_author > 1:
        author_topics[rows, author_fav[:, 1]] += 1.0 - first_share
    author_quality = rng.normal(size=n_authors)
    author_productivity = rng.lognormal(0.0, 1.0, size=n_authors)
    author_style = rng.normal(0.0, 0.35, size=(n_authors, LATENT_DIM))

    # Items, densely indexed by release week: items_per_week per week from week -BACKLOG_WEEKS on.
    item_ids = _sparse_ids(rng, n_items, ITEM_ID_RANGE)
    item_release_week = (np.arange(n_items, dtype=np.int64) // config.items_per_week - BACKLOG_WEEKS).astype(
        np.int64
    )
    item_author = _categorical(rng, author_productivity / author_productivity.sum(), n_items)
    author_topic_sampler = _GroupedSampler.from_matrix(author_topics)
    from_author = author_topic_sampler.sample(item_author, rng.random(n_items))
    from_prevalence = _categorical(rng, topic_prevalence, n_items)
    item_main_topic = np.where(rng.random(n_items) < 0.85, from_author, from_prevalence)
    dominant_share = rng.uniform(0.6, 0.9, size=n_items)
    item_topics = rng.dirichlet(np.full(n_topics, 0.3), size=n_items) * (1.0 - dominant_share)[:, None]
    item_topics[np.arange(n_items), item_main_topic] += dominant_share
    log_duration = topic_log_duration[item_main_topic] + rng.normal(0.0, 0.7, size=n_items)
    item_duration = np.clip(np.rint(np.exp(log_duration)), 5, 180).astype(np.uint8)
    item_quality = rng.normal(size=n_items)
    item_popularity = np.exp(
        0.4 * item_quality + 0.3 * author_quality[item_author] + rng.normal(0.0, 0.35, size=n_items)
    )
    item_embedding = _item_embeddings(rng, item_topics, item_author, topic_latent, author_style)

    # Users: sparse interests (1-3 main topics ∝ prevalence + a thin spread over all topics).
    user_ids = _sparse_ids(rng, n_users, USER_ID_RANGE)
    k_max = min(3, n_topics)
    main_topics = _top_k_weighted(rng, log_prevalence, n_users, k_max)
    n_main = np.minimum(_categorical(rng, np.array([0.45, 0.35, 0.2]), n_users) + 1, k_max)
    main_weights = rng.gamma(2.0, size=(n_users, k_max)) * (np.arange(k_max)[None, :] < n_main[:, None])
    main_weights /= main_weights.sum(axis=1, keepdims=True)
    user_interest = 0.15 * rng.dirichlet(np.full(n_topics, 0.2), size=n_users)
    np.add.at(
        user_interest,
        (np.repeat(np.arange(n_users), k_max), main_topics.reshape(-1)),
        0.85 * main_weights.reshape(-1),
    )
    sigma = config.activity_sigma
    mu = np.log(config.mean_impressions_per_user_week) - 0.5 * sigma**2
    user_activity = np.minimum(
        rng.lognormal(mu, sigma, size=n_users), 25.0 * config.mean_impressions_per_user_week
    )
    user_propensity = rng.normal(0.0, 0.5, size=n_users)

    # Favourite authors: pick one of the user's topics, then an author of that topic (∝ quality).
    topic_author_weights = author_topics.T * np.exp(0.5 * author_quality)[None, :]
    topic_author_weights += 1e-6  # every topic has some author
    topic_author_sampler = _GroupedSampler.from_matrix(topic_author_weights)
    interest_sampler = _GroupedSampler.from_matrix(user_interest)
    slot_users = np.repeat(np.arange(n_users), MAX_FAVOURITE_AUTHORS)
    slot_topics = interest_sampler.sample(slot_users, rng.random(slot_users.size))
    favourites = topic_author_sampler.sample(slot_topics, rng.random(slot_users.size))
    favourites = favourites.reshape(n_users, MAX_FAVOURITE_AUTHORS)
    user_n_favourite_authors = _categorical(rng, np.array([0.4, 0.35, 0.25]), n_users) + 1
    unused = np.arange(MAX_FAVOURITE_AUTHORS)[None, :] >= user_n_favourite_authors[:, None]
    user_favourite_authors = np.where(unused, -1, favourites).astype(np.int64)

    # Devices: a primary and a secondary platform, each with an agent of that platform.
    platform_prob = np.array([0.52, 0.26, 0.1, 0.04, 0.03, 0.02, 0.012, 0.008, 0.005, 0.003, 0.002])
    platform_prob /= platform_prob.sum()
    agent_platform = np.concatenate(
        (np.arange(N_PLATFORMS), _categorical(rng, platform_prob, N_AGENTS - N_PLATFORMS))
    )
    agent_weights = np.zeros((N_PLATFORMS, N_AGENTS))
    agent_weights[agent_platform, np.arange(N_AGENTS)] = rng.lognormal(0.0, 1.0, size=N_AGENTS)
    agent_sampler = _GroupedSampler.from_matrix(agent_weights)
    user_platforms = _categorical(rng, platform_prob, 2 * n_users).reshape(n_users, 2)
    user_agents = agent_sampler.sample(user_platforms.reshape(-1), rng.random(2 * n_users)).reshape(
        n_users, 2
    )
    user_primary_share = rng.beta(9.0, 1.5, size=n_users)

    # Places: a global mix (feed first), each user with their own mix around it.
    place_tail = 0.75 ** np.arange(N_PLACES - 4)
    place_prob = np.concatenate(([0.55, 0.15, 0.08, 0.05], 0.17 * place_tail / place_tail.sum()))
    user_place_mix = rng.dirichlet(place_prob * 8.0 + 1e-3, size=n_users)
    place_effect = rng.normal(0.0, 0.3, size=N_PLACES)
    place_effect[0] = 0.0

    # Demographics, weakly tied to topics.
    age = 33.0 + 7.0 * (user_interest @ topic_age) + rng.normal(0.0, 10.0, size=n_users)
    user_age = np.clip(np.rint(age), 18, 70).astype(np.uint8)
    female = rng.random(n_users) < _sigmoid(user_interest @ topic_gender)
    user_gender = np.where(rng.random(n_users) < 0.04, 0, np.where(female, 2, 1)).astype(np.uint8)
    geo_prob = 1.0 / np.arange(1, 81) ** 1.1
    user_geo = _categorical(rng, geo_prob / geo_prob.sum(), n_users).astype(np.uint8)

    return SyntheticWorld(
        config=config,
        topic_prevalence=topic_prevalence,
        user_ids=user_ids,
        user_interest=user_interest,
        user_activity=user_activity,
        user_propensity=user_propensity,
        user_favourite_authors=user_favourite_authors,
        user_n_favourite_authors=user_n_favourite_authors.astype(np.int64),
        user_platforms=user_platforms,
        user_agents=user_agents,
        user_primary_share=user_primary_share,
        user_place_mix=user_place_mix,
        user_age=user_age,
        user_gender=user_gender,
        user_geo=user_geo,
        author_ids=author_ids,
        author_topics=author_topics,
        author_quality=author_quality,
        item_ids=item_ids,
        item_author=item_author,
        item_release_week=item_release_week,
        item_topics=item_topics,
        item_main_topic=item_main_topic.astype(np.int64),
        item_duration=item_duration,
        item_quality=item_quality,
        item_popularity=item_popularity,
        item_embedding=item_embedding,
        place_effect=place_effect,
    )


# --- one week of impressions --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Impressions:
    """One week's deduplicated impressions in chronological order, with their affinity inputs."""

    user: IntArray
    item: IntArray
    place: IntArray
    platform: IntArray
    agent: IntArray
    favourite_author: NDArray[np.bool_]
    affinity: FloatArray  # per impression, noise included


@dataclass(frozen=True)
class _Calibration:
    intercepts: Mapping[str, float]
    watch_offset: float


class _Simulator:
    """Draws impressions week by week, never repeating a (user, item) pair."""

    def __init__(self, world: SyntheticWorld) -> None:
        self.world = world
        config = world.config
        self.n_users = config.n_users
        self.items_per_week = config.items_per_week
        # The interest of a user in an item, scaled so that the user's top topic is worth ~1.
        self.interest_scale = 1.0 / world.user_interest.max(axis=1)
        self.mean_popularity = float(world.item_popularity.mean())
        self.place_sampler = _GroupedSampler.from_matrix(world.user_place_mix)
        self.seen = np.empty(0, dtype=np.uint64)  # sorted keys item * n_users + user

    def available_items(self, week: int) -> tuple[IntArray, FloatArray]:
        """Items shown in ``week`` and their exposure weight (popularity * age decay).

        In its release week a clip also gets an exploration boost (a test audience whatever its
        popularity), so that almost every new clip reaches enough users to collect some feedback.
        """
        first = (week - (len(POPULARITY_DECAY) - 1) + BACKLOG_WEEKS) * self.items_per_week
        last = (week + 1 + BACKLOG_WEEKS) * self.items_per_week
        items = np.arange(max(first, 0), last, dtype=np.int64)
        age = week - self.world.item_release_week[items]
        popularity = self.world.item_popularity[items]
        popularity = popularity + (age == 0) * EXPLORATION_BOOST * self.mean_popularity
        return items, popularity * np.asarray(POPULARITY_DECAY)[age]

    def draw(self, week: int, rng: np.random.Generator, *, remember: bool = True) -> _Impressions:
        world = self.world
        n_topics = world.config.n_topics
        items, weights = self.available_items(week)

        # Exposure pools: group 0 = popularity, group 1 + t = popularity * topic-t weight.
        topic_weights = weights[:, None] * world.item_topics[items]
        pool_weights = np.concatenate((weights[None, :], topic_weights.T), axis=0)
        pool = _GroupedSampler.from_matrix(pool_weights)
        authors = world.item_author[items]
        author_pool = _GroupedSampler(authors, weights, world.config.n_authors)

        # Per-user mixture over sources: popularity, each topic, favourite authors.
        targeted = world.user_interest * pool.totals[1:][None, :]
        targeted *= TOPIC_EXPOSURE / targeted.sum(axis=1, keepdims=True)
        source_weights = np.concatenate(
            (
                np.full((self.n_users, 1), 1.0 - TOPIC_EXPOSURE - AUTHOR_EXPOSURE),
                targeted,
                np.full((self.n_users, 1), AUTHOR_EXPOSURE),
            ),
            axis=1,
        )
        sources = _GroupedSampler.from_matrix(source_weights)

        def draw_items(users: IntArray) -> IntArray:
            """One item per impression of ``users`` (draws are fastest when users are sorted)."""
            m = users.size
            source = sources.sample(users, rng.random(m))
            u_item = rng.random(m)
            item_local = np.empty(m, dtype=np.int64)
            from_pool = source <= n_topics
            item_local[from_pool] = pool.sample(source[from_pool], u_item[from_pool])
            fav_users = users[~from_pool]
            slot = np.minimum(
                (rng.random(fav_users.size) * world.user_n_favourite_authors[fav_users]).astype(np.int64),
                MAX_FAVOURITE_AUTHORS - 1,
            )
            fav_author = world.user_favourite_authors[fav_users, slot]
            has_items = author_pool.has_mass[fav_author]
            u_fav = u_item[~from_pool]
            fav_items = np.empty(fav_users.size, dtype=np.int64)
            fav_items[has_items] = author_pool.sample(fav_author[has_items], u_fav[has_items])
            fav_items[~has_items] = pool.sample(
                np.zeros(int(np.count_nonzero(~has_items)), dtype=np.int64), u_fav[~has_items]
            )
            item_local[~from_pool] = fav_items
            return items[item_local]

        # How many impressions each user gets this week. Items and places are drawn in user order
        # (sorted look-ups are fast), then the rows are shuffled into a random chronological order.
        weekly = world.user_activity * rng.gamma(4.0, 0.25, size=self.n_users)
        counts = rng.poisson(weekly)
        by_user = np.repeat(np.arange(self.n_users, dtype=np.int64), counts)
        item_by_user = draw_items(by_user)
        place_by_user = self.place_sampler.sample(by_user, rng.random(by_user.size))
        order = rng.permutation(by_user.size)
        user, item, place = by_user[order], item_by_user[order], place_by_user[order]

        # A (user, item) pair is shown once. Within the week the first impression of a pair is kept;
        # a later repeat, or a pair shown in an earlier week, is drawn again (the feed shows something
        # else) up to REDRAW_ROUNDS times, and dropped if it still repeats.
        n_users = np.uint64(self.n_users)
        key = item.astype(np.uint64) * n_users + user.astype(np.uint64)
        unique_keys, first_idx = np.unique(key, return_index=True)
        fresh = ~_isin_sorted(self.seen, unique_keys)
        keep = np.zeros(key.size, dtype=bool)
        keep[first_idx[fresh]] = True
        taken = np.sort(np.concatenate((self.seen, unique_keys)), kind="stable")  # seen or kept
        for _ in range(REDRAW_ROUNDS):
            redo = np.flatnonzero(~keep)
            if redo.size == 0:
                break
            redo = redo[np.argsort(user[redo], kind="stable")]
            item[redo] = draw_items(user[redo])
            redo_keys = item[redo].astype(np.uint64) * n_users + user[redo].astype(np.uint64)
            redo_unique, redo_first = np.unique(redo_keys, return_index=True)
            accepted = ~_isin_sorted(taken, redo_unique)
            keep[redo[redo_first[accepted]]] = True
            taken = np.sort(np.concatenate((taken, redo_unique[accepted])), kind="stable")
        user, item, place = user[keep], item[keep], place[keep]
        n = user.size
        if remember:
            oldest = np.uint64(max(int(items[0]), 0)) * n_users
            self.seen = taken[np.searchsorted(taken, oldest) :]

        # Context: the primary device most of the time.
        primary = rng.random(n) < world.user_primary_share[user]
        platform = np.where(primary, world.user_platforms[user, 0], world.user_platforms[user, 1])
        agent = np.where(primary, world.user_agents[user, 0], world.user_agents[user, 1])

        # Affinity of the impression (the topic match in chunks to bound memory).
        interest = np.empty(n)
        for lo in range(0, n, CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, n)
            interest[lo:hi] = np.einsum(
                "ij,ij->i", world.user_interest[user[lo:hi]], world.item_topics[item[lo:hi]]
            )
        author = world.item_author[item]
        is_favourite = (world.user_favourite_authors[user] == author[:, None]).any(axis=1)
        affinity = (
            W_TOPIC * interest * self.interest_scale[user]
            + W_FAVOURITE_AUTHOR * is_favourite
            + W_AUTHOR_QUALITY * world.author_quality[author]
            + W_ITEM_QUALITY * world.item_quality[item]
            + world.user_propensity[user]
            + world.place_effect[place]
            + rng.normal(0.0, IMPRESSION_NOISE, size=n)
        )
        return _Impressions(
            user=user,
            item=item,
            place=place,
            platform=platform,
            agent=agent,
            favourite_author=is_favourite,
            affinity=affinity,
        )


def _signal_logits(imp: _Impressions) -> dict[str, FloatArray]:
    """Logit of each signal without its intercept."""
    logits = {name: SIGNAL_SLOPES[name] * imp.affinity for name in SIGNALS}
    logits["click_on_author"] = logits["click_on_author"] + CLICK_ON_AUTHOR_FAVOURITE_BOOST * (
        imp.favourite_author
    )
    return logits


def _watch_time(
    imp: _Impressions, world: SyntheticWorld, offset: float, noise: FloatArray, rewatch: FloatArray
) -> FloatArray:
    """Seconds watched (before rounding and capping); ``rewatch`` is 0 or the extra share of a re-watch."""
    fraction = MAX_WATCH_FRACTION * _sigmoid(offset + 0.9 * imp.affinity + noise)
    return fraction * (1.0 + rewatch) * world.item_duration[imp.item]


def _draw_rewatch(rng: np.random.Generator, imp: _Impressions) -> FloatArray:
    again = rng.random(imp.affinity.size) < _sigmoid(imp.affinity - 3.0)
    return np.where(again, rng.uniform(0.3, 1.5, size=imp.affinity.size), 0.0)


def _bisect(target: float, mean_at: Callable[[float], float], low: float, high: float) -> float:
    """x in [low, high] with mean_at(x) ≈ target, for an increasing mean_at."""
    for _ in range(60):
        mid = 0.5 * (low + high)
        if mean_at(mid) < target:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def _calibrate(world: SyntheticWorld) -> _Calibration:
    """Intercepts and watch offset fitted on a pilot week drawn with its own random stream.

    The pilot simulates a few weeks in a row (so that repeats across weeks are drawn again, as in the
    real run) and fits on the last one.
    """
    config = world.config
    rng = np.random.default_rng([config.seed, 1])
    pilot_simulator = _Simulator(world)
    pilot_week = min(config.n_weeks - 1, 12)
    for week in range(max(pilot_week - PILOT_WARMUP_WEEKS, 0), pilot_week):
        pilot_simulator.draw(week, rng)
    pilot = pilot_simulator.draw(pilot_week, rng, remember=False)
    if pilot.user.size > PILOT_ROWS:
        pick = np.sort(rng.choice(pilot.user.size, size=PILOT_ROWS, replace=False))
        pilot = _Impressions(
            user=pilot.user[pick],
            item=pilot.item[pick],
            place=pilot.place[pick],
            platform=pilot.platform[pick],
            agent=pilot.agent[pick],
            favourite_author=pilot.favourite_author[pick],
            affinity=pilot.affinity[pick],
        )
    if pilot.user.size == 0:
        logit = {name: float(np.log(rate / (1.0 - rate))) for name, rate in TARGET_RATES.items()}
        return _Calibration(intercepts=logit, watch_offset=0.0)
    logits = _signal_logits(pilot)
    intercepts = {
        name: _bisect(
            TARGET_RATES[name],
            lambda b, x=logits[name]: float(_sigmoid(b + x).mean()),
            -40.0,
            40.0,
        )
        for name in SIGNALS
    }
    noise = rng.normal(size=pilot.user.size)
    rewatch = _draw_rewatch(rng, pilot)

    def mean_timespent(offset: float) -> float:
        seconds = _watch_time(pilot, world, offset, noise, rewatch)
        return float(np.minimum(np.rint(seconds), 255.0).mean())

    watch_offset = _bisect(TARGET_MEAN_TIMESPENT, mean_timespent, -20.0, 20.0)
    return _Calibration(intercepts=intercepts, watch_offset=watch_offset)


def _week_table(
    imp: _Impressions, world: SyntheticWorld, calibration: _Calibration, rng: np.random.Generator
) -> pa.Table:
    n = imp.user.size
    logits = _signal_logits(imp)
    signals = {
        name: rng.random(n) < _sigmoid(calibration.intercepts[name] + logits[name]) for name in SIGNALS
    }
    noise = rng.normal(size=n)
    rewatch = _draw_rewatch(rng, imp)
    seconds = _watch_time(imp, world, calibration.watch_offset, noise, rewatch)
    timespent = np.minimum(np.rint(seconds), 255.0).astype(np.uint8)
    columns: dict[str, NDArray[np.generic]] = {
        "user_id": world.user_ids[imp.user],
        "item_id": world.item_ids[imp.item],
        "place": imp.place.astype(np.uint8),
        "platform": imp.platform.astype(np.uint8),
        "agent": imp.agent.astype(np.uint8),
        "timespent": timespent,
        **signals,
    }
    return pa.Table.from_arrays(
        [pa.array(columns[field.name], type=field.type) for field in INTERACTIONS_SCHEMA],
        schema=INTERACTIONS_SCHEMA,
    )


# --- files --------------------------------------------------------------------------------------------


def split_of_week(week: int) -> str:
    """Hub folder of a week: train (0..24), validation (25) or test (26)."""
    if week == VALIDATION_WEEK:
        return "validation"
    if week == TEST_WEEK:
        return "test"
    return "train"


def week_path(root: Path, week: int) -> Path:
    """``<root>/interactions/<split>/week_XX.parquet``."""
    return root / "interactions" / split_of_week(week) / f"week_{week:02d}.parquet"


@contextmanager
def _atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the same directory; move it onto ``path`` only if the body succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_parquet(table: pa.Table, path: Path) -> None:
    with _atomic_target(path) as tmp:
        pq.write_table(table, tmp, compression=PARQUET_COMPRESSION)


def _write_npz(path: Path, arrays: Mapping[str, NDArray[np.generic]]) -> None:
    """Same format as ``np.savez`` (uncompressed zip of .npy) but with fixed zip timestamps."""
    with _atomic_target(path) as tmp, zipfile.ZipFile(tmp, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            with zf.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def _ranks(counts: IntArray, ids: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """1 = most interactions; ties broken by ascending id."""
    order = np.lexsort((ids, -counts))
    ranks = np.empty(ids.size, dtype=np.uint32)
    ranks[order] = np.arange(1, ids.size + 1, dtype=np.uint32)
    return ranks


def _remove_stale_outputs(out_dir: Path, weeks: range) -> None:
    """Drop the completion marker and week files this run will not rewrite (from an earlier run)."""
    (out_dir / "metadata" / "items_metadata.parquet").unlink(missing_ok=True)
    wanted = {week_path(out_dir, week) for week in weeks}
    for split in ("train", "validation", "test"):
        folder = out_dir / "interactions" / split
        if folder.is_dir():
            for path in folder.glob("week_[0-9][0-9].parquet"):
                if path not in wanted:
                    path.unlink()


def generate_dataset(
    out_dir: Path,
    *,
    n_users: int = 4000,
    n_authors: int = 300,
    items_per_week: int = 250,
    n_weeks: int = MAX_WEEKS,
    mean_impressions_per_user_week: float = 12.0,
    n_topics: int = 24,
    seed: int = 0,
    activity_sigma: float = 1.0,
) -> GenerationSummary:
    """Write a synthetic VK-LSVD into ``out_dir`` in the hub layout and return what was written.

    Weeks ``0..n_weeks-1`` are written (25 to ``validation/``, 26 to ``test/``, others to ``train/``);
    with fewer than 26 weeks those folders get no file. ``metadata/items_metadata.parquet`` is
    written last, so its presence means a complete dataset. The submission template lists the clips
    first seen in the last generated week (26 by default).
    """
    config = GeneratorConfig(
        n_users=n_users,
        n_authors=n_authors,
        items_per_week=items_per_week,
        n_weeks=n_weeks,
        mean_impressions_per_user_week=mean_impressions_per_user_week,
        n_topics=n_topics,
        seed=seed,
        activity_sigma=activity_sigma,
    )
    out_dir = Path(out_dir)
    world = build_world(config)
    simulator = _Simulator(world)
    calibration = _calibrate(world)
    weeks = range(config.n_weeks)
    _remove_stale_outputs(out_dir, weeks)

    user_train_counts = np.zeros(config.n_users, dtype=np.int64)
    item_train_counts = np.zeros(config.n_items, dtype=np.int64)
    never = np.iinfo(np.int64).max
    item_first_week = np.full(config.n_items, never, dtype=np.int64)
    signal_totals = dict.fromkeys(SIGNALS, 0)
    timespent_total = 0
    rows_per_week: list[int] = []
    files: list[Path] = []

    for week in weeks:
        rng = np.random.default_rng([config.seed, 100 + week])
        imp = simulator.draw(week, rng)
        table = _week_table(imp, world, calibration, rng)
        path = week_path(out_dir, week)
        _write_parquet(table, path)
        files.append(path)
        rows_per_week.append(table.num_rows)
        if week <= LAST_TRAIN_WEEK:
            user_train_counts += np.bincount(imp.user, minlength=config.n_users)
            item_train_counts += np.bincount(imp.item, minlength=config.n_items)
        shown = np.unique(imp.item)
        item_first_week[shown] = np.minimum(item_first_week[shown], week)
        for name in SIGNALS:
            signal_totals[name] += int(np.count_nonzero(table.column(name).to_numpy()))
        timespent_total += int(table.column("timespent").to_numpy().sum(dtype=np.int64))

    meta = out_dir / "metadata"
    user_order = np.argsort(world.user_ids, kind="stable")
    users = pa.table(
        {
            "user_id": world.user_ids[user_order],
            "age": world.user_age[user_order],
            "gender": world.user_gender[user_order],
            "geo": world.user_geo[user_order],
            "train_interactions_rank": _ranks(user_train_counts, world.user_ids)[user_order],
        },
        schema=USERS_METADATA_SCHEMA,
    )
    item_order = np.argsort(world.item_ids, kind="stable")
    items = pa.table(
        {
            "item_id": world.item_ids[item_order],
            "author_id": world.author_ids[world.item_author[item_order]],
            "duration": world.item_duration[item_order],
            "train_interactions_rank": _ranks(item_train_counts, world.item_ids)[item_order],
        },
        schema=ITEMS_METADATA_SCHEMA,
    )
    last_week = config.n_weeks - 1
    template_ids = np.sort(world.item_ids[item_first_week == last_week])
    submission = pa.table(
        {
            "item_id": pa.array(template_ids, type=pa.uint32()),
            "user_id": pa.array([[]] * template_ids.size, type=pa.list_(pa.uint32())),
        },
        schema=SUBMISSION_SCHEMA,
    )
    _write_parquet(users, meta / "users_metadata.parquet")
    _write_npz(
        meta / "item_embeddings.npz",
        {"item_id": world.item_ids[item_order], "embedding": world.item_embedding[item_order]},
    )
    _write_parquet(submission, meta / "submission.parquet")
    _write_parquet(items, meta / "items_metadata.parquet")  # last: marks a complete dataset
    files += [meta / name for name in ("users_metadata.parquet", "item_embeddings.npz", "submission.parquet")]
    files.append(meta / "items_metadata.parquet")

    total_rows = int(sum(rows_per_week))
    denominator = max(total_rows, 1)
    return GenerationSummary(
        out_dir=out_dir,
        n_users=config.n_users,
        n_items=config.n_items,
        n_authors=config.n_authors,
        rows_per_week=tuple(rows_per_week),
        total_rows=total_rows,
        rates={name: signal_totals[name] / denominator for name in SIGNALS},
        mean_timespent=timespent_total / denominator,
        n_validation_target_items=int(np.count_nonzero(item_first_week == VALIDATION_WEEK)),
        n_template_items=int(template_ids.size),
        files=tuple(files),
    )
