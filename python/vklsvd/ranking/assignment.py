"""Turn scored (clip, user) pairs into lists of exactly `list_size` distinct users per clip while no user
appears more than `capacity` times in the whole submission.

Greedy by score, done in vectorised rounds: every clip proposes its best remaining candidates for its
free slots; a user proposed more often than their spare capacity keeps only their best-scored proposals
and becomes full. Clips that lost proposals propose their next candidates in the next round. Clips whose
candidates run out are filled from `fill_users` (most active first), drawn at random among those with
spare capacity, with a fixed seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vklsvd.errors import VklsvdError
from vklsvd.ranking.expected_dcg import priced_gains
from vklsvd.segments import rank_within_sorted

#: Fill rounds at most: each round offers every short clip a fresh draw of spare users, so a handful
#: suffices unless the capacity is almost exhausted, and then the error below says what to change.
MAX_FILL_ROUNDS = 50
#: Up to this many spare users a round draws each clip's offers without replacement (a shuffle per
#: clip, clips x pool numbers); above it, with replacement, which is near enough and bounded in memory.
SHUFFLE_POOL_LIMIT = 4096


#: How a user wanted by more clips than their capacity allows is shared out: `score` gives them to the
#: clips where their score is highest (greedy by score: right when scores are comparable across clips);
#: `round_robin` to the clips that rank them highest (each clip picks its next best user in turn: right
#: when only the order within a clip means something); `expected_dcg` to the clips where they add the
#: most expected NDCG, the scores being calibrated probabilities (`vklsvd.ranking.expected_dcg`).
STRATEGIES = ("score", "round_robin", "expected_dcg")


def strategy_scores(
    item_id: np.ndarray,
    score: np.ndarray,
    strategy: str,
    *,
    user_id: np.ndarray | None = None,
    list_size: int | None = None,
    capacity: int | None = None,
    tiebreak: np.ndarray | None = None,
) -> np.ndarray:
    """The scores the greedy compares for `strategy`: the scores themselves; minus each pair's rank
    within its clip (1 = best, ties to the smaller row index) for round robin; for expected_dcg each
    pair's expected NDCG gain less its user's Lagrangian price (`score` = probabilities; needs
    `user_id`, `list_size`, `capacity`; `tiebreak`, the raw scores, decides equal priced gains while
    the prices are found, as it does in the assignment)."""
    if strategy == "score":
        return score.astype(np.float64)
    if strategy == "expected_dcg":
        if user_id is None or list_size is None or capacity is None:
            raise VklsvdError("the expected_dcg strategy needs the pairs' user ids, list_size and capacity")
        return priced_gains(
            item_id, user_id, score, list_size=list_size, capacity=capacity, tiebreak=tiebreak
        )
    if strategy == "round_robin":
        order = np.lexsort((np.arange(score.size), -score, item_id))
        rank = np.empty(score.size, dtype=np.float64)
        rank[order] = rank_within_sorted(item_id[order]) + 1
        return -rank
    raise VklsvdError(f"unknown assignment strategy {strategy!r}; use one of {list(STRATEGIES)}")


@dataclass(frozen=True)
class Assignment:
    item_id: np.ndarray  # uint32, one row per slot
    user_id: np.ndarray  # uint32
    position: np.ndarray  # int32, 1..list_size within the clip, best first
    from_candidates: np.ndarray  # bool, False for slots filled from `fill_users`


def _greedy_rounds(
    item_idx: np.ndarray,
    user_idx: np.ndarray,
    score: np.ndarray,
    tiebreak: np.ndarray,
    need: np.ndarray,
    spare: np.ndarray,
    taken: np.ndarray,
) -> np.ndarray:
    """Accept pairs greedily (by score, equal scores by `tiebreak`); updates `need`/`spare` in place and
    returns a mask of accepted pairs.

    `taken` marks pairs that must be skipped (the user is already in that clip's list).
    """
    order = np.lexsort((user_idx, -tiebreak, -score, item_idx))
    item_idx, user_idx, score, tiebreak = item_idx[order], user_idx[order], score[order], tiebreak[order]
    active = ~taken[order]
    accepted = np.zeros(order.size, dtype=bool)
    while True:
        active &= (need[item_idx] > 0) & (spare[user_idx] > 0)
        live = np.flatnonzero(active)
        if live.size == 0:
            break
        proposal = live[rank_within_sorted(item_idx[live]) < need[item_idx[live]]]
        # each proposed user keeps the proposals with the best scores, up to their spare capacity
        by_user = proposal[
            np.lexsort((item_idx[proposal], -tiebreak[proposal], -score[proposal], user_idx[proposal]))
        ]
        keep = by_user[rank_within_sorted(user_idx[by_user]) < spare[user_idx[by_user]]]
        accepted[keep] = True
        active[keep] = False
        np.subtract.at(need, item_idx[keep], 1)
        np.subtract.at(spare, user_idx[keep], 1)
    result = np.zeros(order.size, dtype=bool)
    result[order] = accepted
    return result


def assign_with_capacity(
    target_clips: np.ndarray,
    item_id: np.ndarray,
    user_id: np.ndarray,
    score: np.ndarray,
    fill_users: np.ndarray,
    *,
    list_size: int,
    capacity: int,
    seed: int,
    position_score: np.ndarray | None = None,
    tiebreak: np.ndarray | None = None,
) -> Assignment:
    """Assign users to every clip of `target_clips`; see the module docstring for the rule. A clip's
    users are ordered by `position_score` (default: `score`), so a selection made on priced gains can
    still list each clip's users by their probability. Equal scores, in the selection and in the order,
    are decided by `tiebreak` (higher first; e.g. the raw ranker score behind a calibrated probability,
    whose isotonic map is flat over whole score ranges), then by user id."""
    target_clips = np.unique(target_clips.astype(np.uint32))
    fill_users = fill_users.astype(np.uint32)
    all_users = np.unique(np.concatenate([user_id.astype(np.uint32), fill_users]))
    if target_clips.size and (
        all_users.size < list_size or all_users.size * capacity < target_clips.size * list_size
    ):
        raise VklsvdError(
            f"cannot fill {target_clips.size} clips with {list_size} distinct users each: only "
            f"{all_users.size} users with capacity {capacity}; use more users (a larger subsample) or fewer "
            "target clips"
        )
    in_target = np.isin(item_id, target_clips)
    item_idx = np.searchsorted(target_clips, item_id[in_target])
    user_idx = np.searchsorted(all_users, user_id[in_target].astype(np.uint32))
    pair_score = score[in_target].astype(np.float64)
    pair_position = (score if position_score is None else position_score)[in_target].astype(np.float64)
    pair_tiebreak = (np.zeros(score.size) if tiebreak is None else tiebreak)[in_target].astype(np.float64)
    # duplicates of a (clip, user) pair keep their best score
    key = item_idx.astype(np.int64) * all_users.size + user_idx
    order = np.lexsort((-pair_tiebreak, -pair_score, key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    item_idx, user_idx = item_idx[order][first], user_idx[order][first]
    pair_score, pair_position = pair_score[order][first], pair_position[order][first]
    pair_tiebreak = pair_tiebreak[order][first]

    need = np.full(target_clips.size, list_size, dtype=np.int64)
    spare = np.full(all_users.size, capacity, dtype=np.int64)
    accepted = _greedy_rounds(
        item_idx, user_idx, pair_score, pair_tiebreak, need, spare, np.zeros(item_idx.size, dtype=bool)
    )
    slots_item = [item_idx[accepted]]
    slots_user = [user_idx[accepted]]
    slots_score = [pair_position[accepted]]
    slots_tiebreak = [pair_tiebreak[accepted]]
    slots_from_candidates = [np.ones(int(accepted.sum()), dtype=bool)]

    fill_idx = np.searchsorted(all_users, fill_users)
    rng = np.random.default_rng(seed)
    for _ in range(MAX_FILL_ROUNDS):
        needy = np.flatnonzero(need > 0)
        if needy.size == 0:
            break
        pool = fill_idx[spare[fill_idx] > 0]
        if pool.size == 0:
            pool = np.flatnonzero(spare > 0)
        draws = int(min(pool.size, 2 * need.max() + list_size))
        if pool.size <= SHUFFLE_POOL_LIMIT:
            picks = np.argsort(rng.random((needy.size, pool.size)), axis=1)[:, :draws]
        else:
            picks = rng.integers(0, pool.size, size=(needy.size, draws))
        cand_item = np.repeat(needy, draws)
        cand_user = pool[picks].reshape(-1)
        # earlier fill users (more active) rank first; the random draw only decides who is offered
        cand_score = -picks.reshape(-1).astype(np.float64)
        existing = np.concatenate(slots_item).astype(np.int64) * all_users.size + np.concatenate(slots_user)
        cand_key = cand_item.astype(np.int64) * all_users.size + cand_user
        cand_key, unique_rows = np.unique(cand_key, return_index=True)
        cand_item, cand_user, cand_score = (
            cand_item[unique_rows],
            cand_user[unique_rows],
            cand_score[unique_rows],
        )
        no_tiebreak = np.zeros(cand_score.size)
        got = _greedy_rounds(
            cand_item, cand_user, cand_score, no_tiebreak, need, spare, np.isin(cand_key, existing)
        )
        slots_item.append(cand_item[got])
        slots_user.append(cand_user[got])
        slots_score.append(cand_score[got])
        slots_tiebreak.append(no_tiebreak[got])
        slots_from_candidates.append(np.zeros(int(got.sum()), dtype=bool))
    if (need > 0).any():
        raise VklsvdError(
            f"{int((need > 0).sum())} clips could not be filled with {list_size} users under capacity "
            f"{capacity}; add more users (fill_users) or lower list_size"
        )

    all_item = np.concatenate(slots_item)
    all_user = np.concatenate(slots_user)
    all_score = np.concatenate(slots_score)
    all_tiebreak = np.concatenate(slots_tiebreak)
    from_candidates = np.concatenate(slots_from_candidates)
    order = np.lexsort((all_users[all_user], -all_tiebreak, -all_score, ~from_candidates, all_item))
    all_item, all_user, from_candidates = all_item[order], all_user[order], from_candidates[order]
    return Assignment(
        item_id=target_clips[all_item],
        user_id=all_users[all_user],
        position=(rank_within_sorted(all_item) + 1).astype(np.int32),
        from_candidates=from_candidates,
    )


def assign_by_strategy(
    target_clips: np.ndarray,
    item_id: np.ndarray,
    user_id: np.ndarray,
    score: np.ndarray,
    fill_users: np.ndarray,
    strategy: str,
    *,
    list_size: int,
    capacity: int,
    seed: int,
    probability: np.ndarray | None = None,
) -> Assignment:
    """The lists of scored pairs assigned by `strategy` (STRATEGIES) under the capacity. expected_dcg
    selects and orders by the calibrated `probability` and breaks its ties (the isotonic calibration is
    flat over whole score ranges) by the raw `score`; the others use `score` alone."""
    calibrated = strategy == "expected_dcg"
    if calibrated and probability is None:
        raise VklsvdError("the expected_dcg strategy needs the pairs' calibrated probabilities")
    values = probability if calibrated and probability is not None else score
    raw = score if calibrated else None
    compared = strategy_scores(
        item_id, values, strategy, user_id=user_id, list_size=list_size, capacity=capacity, tiebreak=raw
    )
    return assign_with_capacity(
        target_clips,
        item_id,
        user_id,
        compared,
        fill_users,
        list_size=list_size,
        capacity=capacity,
        seed=seed,
        position_score=values if calibrated else None,
        tiebreak=raw,
    )
