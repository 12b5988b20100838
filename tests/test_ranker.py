from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from harness import default_ranker_params
from vklsvd.errors import VklsvdError
from vklsvd.ranking.adapters import pair_scorer, score_target_pairs
from vklsvd.ranking.metrics import mean_ranked_ndcg
from vklsvd.ranking.ranker import (
    RankerParams,
    TrainedRanker,
    feature_columns,
    feature_importance,
    load_ranker,
    read_ranker_document,
    save_ranker,
    score_pair_batches,
    score_pairs,
    train_ranker,
)


def _pairs(seed: int, n_items: int = 40, n_users: int = 50) -> pa.Table:
    """Relevance depends on `signal` (strongly) and `noise` (not at all)."""
    rng = np.random.default_rng(seed)
    items = np.repeat(np.arange(1, n_items + 1, dtype=np.uint32), n_users)
    users = np.tile(np.arange(100, 100 + n_users, dtype=np.uint32), n_items)
    signal = rng.normal(size=items.size)
    label = (signal + 0.5 * rng.normal(size=items.size) > 1.2).astype(np.int8)
    return pa.table(
        {
            "query_id": items.astype(np.int64),
            # two training weeks: the second half of the clips is the later week, half of it held out
            "as_of_week": np.where(items > n_items // 2, 21, 20).astype(np.int32),
            "is_holdout": items > 3 * n_items // 4,
            "item_id": items,
            "user_id": users,
            "signal": signal.astype(np.float32),
            "noise": rng.normal(size=items.size).astype(np.float32),
            "flag": pa.array(rng.random(items.size) > 0.5),
            "label": label,
        }
    )


def _train(pairs: pa.Table, params: RankerParams, batch_rows: int = 500) -> TrainedRanker:
    batches = pairs.to_batches(max_chunksize=batch_rows)
    return train_ranker(batches, pairs.schema, pairs.num_rows, params, threads=2)


def test_feature_columns_skip_keys_and_label() -> None:
    assert feature_columns(_pairs(0, 2, 3).schema) == ["signal", "noise", "flag"]


def test_null_and_nan_features_become_the_missing_value_below_every_value() -> None:
    from vklsvd.ranking.ranker import MISSING_VALUE, feature_matrix

    table = pa.table(
        {
            "rate": pa.array([0.5, None, float("nan"), -3.0], pa.float64()),
            "flag": pa.array([True, None, False, True]),
        }
    )
    matrix = feature_matrix(table, ["rate", "flag"])
    assert matrix.dtype == np.float32 and not np.isnan(matrix).any()
    assert matrix[:, 0].tolist() == [0.5, MISSING_VALUE, MISSING_VALUE, -3.0]
    assert matrix[:, 1].tolist() == [1.0, MISSING_VALUE, 0.0, 1.0]
    assert MISSING_VALUE < -1e29


def test_ranker_learns_the_signal_and_round_trips(tmp_path: Path) -> None:
    params = default_ranker_params(n_estimators=40, seed=3)
    trained = _train(_pairs(0), params)
    names = trained.names
    assert trained.clips == 30 and trained.pairs == 1500 and trained.train_ndcg > 0.8
    assert feature_importance(trained)[0] == "signal"
    path = tmp_path / "ranker.json"
    digest = save_ranker(trained.booster, names, params, path)
    booster, loaded_names = load_ranker(path, digest)
    assert loaded_names == names
    held_out = _pairs(1)
    scores = score_pairs(booster, loaded_names, held_out)
    groups = held_out.column("item_id").to_numpy()
    labels = held_out.column("label").to_numpy()
    learned = mean_ranked_ndcg(groups, scores, labels > 0, 100)
    random_order = mean_ranked_ndcg(groups, np.random.default_rng(0).random(scores.size), labels > 0, 100)
    assert learned > random_order + 0.2
    assert np.array_equal(scores, score_pairs(booster, names, held_out))
    streamed = score_pair_batches(booster, names, held_out.to_batches(max_chunksize=300), threads=1)
    assert np.array_equal(streamed.column("score").to_numpy(), scores)
    assert streamed.column("user_id").to_pylist() == held_out.column("user_id").to_pylist()


def test_neither_row_order_nor_batch_size_changes_the_model() -> None:
    params = default_ranker_params(n_estimators=10, seed=4)
    pairs = _pairs(3)
    shuffled = pairs.take(np.random.default_rng(1).permutation(pairs.num_rows))
    models = [_train(pairs, params, batch_rows=137), _train(shuffled, params, batch_rows=5000)]
    first, second = (model.booster.predict(xgb_matrix(pairs, model.names)) for model in models)
    assert np.array_equal(first, second)


def xgb_matrix(pairs: pa.Table, names: list[str]):
    import xgboost as xgb

    from vklsvd.ranking.ranker import feature_matrix

    return xgb.DMatrix(feature_matrix(pairs, names))


def test_the_held_out_clips_choose_the_trees_and_every_other_pair_trains_once() -> None:
    # a high rate: the noise's held-out loss stops improving within the 60 rounds, whatever the default
    params = default_ranker_params(n_estimators=60, early_stopping_rounds=5, learning_rate=0.3, seed=3)
    learnable = _train(_pairs(0), params)
    assert learnable.holdout_week == 21 and 0 < learnable.holdout_ndcg <= 1
    assert learnable.booster.num_boosted_rounds() == learnable.trees  # the best round's model
    assert learnable.pairs == 1500 and learnable.clips == 30  # both weeks but the held-out clips
    rng = np.random.default_rng(9)
    pure_noise = _pairs(0)
    pure_noise = pure_noise.set_column(
        pure_noise.schema.get_field_index("signal"),
        "signal",
        pa.array(rng.normal(size=2000).astype(np.float32)),
    )
    noisy = _train(pure_noise, params)
    assert noisy.trees < learnable.trees  # nothing to learn: the held-out loss stops improving early


@pytest.mark.parametrize(
    ("objective", "stopping"),
    [("binary:logistic", "logloss"), ("rank:ndcg", "ndcg@100"), ("rank:pairwise", "ndcg@100")],
)
def test_probability_models_stop_on_log_loss_and_rankers_on_ndcg(objective: str, stopping: str) -> None:
    params = default_ranker_params(objective=objective)
    assert params.stopping_metric == stopping
    metrics = params.booster_params(threads=1)["eval_metric"]
    # XGBoost stops on the last metric; the held-out NDCG is recorded either way
    assert metrics[-1] == stopping and "ndcg@100" in metrics
    trained = _train(
        _pairs(0), default_ranker_params(objective=objective, n_estimators=40, early_stopping_rounds=5)
    )
    assert 0 < trained.holdout_ndcg <= 1 and trained.trees <= 40


@pytest.mark.parametrize("max_bin", [16, 64])
def test_a_coarser_histogram_holds_for_the_fit_and_the_held_out_clips(max_bin: int) -> None:
    """The held-out clips' matrix shares the fit's bins whatever `max_bin` is (not XGBoost's default)."""
    trained = _train(
        _pairs(0), default_ranker_params(n_estimators=20, early_stopping_rounds=5, max_bin=max_bin)
    )
    assert trained.holdout_week == 21 and trained.train_ndcg > 0.8


def test_without_held_out_clips_every_tree_is_trained() -> None:
    pairs = _pairs(0)
    pairs = pairs.set_column(
        pairs.schema.get_field_index("is_holdout"), "is_holdout", pa.array(np.zeros(2000, bool))
    )
    trained = _train(pairs, default_ranker_params(n_estimators=7))
    assert trained.trees == 7 and trained.holdout_week is None and np.isnan(trained.holdout_ndcg)


def test_when_every_pair_is_held_out_every_pair_trains() -> None:
    pairs = _pairs(0)
    pairs = pairs.set_column(
        pairs.schema.get_field_index("is_holdout"), "is_holdout", pa.array(np.ones(2000, bool))
    )
    trained = _train(pairs, default_ranker_params(n_estimators=7))
    assert trained.trees == 7 and trained.pairs == 2000 and trained.holdout_week is None


def test_graded_relevance_is_the_target_when_present() -> None:
    """`relevance` (graded) replaces the binary label as the target of a ranking objective: tripling it
    on the pairs of a second feature changes the model, and the relevant pairs are still counted as
    positives; a probability objective (binary:logistic) sees it as engaged or not."""
    logistic = default_ranker_params(n_estimators=10, seed=4, objective="binary:logistic")
    params = default_ranker_params(n_estimators=10, seed=4, objective="rank:ndcg")
    pairs = _pairs(3)
    label = pairs.column("label").to_numpy()
    flag = pairs.column("flag").to_numpy(zero_copy_only=False)
    graded = pairs.append_column("relevance", pa.array((label * np.where(flag, 3, 1)).astype(np.int8)))
    binary, weighted = _train(pairs, params), _train(graded, params)
    trained_on = ~pairs.column("is_holdout").to_numpy()
    assert "relevance" not in weighted.names
    assert weighted.positives == binary.positives == int(label[trained_on].sum())
    matrix = xgb_matrix(pairs, binary.names)
    assert not np.array_equal(binary.booster.predict(matrix), weighted.booster.predict(matrix))
    as_probability = [_train(table, logistic).booster.predict(matrix) for table in (pairs, graded)]
    assert np.array_equal(*as_probability)


def test_partitions_scored_apart_equal_the_whole_stream(tmp_path: Path) -> None:
    """What each Spark task does with its partition (pair_scorer) gives the scores and calibrated
    probabilities the dbt-duckdb model computes over the whole stream."""
    params = default_ranker_params(n_estimators=20, seed=3)
    trained = _train(_pairs(0), params)
    path = tmp_path / "ranker.json"
    digest = save_ranker(trained.booster, trained.names, params, path, trained.calibration)
    held_out = _pairs(1)
    whole = score_target_pairs(
        pa.table({"path": [str(path)], "sha256": [digest]}), held_out.to_batches(max_chunksize=700)
    )
    score_partition = pair_scorer(read_ranker_document(path, digest), threads=1)
    partitions = [held_out.slice(0, 450), held_out.slice(450, 1), held_out.slice(451)]
    scored = [batch for part in partitions for batch in score_partition(part.to_batches(max_chunksize=128))]
    apart = pa.Table.from_batches(scored)
    assert apart.schema.names == ["item_id", "user_id", "score", "probability"]
    assert apart.equals(whole.combine_chunks()), "partition-wise scoring differs from the whole stream"
    with pytest.raises(VklsvdError, match="sha256"):
        read_ranker_document(path, "0" * 64)


def test_calibration_maps_scores_to_engagement_rates() -> None:
    trained = _train(_pairs(0), default_ranker_params(n_estimators=30, seed=3))
    held_out = _pairs(1)
    scores = score_pairs(trained.booster, trained.names, held_out)
    probability = trained.calibration.probability(scores)
    assert ((probability >= 0) & (probability <= 1)).all()
    assert np.all(np.diff(probability[np.argsort(scores)]) >= -1e-12)  # monotone in the score
    label = held_out.column("label").to_numpy()
    top, bottom = scores >= np.quantile(scores, 0.9), scores <= np.quantile(scores, 0.5)
    assert probability[top].mean() > 3 * probability[bottom].mean()
    assert abs(probability.mean() - label.mean()) < 0.05


def test_a_stream_that_disagrees_with_its_count_is_refused() -> None:
    pairs = _pairs(0, 4, 10)
    batches = pairs.to_batches(max_chunksize=15)
    for n_rows in (pairs.num_rows - 1, pairs.num_rows + 1):
        with pytest.raises(VklsvdError, match="counted"):
            train_ranker(batches, pairs.schema, n_rows, default_ranker_params(n_estimators=2), threads=1)


def test_training_is_deterministic(tmp_path: Path) -> None:
    params = default_ranker_params(n_estimators=20, seed=5)
    digests = []
    for name in ("a.json", "b.json"):
        trained = _train(_pairs(2), params)
        digests.append(save_ranker(trained.booster, trained.names, params, tmp_path / name))
    assert digests[0] == digests[1]


def test_no_usable_clips_is_a_clear_error() -> None:
    one_clip = _pairs(0, 1, 4)
    with pytest.raises(VklsvdError, match="not enough training clips"):
        _train(one_clip, default_ranker_params(n_estimators=5))


def test_tampered_model_file_is_refused(tmp_path: Path) -> None:
    params = default_ranker_params(n_estimators=5)
    trained = _train(_pairs(0), params)
    path = tmp_path / "ranker.json"
    digest = save_ranker(trained.booster, trained.names, params, path)
    path.write_text(path.read_text() + " ")
    with pytest.raises(VklsvdError, match="another build overwrote it"):
        load_ranker(path, digest)


def test_feature_families_match_whole_names_and_must_match_something() -> None:
    from vklsvd.ranking.ablation import family_columns

    features = ["cos_watched", "u_impressions_all", "ua_positives_all", "hnsw_rank", "rrf_score"]
    families = {"user": ["u_.*"], "candidates": [".*_rank", ".*_score"]}
    assert family_columns(features, families) == {
        "user": ["u_impressions_all"],  # whole-name match: u_.* is not ua_.*
        "candidates": ["hnsw_rank", "rrf_score"],
    }
    with pytest.raises(VklsvdError, match=r"family 'typo'.*matches no feature"):
        family_columns(features, {"typo": ["cosine_.*"]})
    with pytest.raises(VklsvdError, match="non-empty list"):
        family_columns(features, {"empty": []})
    with pytest.raises(VklsvdError, match="reference ranker"):
        family_columns(features, {"all_features": ["u_.*"]})


FAMILIES = {"signal": ["signal"], "noise": ["noise", "flag"]}


def _ablation(pairs: pa.Table, targets: pa.Table, *, max_pairs: int, saved=None) -> dict:
    from vklsvd.ranking.ablation import ablation_scores

    params = default_ranker_params(n_estimators=15, seed=3)
    saved = saved if saved is not None else _train(pairs, params).booster
    return ablation_scores(
        lambda: pairs.to_batches(max_chunksize=400), pairs.schema, pairs.num_rows,
        lambda: targets.to_batches(max_chunksize=300),
        features=["signal", "noise", "flag"], families=FAMILIES,
        params=params, trees=15, threads=1, saved=saved, max_pairs=max_pairs, seed=5,
    )  # fmt: skip


def _quality(scores: dict, targets: pa.Table) -> dict[str, float]:
    groups, labels = targets.column("item_id").to_numpy(), targets.column("label").to_numpy()
    return {
        name: mean_ranked_ndcg(groups, table.column("score").to_numpy(), labels > 0, 100)
        for name, table in scores.items()
    }


def test_ablation_retrains_without_each_family() -> None:
    from vklsvd.ranking.ablation import REFERENCE

    pairs, targets = _pairs(0), _pairs(1)
    saved = _train(pairs, default_ranker_params(n_estimators=15, seed=3)).booster
    scores = _ablation(pairs, targets, max_pairs=pairs.num_rows, saved=saved)
    quality = _quality(scores, targets)
    assert set(quality) == {REFERENCE, "signal", "noise"} and all(t.num_rows == 2000 for t in scores.values())
    assert quality["noise"] > quality["signal"] + 0.2  # without the signal nothing is learnt
    # within the bound the reference is the saved ranker itself
    assert np.array_equal(
        scores[REFERENCE].column("score").to_numpy(), score_pairs(saved, ["signal", "noise", "flag"], targets)
    )


def test_ablation_beyond_its_bound_fits_every_ranker_and_the_reference_on_one_clip_sample() -> None:
    from vklsvd.ranking.ablation import REFERENCE

    pairs, targets = _pairs(0), _pairs(1)
    saved = _train(pairs, default_ranker_params(n_estimators=15, seed=3)).booster
    scores = _ablation(pairs, targets, max_pairs=1000, saved=saved)  # 20 of the 40 clips of 50 pairs
    quality = _quality(scores, targets)
    full = score_pairs(saved, ["signal", "noise", "flag"], targets)
    assert set(quality) == {REFERENCE, "signal", "noise"}
    assert not np.allclose(scores[REFERENCE].column("score").to_numpy(), full)  # refitted on the sample
    assert quality[REFERENCE] > quality["signal"] + 0.2 and quality["noise"] > quality["signal"] + 0.2
    # seeded: the same sample and rankers on a second run
    again = _ablation(pairs, targets, max_pairs=1000, saved=saved)
    assert all(scores[name].equals(again[name]) for name in scores)


def test_clip_sample_draws_whole_clips_within_the_bound_and_restricted_keeps_their_order() -> None:
    from vklsvd.ranking.ranker import read_training_pairs

    table = _pairs(0, n_items=30, n_users=10)
    params = default_ranker_params(n_estimators=5)
    pairs = read_training_pairs(table.to_batches(max_chunksize=70), table.schema, table.num_rows, params)
    assert pairs.clip_sample(300, seed=1) is None  # every pair fits
    rows = pairs.clip_sample(95, seed=1)
    assert rows is not None and rows.size == 90 and np.all(np.diff(rows) > 0)
    clips = np.unique(pairs.query_ids[rows])
    assert clips.size == 9 and np.isin(pairs.query_ids, clips).sum() == 90  # whole clips only
    assert not np.array_equal(rows, pairs.clip_sample(95, seed=2))
    assert pairs.clip_sample(5, seed=1).size == 10  # at least one clip
    with pytest.raises(VklsvdError, match="max_pairs >= 1"):
        pairs.clip_sample(0, seed=1)

    subset = pairs.restricted(rows, left_out=["noise"])
    assert subset.names == ["signal", "flag"] and subset.n_rows == 90
    np.testing.assert_array_equal(subset.features[:, 0], pairs.features[rows, 0])
    handed_over = subset.query_ids[subset.order]
    assert np.all(np.diff(handed_over) >= 0)  # still in query order
    np.testing.assert_array_equal(
        subset.labels[subset.order], pairs.labels[pairs.order][np.isin(pairs.query_ids[pairs.order], clips)]
    )


def test_ablation_without_families_reads_no_pairs() -> None:
    from vklsvd.ranking.ablation import ablation_scores

    def unread() -> list:
        raise AssertionError("the pairs were read although no family is left out")

    scores = ablation_scores(
        unread, _pairs(0).schema, 0, unread,
        features=["signal", "noise", "flag"], families={},
        params=default_ranker_params(n_estimators=5), trees=5, threads=1, saved=None, max_pairs=1, seed=0,
    )  # fmt: skip
    assert scores == {}
