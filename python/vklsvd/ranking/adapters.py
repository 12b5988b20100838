"""Arrow adapters of the ranker and submission stages (models/6_ranker, models/7_submission): the
ranker's content candidates, training, scoring and the capacity assignment of every ranking."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vklsvd.io.arrow import column, vectors
from vklsvd.progress import Progress
from vklsvd.ranking.assignment import assign_with_capacity, strategy_scores
from vklsvd.ranking.ranker import (
    RankerParams,
    feature_importance,
    load_ranker,
    save_ranker,
    score_pair_batches,
    train_ranker,
)
from vklsvd.resources import budgeted_threads, thread_budget
from vklsvd.retrieval.exact import exact_top_k
from vklsvd.segments import dedupe_max

RANKER_FILE = "ranker.json"
CANDIDATE_KINDS = ("watched", "positive")


def _with_embedding(clips: pa.Table) -> pa.Table:
    return clips.filter(pc.is_valid(clips.column("embedding")))


def as_of_content_candidates(profiles: pa.Table, clips: pa.Table, *, k: int) -> pa.Table:
    """For every as-of week, each cold clip's k most similar users by exact cosine search, per profile kind
    in CANDIDATE_KINDS (profiles and clips of the same week only), as a set of (week, clip, user): a user
    found by several kinds keeps the best score (a user with one clip has the same watched and positive
    profile, hence the same score twice)."""
    clips = _with_embedding(clips)
    clip_weeks = column(clips, "as_of_week", np.int32)
    clip_ids = column(clips, "item_id", np.uint32)
    clip_vectors = vectors(clips, "embedding")
    weeks = column(profiles, "as_of_week", np.int32)
    kinds = column(profiles, "profile_kind", object)
    users = column(profiles, "user_id", np.uint32)
    profile_vectors = vectors(profiles, "embedding")
    parts: dict[str, list[np.ndarray]] = {"as_of_week": [], "item_id": [], "user_id": [], "score": []}
    progress = Progress("ranker content candidates", "clips", int(clip_ids.size))
    with budgeted_threads() as threads:
        for week in np.unique(clip_weeks).tolist():
            queries = clip_weeks == week
            found = []
            for kind in CANDIDATE_KINDS:
                base = (weeks == week) & (kinds == kind)
                q, b, s, _ = exact_top_k(
                    clip_ids[queries], clip_vectors[queries], users[base], profile_vectors[base], k,
                    threads=threads,
                )  # fmt: skip
                found.append((q, b, s))
            item, user, score = dedupe_max(*(np.concatenate(part) for part in zip(*found, strict=True)))
            parts["as_of_week"].append(np.full(item.size, week, dtype=np.int32))
            parts["item_id"].append(item)
            parts["user_id"].append(user)
            parts["score"].append(score)
            progress.advance(int(queries.sum()))
    progress.finish()
    return pa.table(
        {
            "as_of_week": pa.array(np.concatenate(parts["as_of_week"] or [np.empty(0, np.int32)])),
            "item_id": pa.array(np.concatenate(parts["item_id"] or [np.empty(0, np.uint32)]), pa.uint32()),
            "user_id": pa.array(np.concatenate(parts["user_id"] or [np.empty(0, np.uint32)]), pa.uint32()),
            "score": pa.array(np.concatenate(parts["score"] or [np.empty(0, np.float32)]), pa.float32()),
        }
    )


def train_ranker_model(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    n_rows: int,
    params: RankerParams,
    artifacts_dir: Path,
) -> pa.Table:
    """Train on the `n_rows` labelled pairs of the training weeks (streamed in any order, see
    `vklsvd.ranking.ranker.train_ranker`) and save the model; one describing row."""
    started = time.perf_counter()
    trained = train_ranker(batches, schema, n_rows, params, threads=thread_budget())
    path = artifacts_dir / RANKER_FILE
    digest = save_ranker(trained.booster, trained.names, params, path)
    return pa.table(
        {
            "path": [str(path)],
            "sha256": [digest],
            "objective": [params.objective],
            "n_estimators": pa.array([params.n_estimators], pa.int32()),
            "features": pa.array([len(trained.names)], pa.int32()),
            "training_pairs": pa.array([trained.pairs], pa.int64()),
            "training_clips": pa.array([trained.clips], pa.int64()),
            "training_positives": pa.array([trained.positives], pa.int64()),
            "train_ndcg": [trained.train_ndcg],
            "top_features": [", ".join(feature_importance(trained))],
            "train_seconds": [time.perf_counter() - started],
        }
    )


def score_target_pairs(description: pa.Table, target_pairs: Iterable[pa.RecordBatch]) -> pa.Table:
    """The trained model's score for every target-week candidate pair (higher = rank first), streamed."""
    booster, names = load_ranker(
        description.column("path")[0].as_py(), description.column("sha256")[0].as_py()
    )
    return score_pair_batches(booster, names, target_pairs, threads=thread_budget())


def capacity_assignments(
    scores_by_ranking: Mapping[str, tuple[pa.Table, str]],
    target_items: pa.Table,
    fill_users: pa.Table,
    *,
    list_size: int,
    capacity: int,
    seed: int,
) -> pa.Table:
    """Ranked lists (ranking, item_id, user_id, position, from_candidates) of every target clip for each
    named (table of scored pairs (item_id, user_id, score), strategy) (`vklsvd.ranking.assignment`
    STRATEGIES), each assigned alone under the per-user capacity by the same code."""
    fill = column(fill_users.sort_by([("priority", "ascending")]), "user_id", np.uint32)
    targets = column(target_items, "item_id", np.uint32)
    parts = []
    for ranking, (scores, strategy) in scores_by_ranking.items():
        progress = Progress(f"capacity assignment ({ranking}, {strategy})", "scored pairs", scores.num_rows)
        items = column(scores, "item_id", np.uint32)
        result = assign_with_capacity(
            targets,
            items,
            column(scores, "user_id", np.uint32),
            strategy_scores(items, column(scores, "score", np.float64), strategy),
            fill,
            list_size=list_size,
            capacity=capacity,
            seed=seed,
        )
        progress.advance(scores.num_rows)
        from_candidates = int(result.from_candidates.sum())
        progress.finish(f"{from_candidates:,} of {result.item_id.size:,} slots from candidates")
        parts.append(
            pa.table(
                {
                    "ranking": pa.array(np.full(result.item_id.size, ranking), pa.string()),
                    "item_id": pa.array(result.item_id, pa.uint32()),
                    "user_id": pa.array(result.user_id, pa.uint32()),
                    "position": pa.array(result.position, pa.int32()),
                    "from_candidates": pa.array(result.from_candidates, pa.bool_()),
                }
            )
        )
    return pa.concat_tables(parts)
