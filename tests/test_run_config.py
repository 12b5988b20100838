"""The run config: the dataset fingerprint, the artefact hashes, the var list and the warehouse table."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from harness import PROJECT_DIR, Build, project_vars
from vklsvd.errors import VklsvdError
from vklsvd.report import warehouse_report
from vklsvd.run_config import (
    artifact_hashes,
    dataset_fingerprint,
    interactions_folder,
    package_versions,
    run_config_table,
)


def test_fingerprint_ignores_where_the_data_lives_and_sees_any_change(
    tiny_dataset: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "elsewhere"
    shutil.copytree(tiny_dataset, copy)
    original, files = dataset_fingerprint(tiny_dataset, "interactions")
    assert dataset_fingerprint(copy, "interactions") == (original, files)
    assert files == len(list((tiny_dataset / "interactions").glob("*/week_*.parquet"))) + len(
        [path for path in (tiny_dataset / "metadata").iterdir() if path.is_file()]
    )
    # a week with one row fewer (same schema), then a changed non-parquet metadata file
    week = sorted((copy / "interactions").glob("*/week_*.parquet"))[-1]

    pq.write_table(pq.read_table(week).slice(1), week)
    changed_week, _ = dataset_fingerprint(copy, "interactions")
    assert changed_week != original
    embeddings = copy / "metadata" / "item_embeddings.npz"
    data = embeddings.read_bytes()
    embeddings.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    assert dataset_fingerprint(copy, "interactions")[0] not in (original, changed_week)


def test_fingerprint_names_the_folder_without_weekly_files(tiny_dataset: Path) -> None:
    with pytest.raises(VklsvdError, match=r"subsamples/up0\.5: no weekly parquet files"):
        dataset_fingerprint(tiny_dataset, interactions_folder("up0.5"))


def test_artifact_hashes_take_every_sha256_column_of_the_first_row_or_of_every_week() -> None:
    tables = {
        "model": pa.table({"sha256": ["a", "x"], "n": [1, 2]}),
        "index": pa.table({"as_of_week": [25, 24], "index_sha256": ["c", "e"], "labels_sha256": ["d", "f"]}),
        "empty": pa.table({"sha256": pa.array([], pa.string())}),
    }
    assert artifact_hashes(tables) == {
        "model.sha256": "a",
        "index@24.index_sha256": "e",
        "index@24.labels_sha256": "f",
        "index@25.index_sha256": "c",
        "index@25.labels_sha256": "d",
        "empty.sha256": None,
    }


def test_run_config_rows(tiny_dataset: Path) -> None:
    run_vars = pa.table(
        {"name": ["data_root", "subsample", "sample_seed"], "value": [f'"{tiny_dataset}"', '"full"', "7"]}
    )
    table = run_config_table(run_vars, artifacts={"ranker.sha256": "abc"}, packages={"numpy": "1"})
    rows = {(section, name): value for section, name, value in zip(*table.to_pydict().values(), strict=True)}
    assert rows[("var", "sample_seed")] == "7" and rows[("seed", "sample_seed")] == "7"
    assert rows[("package", "numpy")] == "1" and rows[("artifact", "ranker.sha256")] == "abc"
    assert rows[("dataset", "fingerprint")] == dataset_fingerprint(tiny_dataset, "interactions")[0]
    with pytest.raises(VklsvdError, match="lacks var"):
        run_config_table(run_vars.slice(2), artifacts={}, packages={})


def test_package_versions_say_when_a_package_is_absent() -> None:
    versions = package_versions(["numpy", "no-such-distribution-vklsvd"])
    assert versions["numpy"][0].isdigit() and versions["no-such-distribution-vklsvd"] == "not installed"


def test_the_var_list_of_the_run_config_is_the_projects() -> None:
    text = (PROJECT_DIR / "macros" / "project_vars.sql").read_text()
    names = re.findall(r"'([a-z_0-9]+)'", text.split("set names = [", 1)[1].split("]", 1)[0])
    assert names == list(project_vars())


def test_the_warehouse_records_its_run_config(validation_build: Build, tiny_dataset: Path) -> None:
    rows = {
        (section, name): value
        for section, name, value in validation_build.query("select section, name, value from run_config")
    }
    assert sorted(name for section, name in rows if section == "var") == sorted(project_vars())
    assert rows[("var", "data_root")] == f'"{tiny_dataset}"'
    assert rows[("dataset", "fingerprint")] == dataset_fingerprint(tiny_dataset, "interactions")[0]
    ((ranker_sha, submission_sha),) = validation_build.query(
        "select (select sha256 from ml_ranker_model), (select sha256 from ml_submission_export)"
    )
    assert rows[("artifact", "ml_ranker_model.sha256")] == ranker_sha
    assert rows[("artifact", "ml_submission_export.sha256")] == submission_sha
    report = warehouse_report(validation_build.warehouse)
    assert "run config:" in report and f"ml_ranker_model.sha256={ranker_sha[:12]}" in report
