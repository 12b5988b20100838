"""Learning-to-rank over candidate (clip, user) pairs with XGBoost.

Each target clip is a query and its candidate users the documents, so a LambdaMART objective optimises
NDCG over users of a clip, which is exactly the challenge metric. Training pairs come from earlier weeks
(labels of those weeks, features as of each); the trained booster scores the target week's candidates.

Memory stays bounded at any size: training pairs reach XGBoost through a data iterator, batch by batch,
into a `QuantileDMatrix` that keeps one byte per feature value (its histogram bin), never the float
matrix of all pairs; scoring streams the target pairs batch by batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xgboost as xgb

from vklsvd.errors import VklsvdError
from vklsvd.io.arrow import column
from vklsvd.io.artifacts import verified_path, write_atomically
from vklsvd.progress import Progress
from vklsvd.segments import rank_within_sorted

#: Columns of a pairs table that are keys, bookkeeping or the target, never features.
NON_FEATURES = frozenset({"item_id", "user_id", "as_of_week", "label", "query_id", "is_target_week"})


@dataclass(frozen=True)
class RankerParams:
    """XGBoost settings; the values come from the var `ranker_params` (plus `sample_seed` and the NDCG
    depth `list_size`), so this class has no defaults of its own."""

    objective: str
    n_estimators: int
    max_depth: int
    learning_rate: float
    min_child_weight: float
    subsample: float
    colsample_bytree: float
    max_bin: int
    seed: int
    eval_at: int

    def booster_params(self, threads: int) -> dict[str, object]:
        return {
            "objective": self.objective,
            "max_depth": self.max_depth,
            "eta": self.learning_rate,
            "min_child_weight": self.min_child_weight,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "seed": self.seed,
            "tree_method": "hist",
            "max_bin": self.max_bin,
            "nthread": threads,
            "eval_metric": f"ndcg@{self.eval_at}",
            "lambdarank_pair_method": "topk",
            "lambdarank_num_pair_per_sample": self.eval_at,
        }


def feature_columns(schema: pa.Schema) -> list[str]:
    """Numeric and boolean columns other than keys and the label, in schema order."""
    names = []
    for field_ in schema:
        if field_.name in NON_FEATURES:
            continue
        if (
            pa.types.is_integer(field_.type)
            or pa.types.is_floating(field_.type)
            or pa.types.is_boolean(field_.type)
        ):
            names.append(field_.name)
    return names


def feature_matrix(table: pa.Table | pa.RecordBatch, names: list[str]) -> np.ndarray:
    """Float32 matrix of the named columns; nulls become NaN, which XGBoost treats as missing."""
    missing = [name for name in names if name not in table.schema.names]
    if missing:
        raise VklsvdError(f"scoring pairs lack feature column(s) {missing} the ranker was trained with")
    matrix = np.empty((table.num_rows, len(names)), dtype=np.float32)
    for position, name in enumerate(names):
        values = table.column(name)
        if pa.types.is_boolean(values.type):
            values = pc.cast(values, pa.int8())
        matrix[:, position] = pc.cast(values, pa.float32()).to_numpy(zero_copy_only=False)
    return matrix


#: Rows per batch XGBoost sketches: fixed, so the model does not depend on how the pairs were streamed.
SKETCH_CHUNK_ROWS = 1 << 16


class TrainingPairs(xgb.DataIter):
    """Training pairs for XGBoost: read once from `batches` (in any order), handed over in query order.

    Batches carry query_id, user_id, label and the features; `n_rows` is their total. XGBoost reads the
    data several times while it builds a QuantileDMatrix (four passes), needs each query's rows together
    and sketches quantiles per chunk, so the pairs are kept as one float32 matrix with their labels and
    query ids, ordered by (query_id, user_id) through a permutation, and handed over in chunks of
    SKETCH_CHUNK_ROWS rows gathered at each pass. The warehouse streams the rows once and never sorts
    the wide table; the model is the same whatever the stream's order and batch size. Memory: 4 bytes
    per feature value of the training set (capped by var ranker_max_training_pairs) plus one chunk.
    """

    def __init__(self, batches: Iterable[pa.RecordBatch], names: list[str], n_rows: int) -> None:
        self._source: Iterable[pa.RecordBatch] | None = batches
        self.names = names
        self.n_rows = n_rows
        self.features = np.empty((n_rows, len(names)), dtype=np.float32)
        self.labels = np.empty(n_rows, dtype=np.float32)
        self.query_ids = np.empty(n_rows, dtype=np.int64)
        self.order = np.empty(0, dtype=np.int64)
        self._position = 0
        super().__init__()

    def _read(self, batches: Iterable[pa.RecordBatch]) -> None:
        users = np.empty(self.n_rows, dtype=np.uint32)
        filled = 0
        for batch in batches:
            rows = slice(filled, filled + batch.num_rows)
            if rows.stop > self.n_rows:
                raise VklsvdError(f"training pairs: more rows than the {self.n_rows:,} counted")
            self.features[rows] = feature_matrix(batch, self.names)
            self.labels[rows] = column(batch, "label", np.float32)
            self.query_ids[rows] = column(batch, "query_id", np.int64)
            users[rows] = column(batch, "user_id", np.uint32)
            filled = rows.stop
        if filled != self.n_rows:
            raise VklsvdError(f"training pairs: {filled:,} rows read, {self.n_rows:,} counted")
        self.order = np.lexsort((users, self.query_ids))

    def reset(self) -> None:
        self._position = 0

    def next(self, input_data: Callable[..., None]) -> bool:
        if self._source is not None:
            source, self._source = self._source, None
            self._read(source)
        rows = self.order[self._position : self._position + SKETCH_CHUNK_ROWS]
        if rows.size == 0:
            return False
        self._position += rows.size
        input_data(data=self.features[rows], label=self.labels[rows], qid=self.query_ids[rows])
        return True

    def sorted_labels_and_queries(self) -> tuple[np.ndarray, np.ndarray]:
        """Labels and query ids in the order XGBoost received the rows."""
        return self.labels[self.order], self.query_ids[self.order]


@dataclass(frozen=True)
class TrainedRanker:
    booster: xgb.Booster
    names: list[str]
    pairs: int
    clips: int
    positives: int
    train_ndcg: float


def train_ranker(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    n_rows: int,
    params: RankerParams,
    *,
    threads: int,
) -> TrainedRanker:
    """Fit LambdaMART on the `n_rows` pairs of `batches` (see `TrainingPairs`) with `threads` threads."""
    names = feature_columns(schema)
    pairs = TrainingPairs(batches, names, n_rows)
    if n_rows == 0:
        raise VklsvdError(
            "no training pairs: no training clip has both relevant and irrelevant candidates; use more "
            "training weeks (var training_weeks) or more data"
        )
    data = xgb.QuantileDMatrix(pairs, max_bin=params.max_bin, nthread=threads)
    labels, query_ids = pairs.sorted_labels_and_queries()
    clips = int(np.unique(query_ids).size)
    if clips < 2:
        raise VklsvdError(
            "not enough training clips with both relevant and irrelevant candidates to train the ranker; "
            "use more training weeks (var training_weeks) or more data"
        )
    progress = Progress("ranker training", "trees", params.n_estimators)
    booster = xgb.train(
        params.booster_params(threads),
        data,
        num_boost_round=params.n_estimators,
        callbacks=[_ProgressCallback(progress)],
    )
    train_ndcg = mean_candidate_ndcg(query_ids, labels, booster.predict(data), params.eval_at)
    progress.finish(f"{labels.size:,} pairs, {clips:,} clips, train NDCG {train_ndcg:.4f}")
    return TrainedRanker(booster, names, int(labels.size), clips, int(labels.sum()), train_ndcg)


class _ProgressCallback(xgb.callback.TrainingCallback):
    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def after_iteration(self, model: xgb.Booster, epoch: int, evals_log: dict) -> bool:
        self.progress.advance(1)
        return False


def mean_candidate_ndcg(groups: np.ndarray, labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Mean NDCG@k of ranking each group's candidates by score (relevant = label > 0), vectorised:
    DCG per group by a weighted bincount over within-group ranks, IDCG from a cumulative discount table."""
    order = np.lexsort((-scores, groups))
    groups, relevant = groups[order], labels[order] > 0
    group_index = np.unique(groups, return_inverse=True)[1]
    rank = rank_within_sorted(group_index)
    discount = np.where(rank < k, 1.0 / np.log2(rank + 2.0), 0.0)
    dcg = np.bincount(group_index, weights=discount * relevant)
    n_relevant = np.bincount(group_index, weights=relevant).astype(np.int64)
    ideal_table = np.r_[0.0, np.cumsum(1.0 / np.log2(np.arange(k) + 2.0))]
    idcg = ideal_table[np.minimum(n_relevant, k)]
    scored = n_relevant > 0
    return float(np.mean(dcg[scored] / idcg[scored])) if scored.any() else float("nan")


def feature_importance(ranker: TrainedRanker, top: int = 10) -> list[str]:
    """The `top` features by total gain, best first (ties by name)."""
    gains = ranker.booster.get_score(importance_type="gain")
    named = {
        ranker.names[int(key[1:])] if key.startswith("f") and key[1:].isdigit() else key: value
        for key, value in gains.items()
    }
    return [name for name, _ in sorted(named.items(), key=lambda item: (-item[1], item[0]))[:top]]


def save_ranker(booster: xgb.Booster, names: list[str], params: RankerParams, path: Path) -> str:
    """Booster JSON plus its feature names and parameters, written atomically; returns the sha256."""
    document = {"features": names, "params": asdict(params), "booster": json.loads(booster.save_raw("json"))}
    return write_atomically(path, lambda target: target.write_text(json.dumps(document, sort_keys=True)))


def load_ranker(path: str | Path, sha256: str) -> tuple[xgb.Booster, list[str]]:
    document = json.loads(verified_path(path, sha256).read_text())
    booster = xgb.Booster()
    booster.load_model(bytearray(json.dumps(document["booster"]).encode()))
    return booster, list(document["features"])


def score_pairs(booster: xgb.Booster, names: list[str], pairs: pa.Table | pa.RecordBatch) -> np.ndarray:
    return booster.inplace_predict(feature_matrix(pairs, names)).astype(np.float64)


def score_pair_batches(
    booster: xgb.Booster, names: list[str], batches: Iterable[pa.RecordBatch], *, threads: int
) -> pa.Table:
    """(item_id, user_id, score) of every pair of a stream of batches, scored batch by batch."""
    booster.set_param({"nthread": threads})
    progress = Progress("ranker scoring", "pairs")
    items, users, scores = [], [], []
    for batch in batches:
        items.append(column(batch, "item_id", np.uint32))
        users.append(column(batch, "user_id", np.uint32))
        scores.append(score_pairs(booster, names, batch))
        progress.advance(batch.num_rows)
    progress.finish()
    return pa.table(
        {
            "item_id": pa.array(np.concatenate(items) if items else np.empty(0, np.uint32), pa.uint32()),
            "user_id": pa.array(np.concatenate(users) if users else np.empty(0, np.uint32), pa.uint32()),
            "score": pa.array(np.concatenate(scores) if scores else np.empty(0), pa.float64()),
        }
    )


__all__ = [
    "RankerParams",
    "TrainedRanker",
    "TrainingPairs",
    "feature_columns",
    "feature_importance",
    "feature_matrix",
    "load_ranker",
    "mean_candidate_ndcg",
    "save_ranker",
    "score_pair_batches",
    "score_pairs",
    "train_ranker",
]
