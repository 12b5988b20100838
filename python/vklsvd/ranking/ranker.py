"""Learning-to-rank over candidate (clip, user) pairs with XGBoost.

Each target clip is a query and its candidate users the documents. The default objective is a
probability (binary:logistic, calibrated on held-out clips for the expected-NDCG assignment); LambdaMART
objectives (rank:ndcg, rank:pairwise) optimise NDCG over a clip's users directly. Training pairs come
from earlier weeks (labels of those weeks, features as of each); the trained booster scores the target
week's candidates. One fit: held-out clips of the last training week (every candidate kept, as served)
choose the number of trees by early stopping and calibrate the scores; every other pair trains.

Memory is bounded by the training cap, not by the data: the training pairs (at most
`ranker_max_training_pairs` plus the held-out clips) are held once as float32 and reach XGBoost through a
data iterator into a `QuantileDMatrix` (one byte per feature value, its histogram bin); scoring streams
the target pairs batch by batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xgboost as xgb
from sklearn.isotonic import IsotonicRegression

from vklsvd.errors import VklsvdError
from vklsvd.io.arrow import column
from vklsvd.io.artifacts import verified_path, write_atomically
from vklsvd.progress import Progress
from vklsvd.ranking.metrics import mean_ranked_ndcg

#: Columns of a pairs table that are keys, bookkeeping or the target, never features.
NON_FEATURES = frozenset(
    {"item_id", "user_id", "as_of_week", "label", "relevance", "query_id", "is_target_week", "is_holdout"}
)


@dataclass(frozen=True)
class RankerParams:
    """XGBoost settings; the values come from the var `ranker_params` (plus `sample_seed` and the NDCG
    depth `list_size`), so this class has no defaults of its own. `n_estimators` is the most trees;
    `early_stopping_rounds` rounds without a better held-out `stopping_metric` stop the first fit."""

    objective: str
    n_estimators: int
    early_stopping_rounds: int
    max_depth: int
    learning_rate: float
    min_child_weight: float
    subsample: float
    colsample_bytree: float
    max_bin: int
    seed: int
    eval_at: int

    @property
    def stopping_metric(self) -> str:
        """The held-out metric that chooses the number of trees. A probability model stops on the log
        loss of every held-out pair: NDCG@k of a few hundred lists is flat and noisy over the rounds, so
        its best round is mostly noise (on 200 held-out clips it chose 18 trees where the target week's
        NDCG kept rising to 150), while the log loss is smooth, a proper score of the probabilities the
        assignment needs, and its best round tracks the target week's NDCG. A ranking objective has no
        probabilities and stops on NDCG."""
        return "logloss" if self.objective.startswith("binary:") else f"ndcg@{self.eval_at}"

    def booster_params(self, threads: int) -> dict[str, object]:
        # XGBoost stops early on the last metric listed
        metrics = list(dict.fromkeys([f"ndcg@{self.eval_at}", self.stopping_metric]))
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
            "eval_metric": metrics,
            "lambdarank_pair_method": "topk",
            "lambdarank_num_pair_per_sample": self.eval_at,
            # graded relevance is a gain, not an exponent: a label of 3 counts 3 times a label of 1
            "ndcg_exp_gain": False,
            # one fixed intercept, not one estimated from each fit's data: the saved ranker and the
            # ablation's rankers score on one scale
            "base_score": 0.5,
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


#: What a null (or NaN) feature value becomes: below every real value, so a split can still set it apart,
#: and no value is missing. XGBoost stores a matrix with missing values sparsely, about 10 bytes a
#: value in its QuantileDMatrix against about 1 byte for a dense one: at 20,000 users (2 M training
#: pairs, 26 % of the values null) 3.3 GB against 0.75 GB, and the trees grow about twice as fast
#: (benchmarks/results/ranker_settings/*_missing.md).
MISSING_VALUE = np.float32(-1e30)


def feature_matrix(table: pa.Table | pa.RecordBatch, names: list[str]) -> np.ndarray:
    """Float32 matrix of the named columns; nulls and NaN become MISSING_VALUE."""
    missing = [name for name in names if name not in table.schema.names]
    if missing:
        raise VklsvdError(f"scoring pairs lack feature column(s) {missing} the ranker was trained with")
    matrix = np.empty((table.num_rows, len(names)), dtype=np.float32)
    for position, name in enumerate(names):
        values = table.column(name)
        if pa.types.is_boolean(values.type):
            values = pc.cast(values, pa.int8())
        matrix[:, position] = pc.cast(values, pa.float32()).to_numpy(zero_copy_only=False)
    matrix[np.isnan(matrix)] = MISSING_VALUE
    return matrix


#: Rows per batch XGBoost sketches: fixed, so the model does not depend on how the pairs were streamed.
SKETCH_CHUNK_ROWS = 1 << 16


class TrainingPairs(xgb.DataIter):
    """Training pairs for XGBoost: read once from `batches` (in any order), handed over in query order.

    Batches carry query_id, as_of_week, user_id, the target (`relevance` when present, else `label`),
    optionally `is_holdout` (the clips that measure the held-out NDCG) and the features; `n_rows` is
    their total. `select` restricts the rows handed over (a held-out week). XGBoost reads the
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
        self.weeks = np.empty(n_rows, dtype=np.int32)
        self.holdout = np.zeros(n_rows, dtype=bool)
        self.order = np.empty(0, dtype=np.int64)
        self._all_rows = np.empty(0, dtype=np.int64)
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
            target = "relevance" if "relevance" in batch.schema.names else "label"
            self.labels[rows] = column(batch, target, np.float32)
            self.query_ids[rows] = column(batch, "query_id", np.int64)
            self.weeks[rows] = column(batch, "as_of_week", np.int32)
            if "is_holdout" in batch.schema.names:
                self.holdout[rows] = column(batch, "is_holdout", bool)
            users[rows] = column(batch, "user_id", np.uint32)
            filled = rows.stop
        if filled != self.n_rows:
            raise VklsvdError(f"training pairs: {filled:,} rows read, {self.n_rows:,} counted")
        self._all_rows = np.lexsort((users, self.query_ids))
        self.order = self._all_rows

    def restricted(self, rows: np.ndarray | None = None, left_out: Collection[str] = ()) -> TrainingPairs:
        """A copy holding only `rows` (positions in the stream, increasing; None = every row) and every
        feature but the columns `left_out`, handed over in the same (query_id, user_id) order."""
        self.read()
        excluded = set(left_out)
        keep = [position for position, name in enumerate(self.names) if name not in excluded]
        chosen = np.arange(self.n_rows) if rows is None else np.asarray(rows, dtype=np.int64)
        renumbered = np.full(self.n_rows, -1, dtype=np.int64)
        renumbered[chosen] = np.arange(chosen.size)
        order = renumbered[self._all_rows]
        return TrainingPairs._from_arrays(
            names=[self.names[position] for position in keep],
            features=np.ascontiguousarray(self.features[np.ix_(chosen, np.asarray(keep, dtype=np.intp))]),
            labels=self.labels[chosen],
            query_ids=self.query_ids[chosen],
            weeks=self.weeks[chosen],
            holdout=self.holdout[chosen],
            order=order[order >= 0],
        )

    @classmethod
    def _from_arrays(
        cls,
        *,
        names: list[str],
        features: np.ndarray,
        labels: np.ndarray,
        query_ids: np.ndarray,
        weeks: np.ndarray,
        holdout: np.ndarray,
        order: np.ndarray,
    ) -> TrainingPairs:
        pairs = cls((), names, 0)
        pairs._source = None
        pairs.n_rows = int(labels.size)
        pairs.features, pairs.labels, pairs.query_ids, pairs.weeks = features, labels, query_ids, weeks
        pairs.holdout, pairs._all_rows, pairs.order = holdout, order, order
        return pairs

    def clip_sample(self, max_pairs: int, seed: int) -> np.ndarray | None:
        """Rows (stream positions, increasing) of whole clips drawn in a seeded order while their pairs
        total at most `max_pairs` (at least one clip); None when every pair fits."""
        self.read()
        if max_pairs < 1:
            raise VklsvdError(f"a sample of training pairs needs max_pairs >= 1, got {max_pairs}")
        if self.n_rows <= max_pairs:
            return None
        clips, clip_of_row, sizes = np.unique(self.query_ids, return_inverse=True, return_counts=True)
        drawn = np.random.default_rng(seed).permutation(clips.size)
        within = np.cumsum(sizes[drawn]) <= max_pairs
        within[0] = True
        chosen = np.zeros(clips.size, dtype=bool)
        chosen[drawn[within]] = True
        return np.flatnonzero(chosen[clip_of_row])

    def read(self) -> None:
        """Read the batches now (else at XGBoost's first pass)."""
        if self._source is not None:
            source, self._source = self._source, None
            self._read(source)

    def select(self, keep: np.ndarray | None) -> None:
        """Hand over only the rows where `keep` (by row of the stream) is true; None = every row."""
        self.read()
        self.order = self._all_rows if keep is None else self._all_rows[keep[self._all_rows]]
        self._position = 0

    def reset(self) -> None:
        self._position = 0

    def next(self, input_data: Callable[..., None]) -> bool:
        self.read()
        rows = self.order[self._position : self._position + SKETCH_CHUNK_ROWS]
        if rows.size == 0:
            return False
        self._position += rows.size
        input_data(data=self.features[rows], label=self.labels[rows], qid=self.query_ids[rows])
        return True

    def dmatrix(self, threads: int) -> xgb.DMatrix:
        """The selected rows as a plain DMatrix, in the order XGBoost receives them: for the held-out
        clips, whose predictions XGBoost recomputes every round. On a QuantileDMatrix that costs more than
        growing the tree (0.42 s against 0.25 s a tree on the demo's 256 k held-out and 656 k training
        pairs); on floats, 0.06 s."""
        self.read()
        rows = self.order
        return xgb.DMatrix(
            self.features[rows], label=self.labels[rows], qid=self.query_ids[rows], nthread=threads
        )

    def sorted_labels_and_queries(self) -> tuple[np.ndarray, np.ndarray]:
        """Labels and query ids in the order XGBoost received the rows."""
        return self.labels[self.order], self.query_ids[self.order]


@dataclass(frozen=True)
class Calibration:
    """Isotonic map from a ranker score to the probability that the user engages (increasing, piecewise
    linear between the knots `scores` -> `probabilities`, flat beyond them)."""

    scores: np.ndarray
    probabilities: np.ndarray

    @classmethod
    def fit(cls, scores: np.ndarray, relevant: np.ndarray) -> Calibration:
        model = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        model.fit(scores.astype(np.float64), relevant.astype(np.float64))
        return cls(np.asarray(model.X_thresholds_, np.float64), np.asarray(model.y_thresholds_, np.float64))

    def probability(self, scores: np.ndarray) -> np.ndarray:
        return np.interp(scores.astype(np.float64), self.scores, self.probabilities)

    def to_json(self) -> dict[str, list[float]]:
        return {"scores": self.scores.tolist(), "probabilities": self.probabilities.tolist()}

    @classmethod
    def from_json(cls, document: dict[str, list[float]]) -> Calibration:
        return cls(
            np.asarray(document["scores"], np.float64), np.asarray(document["probabilities"], np.float64)
        )


@dataclass(frozen=True)
class TrainedRanker:
    booster: xgb.Booster
    names: list[str]
    pairs: int
    clips: int
    positives: int
    train_ndcg: float
    trees: int  # chosen on the held-out week (n_estimators without one)
    holdout_week: int | None
    holdout_ndcg: float  # NDCG@eval_at of the held-out clips' candidates at `trees`
    calibration: Calibration


def train_ranker(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    n_rows: int,
    params: RankerParams,
    *,
    threads: int,
) -> TrainedRanker:
    """Fit on the `n_rows` pairs of `batches` (see `TrainingPairs`) with `threads` threads
    (`fit_ranker`)."""
    return fit_ranker(read_training_pairs(batches, schema, n_rows, params), params, threads=threads)


def read_training_pairs(
    batches: Iterable[pa.RecordBatch], schema: pa.Schema, n_rows: int, params: RankerParams
) -> TrainingPairs:
    """Every feature column of `schema` of the `n_rows` training pairs, read once, with the target the
    objective takes (0/1 for a probability objective, the graded relevance for a ranking one)."""
    if n_rows == 0:
        raise VklsvdError(
            "no training pairs: no training clip has both relevant and irrelevant candidates; use more "
            "training weeks (var training_weeks) or more data"
        )
    pairs = TrainingPairs(batches, feature_columns(schema), n_rows)
    pairs.read()
    if params.objective.startswith("binary:"):
        pairs.labels = (pairs.labels > 0).astype(np.float32)  # a probability of engaging: graded -> 0/1
    if np.unique(pairs.query_ids).size < 2:
        raise VklsvdError(
            "not enough training clips with both relevant and irrelevant candidates to train the ranker; "
            "use more training weeks (var training_weeks) or more data"
        )
    return pairs


def fit_ranker(
    pairs: TrainingPairs, params: RankerParams, *, threads: int, trees: int | None = None
) -> TrainedRanker:
    """One fit on pairs already read. With held-out clips (`is_holdout`), other pairs to train on and
    `trees` None: every other pair trains, the held-out clips stop it after `early_stopping_rounds`
    rounds without a better `params.stopping_metric` and calibrate its scores (`fit_with_holdout`).
    Otherwise every pair trains `trees` trees (the ablation's rankers) or `n_estimators` trees,
    calibrated in sample."""
    if trees is None and pairs.holdout.any() and not pairs.holdout.all():
        return fit_with_holdout(pairs, params, threads)
    return fit_all_pairs(pairs, params, threads, params.n_estimators if trees is None else trees)


def fit_all_pairs(pairs: TrainingPairs, params: RankerParams, threads: int, trees: int) -> TrainedRanker:
    """`trees` trees on every pair; the calibration is fitted in sample (optimistic, but monotone all the
    same) and there is no held-out NDCG."""
    pairs.select(None)
    data = xgb.QuantileDMatrix(pairs, max_bin=params.max_bin, nthread=threads)
    labels, query_ids = pairs.sorted_labels_and_queries()
    progress = Progress("ranker training", "trees", trees)
    booster = xgb.train(
        params.booster_params(threads), data, num_boost_round=trees, callbacks=[_ProgressCallback(progress)]
    )
    predictions = booster.predict(data)
    train_ndcg = mean_ranked_ndcg(query_ids, predictions, labels > 0, params.eval_at)
    progress.finish(f"{labels.size:,} pairs, {trees} trees, train NDCG {train_ndcg:.4f}")
    return TrainedRanker(
        booster, pairs.names, int(labels.size), int(np.unique(query_ids).size), int((labels > 0).sum()),
        train_ndcg, trees, None, float("nan"), Calibration.fit(predictions, labels > 0),
    )  # fmt: skip


def fit_with_holdout(pairs: TrainingPairs, params: RankerParams, threads: int) -> TrainedRanker:
    """Every pair but the held-out clips' trains; the held-out clips (every candidate of up to
    `ranker_holdout_clips` clips of the last training week, as served) choose the number of trees by
    early stopping and calibrate the scores. One fit: the other clips of the held-out week train with
    the earlier weeks, so the freshest week is not left out of the model, and no second fit on every
    pair is needed (the former refit with the chosen trees took 1.67x as long and scored 0.1948 against
    0.1924 on the demo's candidates, within the noise of 238 clips; benchmarks/results/ranker_settings/)."""
    holdout_week = int(pairs.weeks[pairs.holdout].max())
    pairs.select(~pairs.holdout)
    fit = xgb.QuantileDMatrix(pairs, max_bin=params.max_bin, nthread=threads)
    labels, query_ids = pairs.sorted_labels_and_queries()
    pairs.select(pairs.holdout)
    evaluation = xgb.QuantileDMatrix(pairs, ref=fit, max_bin=params.max_bin, nthread=threads)
    held_out_labels, _ = pairs.sorted_labels_and_queries()
    progress = Progress(
        f"ranker training (held-out clips of week {holdout_week})", "trees", params.n_estimators
    )
    history: dict[str, dict[str, list[float]]] = {}
    booster = xgb.train(
        params.booster_params(threads),
        fit,
        num_boost_round=params.n_estimators,
        evals=[(evaluation, "holdout")],
        evals_result=history,
        early_stopping_rounds=params.early_stopping_rounds,
        verbose_eval=False,
        callbacks=[_ProgressCallback(progress)],
    )
    trees = int(booster.best_iteration) + 1
    booster = booster[:trees]  # the saved model is the best round's, not the rounds after it
    ndcg = float(history["holdout"][f"ndcg@{params.eval_at}"][trees - 1])
    calibration = Calibration.fit(booster.predict(evaluation), held_out_labels > 0)
    train_ndcg = mean_ranked_ndcg(query_ids, booster.predict(fit), labels > 0, params.eval_at)
    progress.finish(f"{labels.size:,} pairs, {trees} trees, held-out NDCG {ndcg:.4f}")
    return TrainedRanker(
        booster, pairs.names, int(labels.size), int(np.unique(query_ids).size), int((labels > 0).sum()),
        train_ndcg, trees, holdout_week, ndcg, calibration,
    )  # fmt: skip


class _ProgressCallback(xgb.callback.TrainingCallback):
    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def after_iteration(self, model: xgb.Booster, epoch: int, evals_log: dict) -> bool:
        self.progress.advance(1)
        return False


def feature_importance(ranker: TrainedRanker, top: int = 10) -> list[str]:
    """The `top` features by total gain, best first (ties by name)."""
    gains = ranker.booster.get_score(importance_type="gain")
    named = {
        ranker.names[int(key[1:])] if key.startswith("f") and key[1:].isdigit() else key: float(np.sum(value))
        for key, value in gains.items()
    }
    return [name for name, _ in sorted(named.items(), key=lambda item: (-item[1], item[0]))[:top]]


def save_ranker(
    booster: xgb.Booster,
    names: list[str],
    params: RankerParams,
    path: Path,
    calibration: Calibration | None = None,
) -> str:
    """Booster JSON plus its feature names, parameters and score calibration, written atomically;
    returns the sha256."""
    document = {
        "features": names,
        "params": asdict(params),
        "calibration": calibration.to_json() if calibration else None,
        "booster": json.loads(booster.save_raw("json")),
    }
    return write_atomically(path, lambda target: target.write_text(json.dumps(document, sort_keys=True)))


@dataclass(frozen=True)
class SavedRanker:
    booster: xgb.Booster
    names: list[str]
    params: RankerParams
    calibration: Calibration | None


def read_ranker_document(path: str | Path, sha256: str) -> str:
    """The text of a saved ranker (save_ranker), checked against its sha256."""
    return verified_path(path, sha256).read_text()


def parse_saved_ranker(text: str) -> SavedRanker:
    """The saved booster, its feature names, the parameters it was trained with and its calibration,
    from the text save_ranker wrote."""
    document = json.loads(text)
    booster = xgb.Booster()
    booster.load_model(bytearray(json.dumps(document["booster"]).encode()))
    stored_calibration = _stored_calibration(document)
    calibration = Calibration.from_json(stored_calibration) if stored_calibration else None
    return SavedRanker(booster, list(document["features"]), RankerParams(**document["params"]), calibration)


def saved_ranker_is_calibrated(text: str) -> bool:
    """Whether the ranker save_ranker wrote as `text` scores with a calibrated probability, read without
    loading its booster."""
    return _stored_calibration(json.loads(text)) is not None


def _stored_calibration(document: dict[str, Any]) -> Any:
    """The calibration entry of a saved ranker's document; None for an uncalibrated ranker."""
    return document.get("calibration") or None


def load_saved_ranker(path: str | Path, sha256: str) -> SavedRanker:
    return parse_saved_ranker(read_ranker_document(path, sha256))


def load_ranker(path: str | Path, sha256: str) -> tuple[xgb.Booster, list[str]]:
    saved = load_saved_ranker(path, sha256)
    return saved.booster, saved.names


def score_pairs(booster: xgb.Booster, names: list[str], pairs: pa.Table | pa.RecordBatch) -> np.ndarray:
    return booster.inplace_predict(feature_matrix(pairs, names)).astype(np.float64)


def score_pair_batches(
    booster: xgb.Booster,
    names: list[str],
    batches: Iterable[pa.RecordBatch],
    *,
    threads: int,
    calibration: Calibration | None = None,
) -> pa.Table:
    """(item_id, user_id, score) of every pair of a stream of batches, scored batch by batch, and with a
    `calibration` the calibrated `probability` of each."""
    booster.set_param({"nthread": threads})
    progress = Progress("ranker scoring", "pairs")
    scored = []
    for batch in batches:
        scored.append(score_pair_batch(booster, names, batch, calibration))
        progress.advance(batch.num_rows)
    progress.finish()
    return pa.Table.from_batches(scored, scored_pairs_schema(calibration is not None))


def scored_pairs_schema(calibrated: bool) -> pa.Schema:
    """(item_id, user_id, score[, probability]): what score_pair_batch returns."""
    fields = [("item_id", pa.uint32()), ("user_id", pa.uint32()), ("score", pa.float64())]
    return pa.schema([*fields, ("probability", pa.float64())] if calibrated else fields)


def score_pair_batch(
    booster: xgb.Booster, names: list[str], batch: pa.RecordBatch, calibration: Calibration | None
) -> pa.RecordBatch:
    """(item_id, user_id, score) of the pairs of one batch, and with a `calibration` the calibrated
    `probability` of each."""
    score = score_pairs(booster, names, batch)
    columns = [
        pa.array(column(batch, "item_id", np.uint32), pa.uint32()),
        pa.array(column(batch, "user_id", np.uint32), pa.uint32()),
        pa.array(score, pa.float64()),
    ]
    if calibration is not None:
        columns.append(pa.array(calibration.probability(score), pa.float64()))
    return pa.RecordBatch.from_arrays(columns, schema=scored_pairs_schema(calibration is not None))


__all__ = [
    "Calibration",
    "RankerParams",
    "SavedRanker",
    "TrainedRanker",
    "TrainingPairs",
    "feature_columns",
    "feature_importance",
    "feature_matrix",
    "fit_all_pairs",
    "fit_ranker",
    "fit_with_holdout",
    "load_ranker",
    "load_saved_ranker",
    "parse_saved_ranker",
    "read_ranker_document",
    "read_training_pairs",
    "save_ranker",
    "saved_ranker_is_calibrated",
    "score_pair_batch",
    "score_pair_batches",
    "score_pairs",
    "scored_pairs_schema",
    "train_ranker",
]
