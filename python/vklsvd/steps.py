"""Arrow-in, Arrow-out entry points called by the thin dbt Python models under models/ml/.

Each function converts its inputs to numpy, calls one algorithm of the package and returns an Arrow
table with explicit types, so a dbt Python model is a few lines.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from vklsvd.arrow_io import column, vector_array, vectors
from vklsvd.assignment import assign_with_capacity
from vklsvd.profiles import weighted_mean_profiles
from vklsvd.retrieval import exact_top_k

PROFILE_WEIGHTS = {
    # kind -> how much each history event counts
    "watched": "watch_fraction",
    "positive": "is_positive",
    "negative": "is_negative",
}


def user_content_profiles(history: pa.Table, embeddings: pa.Table) -> pa.Table:
    """One row per (user, profile kind): L2-normalised weighted mean of history clip embeddings.

    Kinds: `watched` (weighted by watch fraction), `positive` (clips with a positive signal),
    `negative` (disliked clips).
    """
    user_ids = column(history, "user_id", np.uint32)
    item_ids = column(history, "item_id", np.uint32)
    emb_ids = column(embeddings, "item_id", np.uint32)
    emb = vectors(embeddings, "embedding")
    parts = []
    for kind, weight_column in PROFILE_WEIGHTS.items():
        weights = column(history, weight_column, np.float64)
        users, profiles = weighted_mean_profiles(user_ids, item_ids, weights, emb_ids, emb)
        if users.size == 0:
            continue
        parts.append(
            pa.table(
                {
                    "user_id": pa.array(users, pa.uint32()),
                    "profile_kind": pa.array([kind] * users.size, pa.string()),
                    "embedding": vector_array(profiles),
                }
            )
        )
    if not parts:
        return pa.table(
            {
                "user_id": pa.array([], pa.uint32()),
                "profile_kind": pa.array([], pa.string()),
                "embedding": pa.array([], pa.list_(pa.float32(), max(emb.shape[1], 1))),
            }
        )
    return pa.concat_tables(parts)


def content_candidates(profiles: pa.Table, target_items: pa.Table, k: int) -> pa.Table:
    """For each target clip with an embedding and each profile kind but `negative`, the k users whose
    profile is most cosine-similar to the clip (exact search)."""
    kinds = column(profiles, "profile_kind", object) if profiles.num_rows else np.empty(0, dtype=object)
    has_embedding = column(target_items, "has_embedding", bool)
    items = target_items.filter(pa.array(has_embedding))
    item_ids = column(items, "item_id", np.uint32)
    item_vectors = vectors(items, "embedding")
    parts = []
    for kind in ("watched", "positive"):
        mask = kinds == kind
        if not mask.any() or item_ids.size == 0:
            continue
        subset = profiles.filter(pa.array(mask))
        q, b, s, r = exact_top_k(
            item_ids, item_vectors, column(subset, "user_id", np.uint32), vectors(subset, "embedding"), k
        )
        parts.append(
            pa.table(
                {
                    "item_id": pa.array(q, pa.uint32()),
                    "user_id": pa.array(b, pa.uint32()),
                    "source": pa.array([f"content_{kind}"] * q.size, pa.string()),
                    "score": pa.array(s, pa.float32()),
                    "source_rank": pa.array(r, pa.int32()),
                }
            )
        )
    if not parts:
        return pa.table(
            {
                "item_id": pa.array([], pa.uint32()),
                "user_id": pa.array([], pa.uint32()),
                "source": pa.array([], pa.string()),
                "score": pa.array([], pa.float32()),
                "source_rank": pa.array([], pa.int32()),
            }
        )
    return pa.concat_tables(parts)


def capacity_assignment(
    scores: pa.Table,
    target_items: pa.Table,
    fill_users: pa.Table,
    *,
    list_size: int,
    capacity: int,
    seed: int,
) -> pa.Table:
    """Ranked lists (item_id, user_id, position) for every target clip under the per-user capacity."""
    fill = fill_users.sort_by([("priority", "ascending")])
    result = assign_with_capacity(
        column(target_items, "item_id", np.uint32),
        column(scores, "item_id", np.uint32),
        column(scores, "user_id", np.uint32),
        column(scores, "score", np.float64),
        column(fill, "user_id", np.uint32),
        list_size=list_size,
        capacity=capacity,
        seed=seed,
    )
    return pa.table(
        {
            "item_id": pa.array(result.item_id, pa.uint32()),
            "user_id": pa.array(result.user_id, pa.uint32()),
            "position": pa.array(result.position, pa.int32()),
            "from_candidates": pa.array(result.from_candidates, pa.bool_()),
        }
    )
