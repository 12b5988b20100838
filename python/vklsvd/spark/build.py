"""`vklsvd spark-build`: the warehouse's SQL layer built by dbt on a local Spark session.

The driver creates the session (see :mod:`vklsvd.spark.session`), loads the one source that is not
parquet (the item embeddings' .npz) into the Spark catalog, and runs dbt with target `spark` in the
same process. dbt-spark runs Python models only on Databricks, so the build selects the SQL models that
no Python model feeds (:func:`portable_sql_models`); every one of them is the same SQL file the DuckDB
build runs, its engine-specific parts behind `adapter.dispatch` macros.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vklsvd.errors import VklsvdError
from vklsvd.io.embeddings import embeddings_to_arrow, load_item_embeddings
from vklsvd.spark.session import SPARK_TARGET, local_session, spark_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: The source that dbt-duckdb loads through the project's npz plugin; on Spark the driver loads it.
EMBEDDINGS_SOURCE = "source.vklsvd.vklsvd.item_embeddings"


@dataclass(frozen=True)
class SparkBuild:
    """What a Spark build made: the models dbt ran, in the schema `schema`."""

    schema: str
    models: tuple[str, ...]


def dbt_arguments(project_dir: Path, target_path: Path, variables: Mapping[str, Any]) -> list[str]:
    """The options every dbt call of a Spark build shares."""
    return [
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir / "profiles"),
        "--target", SPARK_TARGET,
        "--target-path", str(target_path / "target"),
        "--log-path", str(target_path / "logs"),
        "--vars", json.dumps(dict(variables)),
    ]  # fmt: skip


@dataclass(frozen=True)
class ModelNode:
    """What the selection needs of a dbt model: its name, language and the nodes it reads."""

    name: str
    language: str
    parents: tuple[str, ...]


def model_nodes(manifest: Any) -> dict[str, ModelNode]:
    """The models of a parsed manifest, by unique id."""
    return {
        unique_id: ModelNode(node.name, str(node.language), tuple(node.depends_on.nodes))
        for unique_id, node in manifest.nodes.items()
        if node.resource_type == "model"
    }


def portable_sql_models(models: Mapping[str, ModelNode]) -> list[str]:
    """The SQL models that no Python model feeds, directly or not: what dbt alone can build on Spark."""
    fed_by_python: dict[str, bool] = {}

    def python_upstream(unique_id: str) -> bool:
        if unique_id not in fed_by_python:
            node = models[unique_id]
            fed_by_python[unique_id] = node.language == "python" or any(
                python_upstream(parent) for parent in node.parents if parent in models
            )
        return fed_by_python[unique_id]

    return sorted(node.name for unique_id, node in models.items() if not python_upstream(unique_id))


def load_embeddings(session: SparkSession, manifest: Any) -> None:
    """The item embeddings' .npz (validated as the DuckDB plugin does) as the Spark table the source
    names, with `embedding` an array<float> of all its components (staging cuts the prefix)."""
    source = manifest.sources.get(EMBEDDINGS_SOURCE)
    if source is None:
        raise VklsvdError(f"the project has no source {EMBEDDINGS_SOURCE}")
    npz_path = Path(str(source.config.meta.get("npz_path") or source.meta.get("npz_path")).strip("'"))
    item_id, vectors = load_item_embeddings(npz_path)
    table = embeddings_to_arrow(item_id, vectors)
    table = pa.table(
        {
            "item_id": table["item_id"].cast(pa.int64()),
            "embedding": table["embedding"].cast(pa.list_(pa.float32())),
        }
    )
    session.sql(f"create schema if not exists {source.schema}")
    session.createDataFrame(table).write.mode("overwrite").saveAsTable(f"{source.schema}.{source.identifier}")


def spark_build(
    project_dir: Path,
    workdir: Path,
    variables: Mapping[str, Any],
    select: Sequence[str] = (),
) -> SparkBuild:
    """Build `select` (default: every portable SQL model) with dbt on a local Spark session; dbt's
    target and log folders go under `workdir`. Raises VklsvdError when dbt fails."""
    from dbt.artifacts.schemas.run import RunExecutionResult
    from dbt.cli.main import dbtRunner
    from dbt.contracts.graph.manifest import Manifest

    arguments = dbt_arguments(project_dir, workdir, variables)
    parsed = dbtRunner().invoke(["parse", *arguments])
    if not parsed.success or not isinstance(parsed.result, Manifest):
        raise VklsvdError(f"dbt parse failed for target {SPARK_TARGET}: {parsed.exception}")
    manifest = parsed.result
    session = local_session(spark_settings(project_dir / "profiles"))
    load_embeddings(session, manifest)
    models = list(select) or portable_sql_models(model_nodes(manifest))
    run = dbtRunner(manifest=manifest).invoke(["run", *arguments, "--select", *models])
    results = run.result.results if isinstance(run.result, RunExecutionResult) else []
    if not run.success:
        failed = [
            f"{result.node.name}: {result.message}"
            for result in results
            if str(result.status).lower().endswith("error")
        ]
        raise VklsvdError(
            "the Spark build failed" + (": " + "; ".join(failed) if failed else f": {run.exception}")
        )
    built = tuple(result.node.name for result in results if result.node.resource_type == "model")
    schema = next(node.schema for node in manifest.nodes.values() if node.resource_type == "model")
    return SparkBuild(schema=schema, models=built)
