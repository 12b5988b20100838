"""The warehouse on Spark: the table comparison, the model selection and the profile's session settings
without Spark; with a Java runtime, the SQL layer built by dbt on a local Spark session (target spark)
and compared table by table with the DuckDB build of the same data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from harness import PROJECT_DIR, Build
from vklsvd.errors import VklsvdError
from vklsvd.spark.build import ModelNode, portable_sql_models
from vklsvd.spark.compare import compare_tables
from vklsvd.spark.session import java_available, spark_settings

needs_java = pytest.mark.skipif(
    not java_available(),
    reason="no Java runtime for PySpark (as root: apt-get install openjdk-17-jre-headless, or set JAVA_HOME)",
)


def _duckdb_side() -> pa.Table:
    return pa.table(
        {
            "user_id": pa.array([3, 1, 2], pa.uint32()),
            "score": pa.array([0.5, 0.25, 1.0 / 3.0], pa.float64()),
            "vector": pa.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], pa.list_(pa.float32(), 2)),
        }
    )


def _spark_side(score_shift: float = 0.0) -> pa.Table:
    """The DuckDB side as Spark returns it: other row order, signed ids, variable-size lists."""
    return pa.table(
        {
            "user_id": pa.array([1, 2, 3], pa.int64()),
            "score": pa.array([0.25, 1.0 / 3.0 + score_shift, 0.5], pa.float64()),
            "vector": pa.array([[3.0, 4.0], [5.0, 6.0], [1.0, 2.0]], pa.list_(pa.float32())),
        }
    )


def test_the_same_rows_in_another_order_and_types_are_equal() -> None:
    comparison = compare_tables("t", _spark_side(score_shift=1e-12), _duckdb_side())
    assert comparison.equal, comparison.difference
    assert comparison.rows == 3


def test_a_float_beyond_the_tolerance_is_a_difference() -> None:
    comparison = compare_tables("t", _spark_side(score_shift=1e-3), _duckdb_side())
    assert not comparison.equal
    assert "score: 1 values differ beyond tolerance" in comparison.difference


def test_an_exact_value_a_row_or_a_column_more_is_a_difference() -> None:
    other_user = _spark_side().set_column(0, "user_id", pa.array([1, 2, 4], pa.int64()))
    assert "user_id" in compare_tables("t", other_user, _duckdb_side()).difference
    assert (
        "2 rows on Spark, 3 on DuckDB"
        in compare_tables("t", _spark_side().slice(0, 2), _duckdb_side()).difference
    )
    extra = _spark_side().append_column("extra", pa.array(np.zeros(3)))
    assert "columns differ" in compare_tables("t", extra, _duckdb_side()).difference
    vectors = _spark_side().set_column(2, "vector", pa.array([[3.0, 4.0], [5.0, 6.5], [1.0, 2.0]]))
    assert "vector: 1 list values differ" in compare_tables("t", vectors, _duckdb_side()).difference


def test_the_portable_models_are_the_sql_models_no_python_model_feeds() -> None:
    models = {
        "model.p.stg": ModelNode("stg", "sql", ()),
        "model.p.features": ModelNode("features", "sql", ("model.p.stg",)),
        "model.p.ml_fit": ModelNode("ml_fit", "python", ("model.p.features",)),
        "model.p.scores": ModelNode("scores", "sql", ("model.p.ml_fit", "model.p.features")),
        "model.p.report": ModelNode("report", "sql", ("model.p.scores", "source.p.raw")),
    }
    assert portable_sql_models(models) == ["features", "stg"]


def test_the_session_settings_come_from_the_profile(tmp_path: Path) -> None:
    settings = spark_settings(PROJECT_DIR / "profiles", {"VKLSVD_SPARK_WAREHOUSE": str(tmp_path)})
    assert settings["spark.sql.warehouse.dir"] == f"{tmp_path}/tables"
    assert str(tmp_path / "metastore_db") in settings["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert settings["spark.sql.ansi.enabled"] == "false"  # as dbt-spark forces it
    (tmp_path / "profiles.yml").write_text("vklsvd:\n  outputs:\n    dev: {type: duckdb}\n")
    with pytest.raises(VklsvdError, match="no output 'spark'"):
        spark_settings(tmp_path, {})


def _spark_build(workdir: Path, variables: str, *extra: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "VKLSVD_SPARK_WAREHOUSE": str(workdir / "spark"),
        "VKLSVD_SPARK_DRIVER_MEMORY": "2g",
    }
    command = [sys.executable, "-m", "vklsvd", "spark-build", "--workdir", str(workdir), "--vars", variables]
    return subprocess.run(
        [*command, *extra], cwd=workdir, env=environment, capture_output=True, text=True, check=False
    )


@needs_java
def test_the_sql_layer_on_spark_equals_the_duckdb_build(
    validation_build: Build, tiny_dataset: Path, tmp_path: Path
) -> None:
    variables = json.dumps(
        {
            "data_root": str(tiny_dataset),
            "feature_ablation": True,
            "submission_path": str(validation_build.submission),
        }
    )
    completed = _spark_build(tmp_path, variables, "--compare-with", str(validation_build.warehouse))
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    summary = [line for line in completed.stdout.splitlines() if "tables equal to the DuckDB build" in line]
    assert summary, output[-3000:]
    equal, total = (int(word) for word in summary[0].split()[0:3:2])
    assert equal == total >= 30, summary[0]
    for table in ("stg_vklsvd__interactions", "int_as_of_clips", "user_features", "cand_author_audience"):
        assert f"  {table} " in completed.stdout, f"{table} was not built and compared"


@needs_java
def test_a_source_column_of_another_type_is_refused_on_spark(tiny_dataset: Path, tmp_path: Path) -> None:
    import shutil

    import pyarrow.parquet as pq

    data = tmp_path / "data"
    shutil.copytree(tiny_dataset, data)
    users = data / "metadata" / "users_metadata.parquet"
    table = pq.read_table(users)
    pq.write_table(
        table.set_column(table.schema.get_field_index("age"), "age", table["age"].cast(pa.string())), users
    )
    completed = _spark_build(tmp_path, json.dumps({"data_root": str(data)}), "--select", "stg_vklsvd__users")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "users_metadata.parquet: column 'age' has type string" in output, output[-3000:]
