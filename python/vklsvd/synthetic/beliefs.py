"""What a model could know of the world before a week: the oracle's latent quantities, replaced one at a
time by what the dataset's earlier weeks reveal.

The oracle (:mod:`vklsvd.synthetic.oracle`) ranks a week's new clips' users by the generator's own
probabilities. It knows things no model can: how good and how popular a clip nobody has seen yet is,
each user's exact interests, activity, favourite authors and engagement propensity. Redrawing the week
from a *believed* world, where some of these are replaced by estimates from the earlier weeks' rows,
splits the gap between a model and the oracle by cause:

- ``new_clips``: the quality and popularity of the clips released in the week, at the mean of the clips
  released before (a cold clip's content and author are known, its reception is not). Nothing learnable
  is lost: the oracle under this belief is the realistic ceiling.
- ``activity``: each user's mean impressions a week, from the count of their earlier impressions.
- ``interests``: each user's topic mix, from the topics of the clips of their earlier positive
  impressions (the clips' topics taken as known: a model sees them only through the embeddings) with
  the population's mean mix as a prior of :data:`INTEREST_PRIOR_CLIPS` clips.
- ``favourite_authors``: the authors a user saw most often, among those they engaged with at least
  once and saw at least :data:`FAVOURITE_MIN_IMPRESSIONS` times (a favourite author's clips make a share
  of the feed that chance rarely gives another author); a user with no such author keeps the one they
  saw most, since the generator gives every user at least one favourite.
- ``propensity``: each user's engagement bias at the population mean (not estimated: the drop bounds
  what estimating it could be worth).

Each user quantity is estimated from the rows alone, as a simple feature would; where a ranker does
better, the decomposition overstates that cause.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vklsvd.errors import VklsvdError
from vklsvd.synthetic.config import MAX_FAVOURITE_AUTHORS, FloatArray, IntArray
from vklsvd.synthetic.world import SyntheticWorld

#: Pseudo-clips of the population's mean topic mix behind every user's estimated interests.
INTEREST_PRIOR_CLIPS = 3.0
#: Impressions of an author's clips below which a user's engagement with them is not taken for a
#: favourite.
FAVOURITE_MIN_IMPRESSIONS = 3
#: What can be replaced, in the order the decomposition reports them.
UNKNOWNS = ("new_clips", "activity", "interests", "favourite_authors", "propensity")


@dataclass
class History:
    """Per-user sums over the rows of the weeks before the target week, as the dataset has them."""

    weeks: int
    impressions: NDArray[np.int64]  # (U,)
    positive_topics: FloatArray  # (U, T): sum of the topic mixes of the clips of positive impressions
    positives: NDArray[np.int64]  # (U,)
    author_keys: NDArray[np.int64]  # sorted unique user * n_authors + author of every impression
    author_impressions: NDArray[np.int64]  # per key
    author_positives: NDArray[np.int64]  # per key

    @classmethod
    def empty(cls, world: SyntheticWorld) -> History:
        n_users, n_topics = world.user_interest.shape
        no_keys = np.empty(0, dtype=np.int64)
        return cls(
            0,
            np.zeros(n_users, np.int64),
            np.zeros((n_users, n_topics)),
            np.zeros(n_users, np.int64),
            no_keys,
            no_keys,
            no_keys,
        )

    def add_week(
        self, world: SyntheticWorld, user: IntArray, item: IntArray, positive: NDArray[np.bool_]
    ) -> None:
        """Count one week's impressions (dense user and item indexes) and which were positive."""
        n_users = self.impressions.size
        self.weeks += 1
        self.impressions += np.bincount(user, minlength=n_users)
        self.positives += np.bincount(user[positive], minlength=n_users)
        np.add.at(self.positive_topics, user[positive], world.item_topics[item[positive]])
        keys = user.astype(np.int64) * world.config.n_authors + world.item_author[item]
        keys = np.concatenate((self.author_keys, keys))
        unique, inverse = np.unique(keys, return_inverse=True)
        old = inverse[: self.author_keys.size]
        new = inverse[self.author_keys.size :]
        impressions = np.zeros(unique.size, np.int64)
        positives = np.zeros(unique.size, np.int64)
        np.add.at(impressions, old, self.author_impressions)
        np.add.at(positives, old, self.author_positives)
        impressions += np.bincount(new, minlength=unique.size)
        positives += np.bincount(new[positive], minlength=unique.size)
        self.author_keys, self.author_impressions, self.author_positives = unique, impressions, positives


def _new_clips_at_the_mean(world: SyntheticWorld, history: History, week: int) -> SyntheticWorld:
    new = world.item_release_week == week
    earlier = world.item_release_week < week
    quality = world.item_quality.copy()
    popularity = world.item_popularity.copy()
    quality[new] = world.item_quality[earlier].mean()
    popularity[new] = world.item_popularity[earlier].mean()
    return dataclasses.replace(world, item_quality=quality, item_popularity=popularity)


def _activity_from_impressions(world: SyntheticWorld, history: History, week: int) -> SyntheticWorld:
    return dataclasses.replace(world, user_activity=history.impressions / max(history.weeks, 1))


def _interests_from_positives(world: SyntheticWorld, history: History, week: int) -> SyntheticWorld:
    prior = world.user_interest.mean(axis=0)
    interest = (history.positive_topics + INTEREST_PRIOR_CLIPS * prior[None, :]) / (
        history.positives[:, None] + INTEREST_PRIOR_CLIPS
    )
    return dataclasses.replace(world, user_interest=interest)


def _most_seen(
    keys: NDArray[np.int64], seen: NDArray[np.int64], n_authors: int
) -> tuple[IntArray, IntArray, IntArray]:
    """(user, author, rank) of the (user, author) `keys`, ranked per user by `seen`, most first (ties:
    the smaller author)."""
    user, author = keys // n_authors, keys % n_authors
    order = np.lexsort((author, -seen, user))
    user, author = user[order], author[order]
    starts = np.flatnonzero(np.r_[True, user[1:] != user[:-1]])
    rank = np.arange(user.size) - np.repeat(starts, np.diff(np.r_[starts, user.size]))
    return user, author, rank


def _favourites_from_impressions(world: SyntheticWorld, history: History, week: int) -> SyntheticWorld:
    """The most seen authors a user engaged with; a user with none keeps the one author they saw most
    (the feed's author share has to go somewhere), and a user with no earlier impression the author seen
    most overall."""
    n_authors = world.config.n_authors
    n_users = world.user_favourite_authors.shape[0]
    favourites = np.full_like(world.user_favourite_authors, -1)
    overall = np.bincount(
        history.author_keys % n_authors, weights=history.author_impressions, minlength=n_authors
    )
    favourites[:, 0] = int(np.argmax(overall))
    user, author, rank = _most_seen(history.author_keys, history.author_impressions, n_authors)
    favourites[user[rank == 0], 0] = author[rank == 0]
    eligible = (history.author_positives > 0) & (history.author_impressions >= FAVOURITE_MIN_IMPRESSIONS)
    user, author, rank = _most_seen(
        history.author_keys[eligible], history.author_impressions[eligible], n_authors
    )
    keep = rank < MAX_FAVOURITE_AUTHORS
    favourites[user[keep], rank[keep]] = author[keep]
    counts = np.maximum(np.bincount(user[keep], minlength=n_users), 1)
    return dataclasses.replace(
        world,
        user_favourite_authors=favourites,
        user_n_favourite_authors=counts.astype(world.user_n_favourite_authors.dtype),
    )


def _propensity_at_the_mean(world: SyntheticWorld, history: History, week: int) -> SyntheticWorld:
    return dataclasses.replace(
        world, user_propensity=np.full_like(world.user_propensity, world.user_propensity.mean())
    )


_REPLACEMENTS = {
    "new_clips": _new_clips_at_the_mean,
    "activity": _activity_from_impressions,
    "interests": _interests_from_positives,
    "favourite_authors": _favourites_from_impressions,
    "propensity": _propensity_at_the_mean,
}


def believed_world(
    world: SyntheticWorld, history: History, week: int, unknown: Sequence[str]
) -> SyntheticWorld:
    """`world` with each quantity named in `unknown` replaced by what `history` (the weeks before
    `week`) reveals of it (see the module docstring)."""
    wrong = sorted(set(unknown) - set(UNKNOWNS))
    if wrong:
        raise VklsvdError(f"unknown quantities {wrong}; known: {list(UNKNOWNS)}")
    for name in UNKNOWNS:
        if name in unknown:
            world = _REPLACEMENTS[name](world, history, week)
    return world
