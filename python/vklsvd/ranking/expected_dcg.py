"""Expected NDCG gains and Lagrangian user prices: the assignment that maximises the metric.

With p(u, c) the calibrated probability that user u engages with clip c, a list's expected DCG / IDCG
(binary gains) is the sum of p over its users, discounted by position, over IDCG_c: the ideal DCG of
the clip's expected number of relevant users (sum of p over its candidates, rounded, 1..list_size).
Lists are ordered by p, so which users a clip gets is the decision; a user taken out of a list moves
the users below them up, so what the clip loses is close to p(u, c) / IDCG_c, not p times the discount
of u's own position. That is a pair's gain: a user is worth more to a clip with few likely users than
to one with many.

The capacity couples the clips. Its Lagrangian relaxation gives every user a price: each clip takes its
list_size best pairs by gain minus the user's price, and the prices of users taken by more than
`capacity` clips rise (those under it fall back towards 0) by a subgradient step that shrinks with the
iterations. The greedy capacity assignment then runs on the priced gains, so the cap holds exactly, and
a user wanted by too many clips goes where they add the most expected NDCG rather than where their raw
score is highest; each list is then ordered by p, equal p by the raw score behind it.
"""

from __future__ import annotations

import numpy as np

from vklsvd.ranking.metrics import ideal_dcg
from vklsvd.segments import rank_within_sorted

#: Subgradient iterations; the step shrinks as 1 / (1 + t), so the prices settle well within this.
PRICE_ITERATIONS = 40


def expected_gains(item_id: np.ndarray, probability: np.ndarray, list_size: int) -> np.ndarray:
    """Each pair's expected NDCG gain p(u, c) / IDCG_c (IDCG of the clip's expected relevant users)."""
    _, group = np.unique(item_id, return_inverse=True)
    expected_relevant = np.bincount(group, weights=probability)
    n_relevant = np.clip(np.rint(expected_relevant), 1, list_size).astype(np.int64)
    return probability / ideal_dcg(n_relevant, list_size)[group]


def user_prices(
    item_id: np.ndarray,
    user_id: np.ndarray,
    gains: np.ndarray,
    *,
    list_size: int,
    capacity: int,
    iterations: int = PRICE_ITERATIONS,
    tiebreak: np.ndarray | None = None,
) -> np.ndarray:
    """The price of each pair's user (one value per pair) after `iterations` subgradient steps. Where
    priced gains tie within a clip, the larger `tiebreak` (the raw score) is chosen first, then the row
    order: the same rule as the greedy assignment that runs on these prices."""
    users, user_index = np.unique(user_id, return_inverse=True)
    prices = np.zeros(users.size)
    positive = gains[gains > 0]
    if positive.size == 0:
        return prices[user_index]
    step = float(np.mean(positive)) / capacity  # a price moves by about one mean gain per cap overload
    secondary = np.zeros(gains.size) if tiebreak is None else -np.asarray(tiebreak, dtype=np.float64)
    by_item = np.lexsort((np.arange(gains.size), secondary, item_id))
    items_sorted = item_id[by_item]
    for iteration in range(iterations):
        priced = gains - prices[user_index]
        order = by_item[np.lexsort((-priced[by_item], items_sorted))]
        chosen = order[(rank_within_sorted(item_id[order]) < list_size) & (priced[order] > 0)]
        load = np.bincount(user_index[chosen], minlength=users.size)
        prices = np.maximum(0.0, prices + step / (1.0 + iteration) * (load - capacity))
    return prices[user_index]


def priced_gains(
    item_id: np.ndarray,
    user_id: np.ndarray,
    probability: np.ndarray,
    *,
    list_size: int,
    capacity: int,
    iterations: int = PRICE_ITERATIONS,
    tiebreak: np.ndarray | None = None,
) -> np.ndarray:
    """Expected NDCG gain less the user's Lagrangian price, for every pair: the scores on which the
    greedy capacity assignment maximises the expected metric (`tiebreak`: see user_prices)."""
    gains = expected_gains(item_id, probability.astype(np.float64), list_size)
    prices = user_prices(
        item_id,
        user_id,
        gains,
        list_size=list_size,
        capacity=capacity,
        iterations=iterations,
        tiebreak=tiebreak,
    )
    return gains - prices
