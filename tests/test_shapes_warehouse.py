"""The warehouse at other shapes than the tests' tiny one, and the README's real-data path as written.

Small instances of the generator's `sparse` (many users, ~10 impressions a week) and `dense` (the real
subsample's: every user active every week, ~190 impressions per user-week) shapes are built with
default vars but one: the ranker's training pairs are bounded (SHAPE_RANKER_VARS): the cap binds as it
does at real size (clips are drawn until it is reached) instead of training on every candidate of these
small worlds, and fewer clips are held out; the submission must be valid on both. Then the README's "On
real data" commands run as a new user would on a fresh clone: from the project folder, without
VKLSVD_DUCKDB_PATH and without a `warehouse/` or `output/` folder, on a hub-layout subsample folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from harness import PROJECT_DIR, failure_text
from vklsvd.dbt_invocation import WAREHOUSE_ENV, dbt_executable
from vklsvd.synthetic import generate_dataset
from vklsvd.synthetic.shapes import shape_config

#: Scales small enough for CI that keep each shape's character (see vklsvd.synthetic.shapes).
SHAPE_SCALES = {"sparse": 0.1, "dense": 0.07}
#: A cap below the candidates of either shape's training clips (dense: about 1.3 M), so the cap's path is
#: taken, and 50 held-out clips instead of 200 (their candidates are not capped: 180,000 pairs at sparse).
SHAPE_RANKER_VARS = {"ranker_max_training_pairs": 100_000, "ranker_holdout_clips": 50}


def assert_valid_submission(path: Path, target_clips: set[int], list_size: int = 100) -> None:
    table = pq.read_table(path)
    assert str(table.schema.field("item_id").type) == "uint32"
    assert str(table.schema.field("user_id").type) == "list<element: uint32>"
    lists = table.column("user_id").to_pylist()
    assert all(len(users) == list_size == len(set(users)) for users in lists)
    assert np.unique(np.concatenate(lists), return_counts=True)[1].max() <= 100
    assert set(table.column("item_id").to_pylist()) == target_clips


@pytest.mark.parametrize("shape", sorted(SHAPE_SCALES))
def test_every_shape_builds_a_valid_submission(
    shape: str, tmp_path_factory: pytest.TempPathFactory, make_build
) -> None:
    data = tmp_path_factory.mktemp(f"{shape}_dataset")
    generate_dataset(data, shape_config(shape, SHAPE_SCALES[shape], seed=3))
    build = make_build(shape)
    result = build.run("build", {"data_root": str(data), **SHAPE_RANKER_VARS})
    assert result.success, failure_text(result)
    (sampled_clips,) = build.query(
        """select count(*) from (
               select distinct as_of_week, item_id from ranker_sampled_pairs where not is_target_week)"""
    )[0]
    (trainable_clips,) = build.query(
        """select count(*) from (
               select as_of_week, item_id from ranker_labelled_candidates where not is_target_week
               group by as_of_week, item_id having bool_or(label) and not bool_and(label))"""
    )[0]
    assert sampled_clips < trainable_clips  # the cap bound (its data test checks that it holds)
    targets = {item for (item,) in build.query("select item_id from int_target_clips")}
    assert_valid_submission(build.submission, targets)
    scores = dict(build.query("select ranking, ndcg from eval_summary"))
    assert scores["submission"] > 2 * scores["random_users"]
    (search,) = build.query("select search from ml_hnsw_user_index")[0]
    assert search in {"hnsw", "exact"}


@pytest.mark.warehouse
def test_the_readme_real_data_path_works_on_a_fresh_clone(tiny_dataset: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"  # the project's dbt files, as a fresh clone has them (nothing built)
    for folder in ("models", "macros", "data_tests", "profiles"):
        shutil.copytree(PROJECT_DIR / folder, clone / folder)
    shutil.copy(PROJECT_DIR / "dbt_project.yml", clone / "dbt_project.yml")
    data = clone / "data" / "vklsvd"
    shutil.copytree(tiny_dataset / "metadata", data / "metadata")
    shutil.copytree(tiny_dataset / "interactions", data / "subsamples" / "up0.001_ip0.001")
    assert not (clone / "warehouse").exists() and not (clone / "output").exists()
    environment = {key: value for key, value in os.environ.items() if key != WAREHOUSE_ENV}
    environment["DBT_PROFILES_DIR"] = "profiles"
    build = subprocess.run(
        [dbt_executable(), "build", "--vars", f'{{data_root: "{data}", subsample: up0.001_ip0.001}}'],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    assert (clone / "warehouse" / "vklsvd.duckdb").is_file()
    submission = clone / "output" / "submission.parquet"
    with duckdb.connect(str(clone / "warehouse" / "vklsvd.duckdb"), read_only=True) as connection:
        targets = {item for (item,) in connection.execute("select item_id from int_target_clips").fetchall()}
    assert_valid_submission(submission, targets)
    report = subprocess.run(
        [str(Path(sys.executable).parent / "vklsvd"), "report"],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert report.returncode == 0, report.stderr
    assert "NDCG@100 week 25 submission" in report.stdout and str(submission) in report.stdout
