"""Python steps that transform rows batch by batch, applied where the rows are with Spark's `mapInArrow`.

Most Python models fit something on a whole table (codebooks, factors, the ranker, the capacity
assignment): the driver runs them (:mod:`vklsvd.spark.python_steps`). A step whose output rows depend
only on its input rows and on a small fitted artefact runs on Spark's executors instead: the driver reads
the artefact once and ships it inside the function, and every Spark task transforms the Arrow batches of
its partition with the same package function the dbt-duckdb model calls. None of the input passes
through the driver, so such a step scales with the cluster. The ranker's scoring of every target-week
candidate pair, the largest input of any Python step at full scale, is one.

Each step names the rows it reads as its model file does (`ref` and filter); `vklsvd spark-build`
compares its result with the DuckDB build's table, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from vklsvd.errors import VklsvdError
from vklsvd.ranking.adapters import pair_scorer
from vklsvd.ranking.ranker import read_ranker_document, saved_ranker_is_calibrated, scored_pairs_schema
from vklsvd.spark.python_steps import spark_compatible

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StructType

BatchTransform = Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]


@dataclass(frozen=True)
class PartitionedStep:
    """A Python model applied partition by partition: the rows of `source` that `where` keeps, through
    the transform `prepare` returns (given the session and the build's schema) with its result's Spark
    schema."""

    source: str
    where: str
    prepare: Callable[[SparkSession, str], tuple[BatchTransform, StructType]]


def _stored_by_spark(transform: BatchTransform) -> BatchTransform:
    """`transform` with its batches in the types Spark stores (see spark_compatible)."""

    def apply(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in transform(batches):
            yield from spark_compatible(pa.Table.from_batches([batch])).to_batches()

    return apply


def _spark_columns(schema: pa.Schema) -> StructType:
    """The Spark schema of batches of `schema` once spark_compatible has given them Spark's types."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(spark_compatible(schema.empty_table()).schema)


def _ranker_scores(spark: SparkSession, schema: str) -> tuple[BatchTransform, StructType]:
    model = spark.table(f"{schema}.ml_ranker_model").select("path", "sha256").first()
    if model is None:
        raise VklsvdError(f"{schema}.ml_ranker_model is empty: the ranker was not trained")
    document = read_ranker_document(model["path"], model["sha256"])
    columns = _spark_columns(scored_pairs_schema(saved_ranker_is_calibrated(document)))
    # one thread per task: Spark runs as many tasks as the executors have cores
    return _stored_by_spark(pair_scorer(document, threads=1)), columns


#: The Python models a Spark build applies with mapInArrow (models/7_ranker/ml_ranker_scores.py reads
#: the same rows).
PARTITIONED_STEPS: dict[str, PartitionedStep] = {
    "ml_ranker_scores": PartitionedStep("ranker_feature_matrix", "is_target_week", _ranker_scores),
}


def apply_partitioned_step(spark: SparkSession, schema: str, name: str) -> int:
    """Run the partitioned step `name` on Spark's executors and store its result as `<schema>.<name>`;
    returns the rows written."""
    step = PARTITIONED_STEPS[name]
    transform, columns = step.prepare(spark, schema)
    rows = spark.table(f"{schema}.{step.source}").where(step.where)
    rows.mapInArrow(transform, columns).write.mode("overwrite").saveAsTable(f"{schema}.{name}")
    return spark.table(f"{schema}.{name}").count()
