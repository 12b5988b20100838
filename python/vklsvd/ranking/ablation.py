"""Feature-family ablation of the ranker: the same training pairs, trees and settings, one family of
feature columns left out at a time, so the validation NDCG of each shows what the family adds.

Its cost is bounded whatever the data's size: beyond `max_pairs` training pairs the ablation's rankers
are fitted on a seeded sample of whole training clips, and so is a reference with every feature
(`REFERENCE`), so that each family is measured against a ranker that saw the same pairs. Within the
bound the reference is the saved ranker itself.

A family is a set of column-name patterns (regular expressions matched against the whole name), from the
var `ranker_feature_families`; every family must match at least one feature of the trained ranker, so a
renamed column cannot silently turn an ablation into a copy of the full model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import xgboost as xgb

from vklsvd.errors import VklsvdError
from vklsvd.io.arrow import column
from vklsvd.progress import Progress, logger
from vklsvd.ranking.ranker import RankerParams, feature_matrix, fit_ranker, read_training_pairs

Batches = Callable[[], Iterable[pa.RecordBatch]]
#: The ablation's key of the ranker with every feature, fitted on the same training pairs as the others.
REFERENCE = "all_features"


def family_columns(features: Sequence[str], families: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The feature columns of each family, in feature order; a family matching none is an error."""
    matched: dict[str, list[str]] = {}
    if REFERENCE in families:
        raise VklsvdError(
            f"var ranker_feature_families: '{REFERENCE}' names the ablation's reference ranker with every "
            "feature; give the family another name"
        )
    for family, patterns in families.items():
        if isinstance(patterns, str) or not patterns:
            raise VklsvdError(
                f"var ranker_feature_families: family '{family}' must be a non-empty list of column "
                f"patterns (regular expressions), got {patterns!r}"
            )
        compiled = [re.compile(str(pattern)) for pattern in patterns]
        columns = [name for name in features if any(rx.fullmatch(name) for rx in compiled)]
        if not columns:
            raise VklsvdError(
                f"var ranker_feature_families: family '{family}' ({list(patterns)}) matches no feature of "
                f"the ranker; its features are {list(features)}"
            )
        matched[str(family)] = columns
    return matched


def ablation_scores(
    training: Batches,
    schema: pa.Schema,
    n_rows: int,
    targets: Batches,
    *,
    features: Sequence[str],
    families: Mapping[str, Sequence[str]],
    params: RankerParams,
    trees: int,
    threads: int,
    saved: xgb.Booster,
    max_pairs: int,
    seed: int,
) -> dict[str, pa.Table]:
    """For every family, a ranker trained without its columns (`trees` trees, the full model's count)
    and its (item_id, user_id, score) for every target pair, plus the same for `REFERENCE`: the `saved`
    ranker when the training pairs number at most `max_pairs`, else a ranker with every feature fitted
    on the seeded sample of whole clips (`TrainingPairs.clip_sample`) that the families' rankers are
    fitted on too. The training pairs are read once and the target pairs streamed once, every model
    scoring each batch: two passes over the data, whatever the number of families."""
    columns = family_columns(features, families)
    if not columns:  # no family to leave out: neither the training nor the target pairs are read
        return {}
    pairs = read_training_pairs(training(), schema, n_rows, params)
    if pairs.names != list(features):
        raise VklsvdError(
            f"the training pairs' features {pairs.names} are not the ranker's {list(features)}; rebuild "
            "ml_ranker_model before the ablation"
        )
    sample = pairs.clip_sample(max_pairs, seed)
    every_position = list(range(len(features)))
    models: dict[str, tuple[xgb.Booster, list[int]]] = {}
    if sample is None:
        saved.set_param({"nthread": threads})
        models[REFERENCE] = (saved, every_position)
    else:
        pairs = pairs.restricted(sample)
        logger().info(
            "ablation: %s of %s training pairs (%s clips, seed %d; var ablation_max_training_pairs)",
            f"{pairs.n_rows:,}", f"{n_rows:,}", f"{np.unique(pairs.query_ids).size:,}", seed,
        )  # fmt: skip
        columns = {REFERENCE: [], **columns}
    for family, left_out in columns.items():
        trained = fit_ranker(pairs.restricted(left_out=left_out), params, threads=threads, trees=trees)
        trained.booster.set_param({"nthread": threads})
        models[family] = (trained.booster, [features.index(name) for name in trained.names])
    del pairs
    parts: dict[str, list[np.ndarray]] = {family: [] for family in models}
    items, users = [], []
    progress = Progress("ablation scoring", "pairs")
    for batch in targets():
        matrix = feature_matrix(batch, list(features))
        items.append(column(batch, "item_id", np.uint32))
        users.append(column(batch, "user_id", np.uint32))
        for family, (booster, positions) in models.items():
            parts[family].append(booster.inplace_predict(matrix[:, positions]).astype(np.float64))
        progress.advance(batch.num_rows)
    progress.finish(f"{len(models)} rankers")
    item_ids = np.concatenate([np.empty(0, np.uint32), *items])
    user_ids = np.concatenate([np.empty(0, np.uint32), *users])
    return {
        family: pa.table(
            {
                "item_id": pa.array(item_ids, pa.uint32()),
                "user_id": pa.array(user_ids, pa.uint32()),
                "score": pa.array(np.concatenate([np.empty(0), *scores]), pa.float64()),
            }
        )
        for family, scores in parts.items()
    }
