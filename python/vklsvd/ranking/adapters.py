"""Arrow adapters of the ranker and submission stages (models/7_ranker, models/8_submission): the
ranker's training, scoring and the capacity assignment of every ranking."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vklsvd.io.arrow import column
from vklsvd.progress import Progress
from vklsvd.ranking.ablation import REFERENCE, Batches, ablation_scores
from vklsvd.ranking.assignment import assign_by_strategy
from vklsvd.ranking.ranker import (
    RankerParams,
    feature_importance,
    load_saved_ranker,
    parse_saved_ranker,
    save_ranker,
    score_pair_batch,
    score_pair_batches,
    train_ranker,
)
from vklsvd.resources import thread_budget

RANKER_FILE = "ranker.json"
ASSIGNMENT_SCHEMA = pa.schema(
    {
        "ranking": pa.string(),
        "item_id": pa.uint32(),
        "user_id": pa.uint32(),
        "position": pa.int32(),
        "from_candidates": pa.bool_(),
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
    digest = save_ranker(trained.booster, trained.names, params, path, trained.calibration)
    return pa.table(
        {
            "path": [str(path)],
            "sha256": [digest],
            "objective": [params.objective],
            "n_estimators": pa.array([params.n_estimators], pa.int32()),
            "trees": pa.array([trained.trees], pa.int32()),
            "holdout_week": pa.array([trained.holdout_week], pa.int32()),
            "holdout_ndcg": pa.array([trained.holdout_ndcg], pa.float64()),
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
    """The trained model's score for every target-week candidate pair (higher = rank first) and its
    calibrated probability of engagement, streamed."""
    saved = load_saved_ranker(description.column("path")[0].as_py(), description.column("sha256")[0].as_py())
    return score_pair_batches(
        saved.booster, saved.names, target_pairs, threads=thread_budget(), calibration=saved.calibration
    )


def pair_scorer(
    ranker_document: str, *, threads: int
) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """A function from batches of target-week candidate pairs to their scores and calibrated
    probabilities (as score_target_pairs), for one saved ranker's text (read_ranker_document): what a
    Spark task applies to its partition (vklsvd.spark.partitioned)."""

    def score(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        saved = parse_saved_ranker(ranker_document)
        saved.booster.set_param({"nthread": threads})
        for batch in batches:
            yield score_pair_batch(saved.booster, saved.names, batch, saved.calibration)

    return score


def capacity_assignments(
    scores_by_ranking: Mapping[str, tuple[pa.Table, str]],
    target_clips: pa.Table,
    fill_users: pa.Table,
    *,
    list_size: int,
    capacity: int,
    seed: int,
) -> pa.Table:
    """Ranked lists (ranking, item_id, user_id, position, from_candidates) of every target clip for each
    named (table of scored pairs (item_id, user_id, score[, probability]), strategy)
    (`vklsvd.ranking.assignment` STRATEGIES; expected_dcg reads `probability`), each assigned alone
    under the per-user capacity by the same code."""
    if not scores_by_ranking:
        return ASSIGNMENT_SCHEMA.empty_table()
    fill = column(fill_users.sort_by([("priority", "ascending")]), "user_id", np.uint32)
    targets = column(target_clips, "item_id", np.uint32)
    parts = []
    for ranking, (scores, strategy) in scores_by_ranking.items():
        progress = Progress(f"capacity assignment ({ranking}, {strategy})", "scored pairs", scores.num_rows)
        calibrated = strategy == "expected_dcg"
        result = assign_by_strategy(
            targets,
            column(scores, "item_id", np.uint32),
            column(scores, "user_id", np.uint32),
            column(scores, "score", np.float64),
            fill,
            strategy,
            list_size=list_size,
            capacity=capacity,
            seed=seed,
            probability=column(scores, "probability", np.float64) if calibrated else None,
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


def source_rankings(candidates: pa.Table) -> dict[str, tuple[pa.Table, str]]:
    """Each candidate source's lists (source, item_id, user_id, source_rank) as a ranking for
    capacity_assignments, named `source_<source>`: its pairs scored by minus their rank, assigned round
    robin (a source's own scores compare users within a clip only)."""
    sources = sorted(pc.unique(candidates.column("source")).to_pylist())
    rankings = {}
    for source in sources:
        rows = candidates.filter(pc.equal(candidates.column("source"), source))
        score = pc.negate(pc.cast(rows.column("source_rank"), pa.float64()))
        scored = pa.table(
            {"item_id": rows.column("item_id"), "user_id": rows.column("user_id"), "score": score}
        )
        rankings[f"source_{source}"] = (scored, "round_robin")
    return rankings


def ablation_assignments(
    model_description: pa.Table,
    training: Batches,
    schema: pa.Schema,
    n_rows: int,
    targets: Batches,
    target_clips: pa.Table,
    fill_users: pa.Table,
    *,
    families: Mapping[str, list[str]],
    list_size: int,
    capacity: int,
    seed: int,
    max_training_pairs: int,
) -> pa.Table:
    """The ablation's lists: for every feature family, the ranker retrained without it (the saved model's
    parameters and number of trees, `vklsvd.ranking.ablation`) and its target scores assigned greedily
    under the capacity, as ranking `ranker_without_<family>`; the reference they are measured against,
    the ranker with every feature on the same training pairs, as `ranker_all_features`."""
    row = model_description.to_pylist()[0]
    saved = load_saved_ranker(row["path"], row["sha256"])
    scores = ablation_scores(
        training, schema, n_rows, targets,
        features=saved.names, families=families, params=saved.params, trees=int(row["trees"]),
        threads=thread_budget(), saved=saved.booster, max_pairs=max_training_pairs, seed=seed,
    )  # fmt: skip
    return capacity_assignments(
        {
            ("ranker_all_features" if family == REFERENCE else f"ranker_without_{family}"): (table, "score")
            for family, table in scores.items()
        },
        target_clips,
        fill_users,
        list_size=list_size,
        capacity=capacity,
        seed=seed,
    )
