"""One week of impressions at a time: exposure, feedback signals and watch time, calibrated on a pilot."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from vklsvd.constants import INTERACTIONS_SCHEMA, SIGNALS
from vklsvd.synthetic.config import (
    BACKLOG_WEEKS,
    CHUNK_ROWS,
    CLICK_ON_AUTHOR_FAVOURITE_BOOST,
    EXPLORATION_BOOST,
    IMPRESSION_NOISE,
    MAX_FAVOURITE_AUTHORS,
    MAX_WATCH_FRACTION,
    PILOT_ROWS,
    PILOT_WARMUP_WEEKS,
    POPULARITY_DECAY,
    REDRAW_ROUNDS,
    SIGNAL_SLOPES,
    TARGET_MEAN_TIMESPENT,
    TARGET_RATES,
    TOPIC_EXPOSURE,
    W_AUTHOR_QUALITY,
    W_ITEM_QUALITY,
    W_TOPIC,
    FloatArray,
    IntArray,
)
from vklsvd.synthetic.world import SyntheticWorld, _GroupedSampler, _isin_sorted, _sigmoid

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
                np.full((self.n_users, 1), 1.0 - TOPIC_EXPOSURE - world.config.author_exposure),
                targeted,
                np.full((self.n_users, 1), world.config.author_exposure),
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
            + world.config.favourite_author_weight * is_favourite
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


def _signal_probabilities(imp: _Impressions, calibration: _Calibration) -> dict[str, FloatArray]:
    """Probability of each signal of every impression given its affinity; signals are drawn independently."""
    logits = _signal_logits(imp)
    return {name: _sigmoid(calibration.intercepts[name] + logits[name]) for name in SIGNALS}


def _watch_time(
    imp: _Impressions, world: SyntheticWorld, offset: float, noise: FloatArray, rewatch: FloatArray
) -> FloatArray:
    """Seconds watched (before rounding and capping); ``rewatch`` is 0 or the extra share of a re-watch."""
    fraction = MAX_WATCH_FRACTION * _sigmoid(offset + 0.9 * imp.affinity + noise)
    return fraction * (1.0 + rewatch) * world.item_duration[imp.item]


def _draw_rewatch(rng: np.random.Generator, imp: _Impressions) -> FloatArray:
    again = rng.random(imp.affinity.size) < _sigmoid(imp.affinity - 3.0)
    return np.where(again, rng.uniform(0.3, 1.5, size=imp.affinity.size), 0.0)


def _mean_rate_at(logits: NDArray[np.float64]) -> Callable[[float], float]:
    """The mean signal rate as a function of the intercept added to `logits`."""
    return lambda intercept: float(_sigmoid(intercept + logits).mean())


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
            _mean_rate_at(logits[name]),
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
    probabilities = _signal_probabilities(imp, calibration)
    signals = {name: rng.random(n) < probabilities[name] for name in SIGNALS}
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
