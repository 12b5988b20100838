"""Learning-to-rank over candidate (clip, user) pairs with XGBoost.

Each target clip is a query and its candidate users the documents, so a LambdaMART objective optimises
NDCG over users of a clip, which is exactly the challenge metric. Training pairs come from an earlier
week (labels of that week, features as of it); the trained booster scores the target week's candidates.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xgboost as xgb

from vklsvd.arrow_io import column
from vklsvd.artifacts import verified_path, write_atomically
from vklsvd.errors import VklsvdError
from vklsvd.segments import rank_within_sorted

#: Columns of a pairs table that are keys or the target, never features.
NON_FEATURES = frozenset({"item_id", "user_id", "as_of_week", "label", "target_week"})


@dataclass(frozen=True)
class RankerParams:
    objective: str = "rank:ndcg"
    n_estimators: int = 300
    max_depth: int = 6
    learning_rate: float = 0.05
    min_child_weight: float = 1.0
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    seed: int = 0
    eval_at: int = 100


def feature_columns(table: pa.Table) -> list[str]:
    """Numeric and boolean columns other than keys and the label, in table order."""
    names = []
    for field in table.schema:
        if field.name in NON_FEATURES:
            continue
        if (
            pa.types.is_integer(field.type)
            or pa.types.is_floating(field.type)
            or pa.types.is_boolean(field.type)
        ):
            names.append(field.name)
    return names


def feature_matrix(table: pa.Table, names: list[str]) -> np.ndarray:
    """Float32 matrix of the named columns; nulls become NaN, which XGBoost treats as missing."""
    missing = [name for name in names if name not in table.column_names]
    if missing:
        raise VklsvdError(f"scoring pairs lack feature column(s) {missing} the ranker was trained with")
    columns = []
    for name in names:
        values = table.column(name)
        if pa.types.is_boolean(values.type):
            values = pc.cast(values, pa.int8())
        columns.append(
            np.asarray(pc.cast(values, pa.float32()).to_numpy(zero_copy_only=False), dtype=np.float32)
        )
    return np.column_stack(columns) if columns else np.empty((table.num_rows, 0), dtype=np.float32)


def _grouped(table: pa.Table) -> pa.Table:
    """Rows sorted by clip (XGBoost needs each query's rows contiguous), then by user for determinism."""
    return table.sort_by([("item_id", "ascending"), ("user_id", "ascending")])


def train_ranker(pairs: pa.Table, params: RankerParams) -> tuple[xgb.XGBRanker, list[str], dict[str, float]]:
    """Fit on clips that have at least one positive and one negative candidate.

    Returns the model, its feature names and training facts (pairs, clips, positives, train NDCG).
    """
    pairs = _grouped(pairs)
    labels = column(pairs, "label", np.float32)
    items = column(pairs, "item_id", np.uint32)
    positives = np.bincount(np.unique(items, return_inverse=True)[1], weights=labels)
    counts = np.unique(items, return_counts=True)[1]
    useful_items = np.unique(items)[(positives > 0) & (positives < counts)]
    keep = np.isin(items, useful_items)
    if useful_items.size < 2:
        raise VklsvdError(
            "not enough training clips with both relevant and irrelevant candidates to train the ranker; "
            "use more training weeks (var training_weeks) or more data"
        )
    pairs = pairs.filter(pa.array(keep))
    names = feature_columns(pairs)
    matrix = feature_matrix(pairs, names)
    qid = np.unique(items[keep], return_inverse=True)[1]
    model = xgb.XGBRanker(
        objective=params.objective,
        n_estimators=params.n_estimators,
        max_depth=params.max_depth,
        learning_rate=params.learning_rate,
        min_child_weight=params.min_child_weight,
        subsample=params.subsample,
        colsample_bytree=params.colsample_bytree,
        random_state=params.seed,
        tree_method="hist",
        n_jobs=2,
        eval_metric=f"ndcg@{params.eval_at}",
        lambdarank_pair_method="topk",
        lambdarank_num_pair_per_sample=params.eval_at,
    )
    model.fit(matrix, labels[keep], qid=qid)
    facts = {
        "pairs": float(keep.sum()),
        "clips": float(useful_items.size),
        "positives": float(labels[keep].sum()),
        "train_ndcg": mean_candidate_ndcg(qid, labels[keep], model.predict(matrix), params.eval_at),
    }
    return model, names, facts


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


def save_ranker(model: xgb.XGBRanker, names: list[str], params: RankerParams, path: Path) -> str:
    """Booster JSON plus its feature names and parameters, written atomically; returns the sha256."""
    booster = json.loads(model.get_booster().save_raw("json").decode())
    document = {"features": names, "params": asdict(params), "booster": booster}
    return write_atomically(path, lambda target: target.write_text(json.dumps(document, sort_keys=True)))


def load_ranker(path: str | Path, sha256: str) -> tuple[xgb.Booster, list[str]]:
    document = json.loads(verified_path(path, sha256).read_text())
    booster = xgb.Booster()
    booster.load_model(bytearray(json.dumps(document["booster"]).encode()))
    return booster, list(document["features"])


def score_pairs(booster: xgb.Booster, names: list[str], pairs: pa.Table) -> np.ndarray:
    return booster.inplace_predict(feature_matrix(pairs, names)).astype(np.float64)


__all__ = [
    "RankerParams",
    "feature_columns",
    "feature_matrix",
    "load_ranker",
    "mean_candidate_ndcg",
    "save_ranker",
    "score_pairs",
    "train_ranker",
]
