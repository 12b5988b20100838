"""Bad input gets a clear error naming the file, column or var and the fix; accepted variants still build."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from harness import Build, project_vars

WEEK = "interactions/train/week_{:02d}.parquet"


@pytest.fixture
def dataset_copy(tiny_dataset: Path, tmp_path: Path) -> Path:
    root = tmp_path / "dataset"
    shutil.copytree(tiny_dataset, root)
    return root


def _rewrite(path: Path, change: Callable[[pa.Table], pa.Table]) -> None:
    pq.write_table(change(pq.read_table(path)), path)


def _fails_with(build: Build, variables: dict, *fragments: str) -> str:
    result = build.run("build", variables)
    assert not result.success
    for fragment in fragments:
        assert fragment in result.output, result.output[-3000:]
    return result.output


@pytest.mark.parametrize(
    ("setup", "variables", "fragments"),
    [
        (lambda root: shutil.rmtree(root), {}, ["does not exist or holds no files", "data_root"]),
        (lambda root: None, {"subsample": "up0.01_ip0.01"}, ["no weekly files", "var subsample"]),
        (
            lambda root: [(root / WEEK.format(w)).unlink() for w in (3, 7)],
            {},
            ["missing weekly files for week(s) [3, 7]"],
        ),
        (
            lambda root: (root / "interactions/validation/week_25.parquet").unlink(),
            {},
            ["week(s) [25]", "the target week 25 holds the labels"],
        ),
        (
            lambda root: (root / "metadata/item_embeddings.npz").unlink(),
            {},
            ["missing metadata file", "item_embeddings.npz"],
        ),
        (
            lambda root: _rewrite(root / WEEK.format(5), lambda t: t.drop_columns(["share"])),
            {},
            ["week_05.parquet: missing column 'share'"],
        ),
        (
            lambda root: _rewrite(
                root / WEEK.format(2),
                lambda t: t.set_column(5, "timespent", pc.cast(t.column("timespent"), pa.float32())),
            ),
            {},
            ["week_02.parquet: column 'timespent' has type FLOAT"],
        ),
        (
            lambda root: None,
            {
                "embedding_dim": 65,
                "list_size": 0,
                "user_capacity": 2.5,
                "ranker_params": {**project_vars()["ranker_params"], "learning_rate": 0},
                "bubble_params": {**project_vars()["bubble_params"], "covariance": "ful"},
                "hnsw_params": {"m": 32},
                "semantic_id_params": {**project_vars()["semantic_id_params"], "sizes": [64, 0]},
            },
            [
                "7 vars are not valid:",
                "var embedding_dim must be a whole number >= 1 and <= 64",
                "var list_size must be a whole number >= 1, got 0",
                "var user_capacity must be a whole number >= 1, got 2.5",
                "var ranker_params.learning_rate must be a number > 0 and <= 1, got 0",
                "var bubble_params.covariance must be one of ['full'",
                "var hnsw_params: unknown key(s) [], missing key(s) ['profile_kinds', 'ef_construction'",
                "var semantic_id_params.sizes must be a non-empty list",
            ],
        ),
        (
            lambda root: None,
            {"embedding_dim": 0},
            ["var embedding_dim must be a whole number >= 1 and <= 64"],
        ),
        (
            lambda root: None,
            {"ranker_params": {**project_vars()["ranker_params"], "max_bins": 64}},
            ["var ranker_params: unknown key(s) ['max_bins']"],
        ),
        (
            lambda root: None,
            {"candidate_k": {"hnsw": 100}},
            ["var candidate_k must map every candidate source"],
        ),
        (
            lambda root: None,
            {"feature_ablation": "yes"},
            ["feature_ablation", "into type 'bool'"],
        ),
        (lambda root: None, {"submission_path": "out/sub.csv"}, ["var submission_path must name a .parquet"]),
        (lambda root: None, {"positive_signals": ["like", "likes"]}, ["unknown signal 'likes'"]),
        (lambda root: None, {"user_sample": "xx0.5"}, ["sampling rule 'xx0.5' is not valid"]),
    ],
    ids=[
        "data_root_missing",
        "subsample_missing",
        "weeks_missing",
        "target_week_missing",
        "embeddings_missing",
        "column_missing",
        "float_timespent",
        "several_vars_at_once",
        "prefix_zero",
        "ranker_param_unknown",
        "candidate_source_missing",
        "switch_not_boolean",
        "submission_not_parquet",
        "unknown_signal",
        "bad_sampling_rule",
    ],
)
def test_refused_before_any_model_runs(dataset_copy: Path, make_build, setup, variables, fragments) -> None:
    setup(dataset_copy)
    build = make_build("bad")
    output = _fails_with(build, {"data_root": str(dataset_copy), **variables}, *fragments)
    assert not build.submission.exists() and "OK created" not in output


def test_a_capacity_too_small_for_the_target_clips_stops_the_build_before_the_ranker(
    dataset_copy: Path, make_build
) -> None:
    """Known as soon as the users and the target clips are: the data test fails and the models after it
    (candidates, ranker, assignment) are skipped."""
    build = make_build("capacity")
    variables = {"data_root": str(dataset_copy), "user_capacity": 1}
    _fails_with(build, variables, "capacity_fills_every_clip_int_as_of_clips")
    tables = {name for (name,) in build.query("select table_name from information_schema.tables")}
    assert "int_as_of_clips" in tables and not {"candidates", "ml_ranker_model"} & tables
    assert not build.submission.exists()


def _duplicate_a_pair(table: pa.Table) -> pa.Table:
    return pa.concat_tables([table, table.slice(0, 1)])


def _zero_user(table: pa.Table) -> pa.Table:
    users = table.column("user_id").to_numpy().copy()
    users[0] = 0
    return table.set_column(0, "user_id", pa.array(users, pa.uint32()))


def _unknown_item(table: pa.Table) -> pa.Table:
    items = table.column("item_id").to_numpy().copy()
    items[0] = 4_000_000_000
    return table.set_column(1, "item_id", pa.array(items, pa.uint32()))


@pytest.mark.parametrize(
    ("change", "test_name"),
    [
        (_duplicate_a_pair, "unique_combination_of_columns_stg_vklsvd__interactions_user_id__item_id"),
        (_zero_user, "greater_than_zero_stg_vklsvd__interactions_user_id"),
        (_unknown_item, "relationships_stg_vklsvd__interactions_item_id"),
    ],
    ids=["duplicate_pair", "zero_id", "item_missing_from_metadata"],
)
def test_broken_guarantees_stop_the_build(dataset_copy: Path, make_build, change, test_name: str) -> None:
    _rewrite(dataset_copy / WEEK.format(4), change)
    build = make_build("broken")
    _fails_with(build, {"data_root": str(dataset_copy)}, test_name)
    assert not build.submission.exists()


def test_empty_subsample_and_week_without_new_clips(dataset_copy: Path, make_build) -> None:
    _fails_with(
        make_build("nobody"),
        {"data_root": str(dataset_copy), "user_sample": "ur0.0001"},
        "not_empty_int_users_sampled",
    )
    old_items = pq.read_table(dataset_copy / WEEK.format(0)).column("item_id")
    validation = dataset_copy / "interactions/validation/week_25.parquet"
    _rewrite(validation, lambda t: t.filter(pc.is_in(t.column("item_id"), old_items)))
    _fails_with(make_build("no_new_clips"), {"data_root": str(dataset_copy)}, "not_empty_int_target_clips")


def test_safe_variants_are_accepted(dataset_copy: Path, make_build, capsys) -> None:
    """int64 ids, an extra column, float32 embeddings for a fifth of the clips only (target clips among
    those without) and a sampled training set all build; the build's output and the report say how many
    clips lack an embedding."""
    _rewrite(
        dataset_copy / WEEK.format(1),
        lambda t: t.set_column(0, "user_id", pc.cast(t.column("user_id"), pa.int64())).append_column(
            "extra_column", pa.array(np.zeros(t.num_rows, dtype=np.int8))
        ),
    )
    npz = dataset_copy / "metadata/item_embeddings.npz"
    with np.load(npz) as arrays:
        item_id, embedding = arrays["item_id"], arrays["embedding"]
    validation = pq.read_table(dataset_copy / "interactions/validation/week_25.parquet")
    earlier = pq.read_table(dataset_copy / WEEK.format(24)).column("item_id")
    new_items = np.setdiff1d(validation.column("item_id").to_numpy(), earlier.to_numpy())[:5]
    keep = ~np.isin(item_id, new_items) & (np.arange(item_id.size) % 5 == 0)
    np.savez(npz, item_id=item_id[keep], embedding=embedding[keep].astype(np.float32))

    build = make_build("accepted")
    # a sampled training set (not every candidate) builds and passes its data test too
    variables = {"data_root": str(dataset_copy), "ranker_negatives_per_clip": 50}
    result = build.run("build", variables)
    assert result.success, result.output[-3000:]
    (most_negatives,) = build.query(
        """select max(n) from (select count(*) filter (where not label) as n from ranker_training_rows
           where not is_holdout group by as_of_week, item_id)"""
    )[0]
    assert most_negatives <= 50
    without_embedding = build.query(
        """select c.item_id, len(s.user_id) from int_as_of_clips c
           join submission s using (item_id) where c.is_target_week and not c.has_embedding"""
    )
    assert len(without_embedding) >= 5
    assert all(length == 100 for _, length in without_embedding)
    (clips,) = build.query("select count(*) from stg_vklsvd__items")[0]
    missing = clips - int(keep.sum())
    # the build warns, with the number of clips, and goes on
    assert "Warning in test coverage_clips_without_embedding" in result.output, result.output[-3000:]
    assert f"Got {missing} results" in result.output
    from vklsvd.cli import main

    assert main(["report", "--warehouse", str(build.warehouse)]) == 0
    assert re.search(rf"clips without embedding +{missing:,} of {clips:,} clips", capsys.readouterr().out)
