"""Arrow-in, Arrow-out entry points of the ranker's dbt Python models (models/ml/ml_ranker_*)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vklsvd.arrow_io import column, vectors
from vklsvd.profiles import l2_normalise, lookup_rows
from vklsvd.ranker import RankerParams, load_ranker, save_ranker, score_pairs, train_ranker
from vklsvd.retrieval import exact_top_k

RANKER_FILE = "ranker.json"
CONTENT_KINDS = ("watched", "timespent", "positive", "negative")
CANDIDATE_KINDS = ("watched", "positive")


def _with_embedding(clips: pa.Table) -> pa.Table:
    return clips.filter(pc.is_valid(clips.column("embedding")))


def as_of_content_candidates(profiles: pa.Table, clips: pa.Table, *, k: int) -> pa.Table:
    """For every as-of week, each cold clip's k most similar users by exact cosine search, per profile kind
    in CANDIDATE_KINDS (profiles and clips of the same week only)."""
    clips = _with_embedding(clips)
    clip_weeks = column(clips, "as_of_week", np.int32)
    clip_ids = column(clips, "item_id", np.uint32)
    clip_vectors = vectors(clips, "embedding")
    weeks = column(profiles, "as_of_week", np.int32)
    kinds = column(profiles, "profile_kind", object)
    users = column(profiles, "user_id", np.uint32)
    profile_vectors = vectors(profiles, "embedding")
    parts: dict[str, list[np.ndarray]] = {"as_of_week": [], "item_id": [], "user_id": [], "score": []}
    for week in np.unique(clip_weeks).tolist():
        queries = clip_weeks == week
        for kind in CANDIDATE_KINDS:
            base = (weeks == week) & (kinds == kind)
            q, b, s, _ = exact_top_k(
                clip_ids[queries], clip_vectors[queries], users[base], profile_vectors[base], k
            )
            parts["as_of_week"].append(np.full(q.size, week, dtype=np.int32))
            parts["item_id"].append(q)
            parts["user_id"].append(b)
            parts["score"].append(s)
    return pa.table(
        {
            "as_of_week": pa.array(np.concatenate(parts["as_of_week"] or [np.empty(0, np.int32)])),
            "item_id": pa.array(np.concatenate(parts["item_id"] or [np.empty(0, np.uint32)]), pa.uint32()),
            "user_id": pa.array(np.concatenate(parts["user_id"] or [np.empty(0, np.uint32)]), pa.uint32()),
            "score": pa.array(np.concatenate(parts["score"] or [np.empty(0, np.float32)]), pa.float32()),
        }
    )


def pair_content_similarities(
    pairs: pa.Table, profiles: pa.Table, clips: pa.Table, chunk_size: int = 1_000_000
) -> pa.Table:
    """Cosine between each pair's clip and the user's profile of every kind, as of the pair's week.

    Null where the user has no profile of that kind or the clip has no embedding. Rows are gathered by
    binary search on packed (week, id) keys and multiplied in chunks.
    """
    pair_weeks = column(pairs, "as_of_week", np.int64)
    pair_items = column(pairs, "item_id", np.uint32)
    pair_users = column(pairs, "user_id", np.uint32)

    clips = _with_embedding(clips)
    clip_keys = (column(clips, "as_of_week", np.int64) << 32) | column(clips, "item_id", np.uint32)
    clip_order = np.argsort(clip_keys, kind="stable")
    clip_rows = lookup_rows(clip_keys[clip_order], (pair_weeks << 32) | pair_items)
    clip_vectors = l2_normalise(vectors(clips, "embedding")[clip_order]) if clips.num_rows else None

    weeks = column(profiles, "as_of_week", np.int64)
    kinds = column(profiles, "profile_kind", object)
    users = column(profiles, "user_id", np.uint32)
    profile_vectors = vectors(profiles, "embedding")
    out = {
        "as_of_week": pa.array(pair_weeks.astype(np.int32)),
        "item_id": pa.array(pair_items, pa.uint32()),
        "user_id": pa.array(pair_users, pa.uint32()),
    }
    for kind in CONTENT_KINDS:
        mask = kinds == kind
        keys = (weeks[mask] << 32) | users[mask]
        order = np.argsort(keys, kind="stable")
        rows = lookup_rows(keys[order], (pair_weeks << 32) | pair_users)
        kind_vectors = profile_vectors[mask][order]
        cosine = np.full(pair_items.size, np.nan, dtype=np.float32)
        valid = np.flatnonzero((rows >= 0) & (clip_rows >= 0))
        for start in range(0, valid.size, chunk_size):
            chunk = valid[start : start + chunk_size]
            cosine[chunk] = np.einsum("ij,ij->i", kind_vectors[rows[chunk]], clip_vectors[clip_rows[chunk]])
        out[f"cos_{kind}"] = pa.array(cosine, mask=np.isnan(cosine))
    return pa.table(out)


def train_ranker_model(training_pairs: pa.Table, params: RankerParams, artifacts_dir: Path) -> pa.Table:
    """Train on the labelled pairs of the training weeks and save the model; one describing row."""
    started = time.perf_counter()
    model, names, facts = train_ranker(training_pairs, params)
    path = artifacts_dir / RANKER_FILE
    digest = save_ranker(model, names, params, path)
    importance = model.get_booster().get_score(importance_type="gain")
    top = sorted(importance.items(), key=lambda item: (-item[1], item[0]))[:10]
    return pa.table(
        {
            "path": [str(path)],
            "sha256": [digest],
            "objective": [params.objective],
            "n_estimators": pa.array([params.n_estimators], pa.int32()),
            "features": pa.array([len(names)], pa.int32()),
            "training_pairs": pa.array([int(facts["pairs"])], pa.int64()),
            "training_clips": pa.array([int(facts["clips"])], pa.int64()),
            "training_positives": pa.array([int(facts["positives"])], pa.int64()),
            "train_ndcg": [facts["train_ndcg"]],
            "top_features": [
                ", ".join(
                    names[int(name[1:])] if name.startswith("f") and name[1:].isdigit() else name
                    for name, _ in top
                )
            ],
            "train_seconds": [time.perf_counter() - started],
        }
    )


def score_target_pairs(description: pa.Table, target_pairs: pa.Table) -> pa.Table:
    """The trained model's score for every target-week candidate pair (higher = rank first)."""
    booster, names = load_ranker(
        description.column("path")[0].as_py(), description.column("sha256")[0].as_py()
    )
    return pa.table(
        {
            "item_id": target_pairs.column("item_id").cast(pa.uint32()),
            "user_id": target_pairs.column("user_id").cast(pa.uint32()),
            "score": pa.array(score_pairs(booster, names, target_pairs), pa.float64()),
        }
    )
