"""The hidden world behind a synthetic dataset: topics, authors, items, users and their embeddings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vklsvd.constants import EMBEDDING_DIM
from vklsvd.synthetic.config import (
    AUTHOR_ID_RANGE,
    BACKLOG_WEEKS,
    ITEM_ID_RANGE,
    LATENT_DIM,
    MAX_FAVOURITE_AUTHORS,
    N_AGENTS,
    N_PLACES,
    N_PLATFORMS,
    USER_ID_RANGE,
    FloatArray,
    GeneratorConfig,
    IntArray,
)


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
    topic_prevalence: FloatArray = 1.0 / np.arange(1, n_topics + 1, dtype=np.float64) ** 0.7
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
