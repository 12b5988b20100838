"""The project's Python models applied to a Spark build by the driver, since dbt-spark runs Python models
only on Databricks.

A dbt Python model is `model(dbt, session)`: it reads its inputs with `dbt.ref(name)` (a DuckDB relation
in dbt-duckdb), its settings with `dbt.config.get(key)`, and returns an Arrow table (or a relation). The
driver calls the same function with :class:`SparkRefs` in place of `dbt`: `ref` has Spark write the
table (or view) as parquet files into a scratch folder, in parallel and without collecting it on the
driver, and serves them as a lazy DuckDB relation of a scratch database, so the model's `select` /
`filter` calls, its streamed reads and the package's functions run unchanged; the result is written back
to the Spark catalog under the model's name, where the SQL models after it read it. The Spark build's
SQL and the DuckDB build's Python steps are then the same code; only the table store differs.

The scratch folder must be one the driver can read (a local session's disk). On a cluster the per-user
and per-clip steps are the ones to run partition by partition with `mapInArrow` (README "On Spark").
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from vklsvd.errors import VklsvdError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Spark has no unsigned integers: each is stored in the next wider signed type, as the SQL does
#: (macro unsigned_int_type).
_SIGNED_FOR_UNSIGNED = {
    pa.uint8(): pa.int16(),
    pa.uint16(): pa.int32(),
    pa.uint32(): pa.int64(),
    pa.uint64(): pa.int64(),
}


class _Config:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)


class SparkRefs:
    """The `dbt` argument of a Python model, reading refs from the Spark catalog."""

    def __init__(
        self,
        spark: SparkSession,
        schema: str,
        scratch: duckdb.DuckDBPyConnection,
        folder: Path,
        config: Mapping[str, Any],
    ) -> None:
        self._spark = spark
        self._schema = schema
        self._scratch = scratch
        self._folder = folder
        self.config = _Config(config)

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        files = self._folder / name
        if not files.exists():
            export_parquet(self._spark, f"{self._schema}.{name}", files)
        return self._scratch.read_parquet(str(files / "*.parquet"))


def export_parquet(spark: SparkSession, table: str, folder: Path) -> Path:
    """The Spark table (or view) `table` written as parquet files into `folder` by Spark's tasks, so
    that the driver reads it from disk instead of collecting it through the JVM."""
    spark.table(table).write.mode("overwrite").parquet(str(folder))
    return folder


def spark_compatible(table: pa.Table) -> pa.Table:
    """`table` with types Spark stores: unsigned integers widened to signed ones, fixed-size lists as
    lists (of those)."""

    def compatible(data_type: pa.DataType) -> pa.DataType:
        if (
            pa.types.is_fixed_size_list(data_type)
            or pa.types.is_list(data_type)
            or pa.types.is_large_list(data_type)
        ):
            return pa.list_(compatible(data_type.value_type))
        return _SIGNED_FOR_UNSIGNED.get(data_type, data_type)

    schema = pa.schema([field.with_type(compatible(field.type)) for field in table.schema])
    return table.cast(schema) if schema != table.schema else table


def load_model_function(path: Path) -> Any:
    """The `model` function of a dbt Python model file."""
    spec = importlib.util.spec_from_file_location(f"vklsvd_python_model_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise VklsvdError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "model", None)):
        raise VklsvdError(f"{path}: a dbt Python model must define model(dbt, session)")
    return module.model


def apply_python_model(
    spark: SparkSession,
    schema: str,
    name: str,
    model_file: Path,
    config: Mapping[str, Any],
    scratch: duckdb.DuckDBPyConnection,
    scratch_folder: Path,
) -> int:
    """Run the Python model `name` (its file `model_file`, its dbt `config`) on the Spark build's tables
    and store its result as `<schema>.<name>`; returns the rows written. Its inputs are copied under
    `scratch_folder`, which is emptied afterwards."""
    import shutil

    refs = SparkRefs(spark, schema, scratch, scratch_folder, config)
    try:
        result = load_model_function(model_file)(refs, scratch)
        if isinstance(result, duckdb.DuckDBPyRelation):
            result = result.to_arrow_table()
    finally:
        shutil.rmtree(scratch_folder, ignore_errors=True)
    if not isinstance(result, pa.Table):
        raise VklsvdError(
            f"Python model {name} returned {type(result).__name__}; the driver stores Arrow tables"
        )
    table = spark_compatible(result)
    spark.createDataFrame(table).write.mode("overwrite").saveAsTable(f"{schema}.{name}")
    return table.num_rows
