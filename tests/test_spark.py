"""The warehouse on Spark: the table comparison and its verdict, the build order, the Python steps' type
mapping and the profile's session settings without Spark; with a Java runtime, the whole warehouse built
on a local Spark session (SQL by dbt with target spark, Python steps by the driver) and compared table by
table with the DuckDB build of the same data. Both are the product's default build: the research reports'
feature ablation (var feature_ablation) retrains the ranker once per feature family in the driver's
Python on either engine: it would add a third to the Spark test's time for one union more in
eval_ablation on Spark."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from harness import PROJECT_DIR, Build
from vklsvd.errors import VklsvdError
from vklsvd.spark.build import ModelNode, build_batches, data_tests_of_each_kind, downstream_of
from vklsvd.spark.compare import TableComparison, compare_tables, comparison_report
from vklsvd.spark.python_steps import spark_compatible
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


def test_floats_within_the_tolerance_but_not_bit_for_bit_are_counted() -> None:
    assert compare_tables("t", _spark_side(), _duckdb_side()).inexact_floats == 0
    assert compare_tables("t", _spark_side(score_shift=1e-12), _duckdb_side()).inexact_floats == 1


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


def test_timings_and_paths_are_not_compared_and_integer_sums_compare_as_numbers() -> None:
    spark = pa.table(
        {"key": [1], "fit_seconds": [3.0], "artefact_path": ["/a"], "hits": pa.array([2], pa.int64())}
    )
    duck = pa.table({"key": [1], "fit_seconds": [9.0], "artefact_path": ["/b"], "hits": pa.array([2.0])})
    assert compare_tables("t", spark, duck).equal


def _graph() -> dict[str, ModelNode]:
    return {
        "model.p.stg": ModelNode("stg", "sql", ()),
        "model.p.features": ModelNode("features", "sql", ("model.p.stg",)),
        "model.p.ml_fit": ModelNode("ml_fit", "python", ("model.p.features",)),
        "model.p.scores": ModelNode("scores", "sql", ("model.p.ml_fit", "model.p.features")),
        "model.p.ml_rank": ModelNode("ml_rank", "python", ("model.p.scores",)),
        "model.p.report": ModelNode("report", "sql", ("model.p.scores", "source.p.raw")),
        "model.p.final": ModelNode("final", "sql", ("model.p.ml_rank",)),
    }


def test_sql_runs_in_as_few_dbt_calls_as_the_python_steps_allow() -> None:
    assert build_batches(_graph()) == [
        ("sql", ["features", "stg"]),
        ("python", ["ml_fit"]),
        ("sql", ["report", "scores"]),
        ("python", ["ml_rank"]),
        ("sql", ["final"]),
    ]
    assert downstream_of(_graph(), frozenset({"ml_rank"})) == {"ml_rank", "final"}


def test_one_data_test_of_each_kind_and_every_singular_test() -> None:
    from types import SimpleNamespace

    def generic(name: str, kind: str, **arguments: object) -> SimpleNamespace:
        kwargs = {"model": "{{ get_where_subquery(ref('m')) }}", "column_name": "c", **arguments}
        return SimpleNamespace(
            resource_type="test", name=name, test_metadata=SimpleNamespace(name=kind, kwargs=kwargs)
        )

    nodes = [
        generic("not_null_b_x", "not_null"),
        generic("not_null_a_y", "not_null"),
        generic("range_b", "values_between", min_value=0),
        generic("range_a", "values_between", min_value=0),
        generic("range_c", "values_between", min_value=0, max_value=1),
        SimpleNamespace(resource_type="test", name="submission_users_within_capacity"),
        SimpleNamespace(resource_type="test", name="another_singular_test"),
        SimpleNamespace(resource_type="model", name="not_a_test"),
    ]
    manifest = SimpleNamespace(nodes={f"test.p.{i}": node for i, node in enumerate(nodes)})
    assert data_tests_of_each_kind(manifest) == [
        "another_singular_test",
        "not_null_a_y",
        "range_a",
        "range_c",
        "submission_users_within_capacity",
    ]


def test_python_results_get_types_spark_stores() -> None:
    table = pa.table(
        {
            "user_id": pa.array([1], pa.uint32()),
            "rank": pa.array([1], pa.uint8()),
            "vector": pa.array([[1.0, 2.0]], pa.list_(pa.float32(), 2)),
        }
    )
    stored = spark_compatible(table)
    assert stored.schema.types == [pa.int64(), pa.int16(), pa.list_(pa.float32())]
    assert stored.to_pylist() == table.to_pylist()


def test_the_verdict_is_equal_tables_or_else_the_ndcg_within_tolerance() -> None:
    equal = [TableComparison("features", 10), TableComparison("scores", 10)]
    lines, agree = comparison_report(equal, {"scores"}, [], "w.duckdb")
    assert agree and lines[-1] == "the Spark build agrees with the DuckDB build: every table equal"
    comparisons = [
        TableComparison("features", 10),
        TableComparison("scores", 10, "probability: 3 values differ"),
    ]
    lines, agree = comparison_report(comparisons, {"scores"}, [("submission", 0.3001, 0.3005)], "w.duckdb")
    assert agree, lines
    assert "1 of 2 tables equal to the DuckDB build w.duckdb (1 bit for bit)" in lines
    assert "within the NDCG tolerance" in lines[-1]
    _, agree = comparison_report(comparisons, {"scores"}, [("submission", 0.30, 0.32)], "w.duckdb")
    assert not agree
    _, agree = comparison_report(comparisons, set(), [], "w.duckdb")
    assert not agree
    lines, agree = comparison_report([TableComparison("features", 10, "", 4)], set(), [], "w.duckdb")
    assert agree and lines[0].endswith("equal (4 floats within tolerance, not bit for bit)")
    assert "1 of 1 tables equal to the DuckDB build w.duckdb (0 bit for bit)" in lines


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
def test_the_warehouse_on_spark_equals_the_duckdb_build(
    validation_build: Build, tiny_dataset: Path, tmp_path: Path
) -> None:
    submission = tmp_path / "submission.parquet"
    variables = json.dumps({"data_root": str(tiny_dataset), "submission_path": str(submission)})
    completed = _spark_build(
        tmp_path, variables, "--compare-with", str(validation_build.warehouse), "--data-tests", "each-kind"
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    # the SQL computes its floats alike on both engines: every table equal, the ranker fitted to the same
    # model (its artefact's hash) and its scores computed on Spark's executors; the candidate sources and
    # the scores bit for bit (the feature tables' means and ratios may differ in the last bit of a double,
    # which the ranker, reading its features as single-precision floats, does not see)
    verdict = "the Spark build agrees with the DuckDB build: every table equal"
    assert verdict in completed.stdout, output[-5000:]
    summary = re.search(r"(\d+) of (\d+) tables equal to the DuckDB build", completed.stdout)
    assert summary and summary[1] == summary[2], completed.stdout[-5000:]
    assert "Python step ml_ranker_scores on the executors" in completed.stdout
    timings = (tmp_path / "model_timings.csv").read_text().splitlines()
    assert timings[0] == "model,runs_on,seconds" and "ml_ranker_scores,executors," in "\n".join(timings)
    assert "data_tests,spark," in "\n".join(timings)
    assert re.search(r"data tests on Spark: \d+ of \d+, one of each kind", completed.stdout)
    for table in (
        "stg_vklsvd__interactions",
        "int_user_bubbles",
        "candidates",
        "ml_ranker_model",
        "ml_ranker_scores",
        "submission",
    ):
        assert any(
            line.split()[:1] == [table] and line.endswith("rows  equal")
            for line in completed.stdout.splitlines()
        ), f"{table} was not built on Spark or is not equal bit for bit:\n{completed.stdout[-3000:]}"
    assert submission.read_bytes() == validation_build.submission.read_bytes()


@needs_java
def test_a_source_column_of_another_type_is_refused_on_spark(tiny_dataset: Path, tmp_path: Path) -> None:
    import shutil

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


def test_stage_costs_extrapolate_the_marginal_cost_per_interaction(tmp_path: Path) -> None:
    from harness import load_benchmark

    costs = load_benchmark("spark_stage_costs")
    stages = costs.stage_of_models(PROJECT_DIR / "models")
    assert stages["stg_vklsvd__interactions"] == "1_staging" and stages["ml_ranker_scores"] == "7_ranker"
    timings = tmp_path / "model_timings.csv"
    timings.write_text(
        "model,runs_on,seconds\nstg_vklsvd__interactions,spark,3\nml_ranker_model,driver,10\ndata_tests,spark,4\n"
    )
    (tmp_path / "data" / "train").mkdir(parents=True)
    pq.write_table(pa.table({"user_id": [1, 2, 3]}), tmp_path / "data" / "train" / "week_00.parquet")
    measured = costs.read_run("t", tmp_path / "data", timings, stages)
    assert measured.interactions == 3
    assert measured.seconds == {
        ("1_staging", "spark"): 3.0,
        ("7_ranker", "driver"): 10.0,
        ("data_tests", "spark"): 4.0,
    }
    small = costs.MeasuredRun("small", 1_000_000, {("1_staging", "spark"): 2.0, ("7_ranker", "driver"): 10.0})
    large = costs.MeasuredRun("large", 3_000_000, {("1_staging", "spark"): 6.0, ("7_ranker", "driver"): 10.0})
    lines = costs.report(small, large, local_cores=2, cluster_cores=100)
    # Spark: 4 s more for 2 M interactions on 2 cores = 4 core-µs each; x 40.8 B / 100 cores = 1632 s
    assert "| 1_staging | spark | 2.0 | 6.0 | 4.00 | 27 min |" in lines
    # the driver's step did not grow: fixed overhead, no marginal cost
    assert "| 7_ranker | driver | 10.0 | 10.0 | 0.00 | 0 s |" in lines
    with pytest.raises(SystemExit, match="more interactions"):
        costs.report(large, small, local_cores=2, cluster_cores=100)
