"""`vklsvd spark-build`: the warehouse built by dbt on a local Spark session (target spark).

The driver creates the session (see :mod:`vklsvd.spark.session`), loads the one source that is not
parquet (the item embeddings' .npz) into the Spark catalog, and runs dbt with target `spark` in the
same process. dbt-spark runs Python models only on Databricks, so the driver walks the project's models
in dependency order (:func:`build_batches`): every run of SQL models that are ready is one dbt call
(the same SQL files the DuckDB build runs, their engine-specific parts behind `adapter.dispatch`
macros), every Python model is applied by the driver (:mod:`vklsvd.spark.python_steps`) or, where its
rows need only their own input rows, on Spark's executors (:mod:`vklsvd.spark.partitioned`). The data
tests run last, as `dbt build` runs them; each model's time goes to `model_timings.csv`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vklsvd.errors import VklsvdError
from vklsvd.io.artifacts import write_atomically
from vklsvd.io.embeddings import embeddings_to_arrow, load_item_embeddings
from vklsvd.spark import DATA_TEST_SCOPES
from vklsvd.spark.partitioned import PARTITIONED_STEPS, apply_partitioned_step
from vklsvd.spark.python_steps import apply_python_model, spark_compatible
from vklsvd.spark.session import SPARK_TARGET, local_session, spark_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: The source that dbt-duckdb loads through the project's npz plugin; on Spark the driver loads it.
EMBEDDINGS_SOURCE = "source.vklsvd.vklsvd.item_embeddings"


#: Each model's time in the last whole build, under its workdir (write_timings).
TIMINGS_FILE = "model_timings.csv"
#: The timings' row of the data tests, run after the models.
DATA_TESTS = "data_tests"

#: Python models that fit on float features: a feature that differs in the 7th digit between the
#: engines may move a split, so their outputs and everything after them are judged by the ranking's NDCG.
FITTED_ON_FLOATS = frozenset({"ml_ranker_model"})


@dataclass(frozen=True)
class ModelTiming:
    """How long one model took and where it ran: `spark` (SQL by dbt), `driver` (a Python step on the
    driver) or `executors` (a partitioned Python step, mapInArrow)."""

    model: str
    runs_on: str
    seconds: float


@dataclass(frozen=True)
class SparkBuild:
    """What a Spark build made: the models it built (in `schema`), and those of them fed by a model
    of FITTED_ON_FLOATS (or one itself), with each model's time."""

    schema: str
    models: tuple[str, ...]
    fit_dependent: frozenset[str] = frozenset()
    timings: tuple[ModelTiming, ...] = ()


def write_timings(timings: Sequence[ModelTiming], path: Path) -> None:
    """The models' timings as CSV (model, runs_on, seconds), written atomically."""
    lines = ["model,runs_on,seconds", *(f"{t.model},{t.runs_on},{t.seconds:.3f}" for t in timings)]
    write_atomically(path, lambda target: target.write_text("\n".join(lines) + "\n"))


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
    """What the driver needs of a dbt model: its name, language, the nodes it reads, its file (relative
    to the project) and its config (a Python model's `dbt.config.get`)."""

    name: str
    language: str
    parents: tuple[str, ...]
    path: str = ""
    config: Mapping[str, Any] = field(default_factory=dict)


def model_nodes(manifest: Any) -> dict[str, ModelNode]:
    """The models of a parsed manifest, by unique id."""
    return {
        unique_id: ModelNode(
            node.name,
            str(node.language),
            tuple(node.depends_on.nodes),
            node.original_file_path,
            node.config.to_dict(),
        )
        for unique_id, node in manifest.nodes.items()
        if node.resource_type == "model"
    }


def downstream_of(models: Mapping[str, ModelNode], names: frozenset[str]) -> frozenset[str]:
    """The models named `names` and every model fed by one of them, directly or not."""
    found: dict[str, bool] = {}

    def fed(unique_id: str) -> bool:
        if unique_id not in found:
            node = models[unique_id]
            found[unique_id] = node.name in names or any(fed(p) for p in node.parents if p in models)
        return found[unique_id]

    return frozenset(models[unique_id].name for unique_id in models if fed(unique_id))


def build_batches(models: Mapping[str, ModelNode]) -> list[tuple[str, list[str]]]:
    """The models in dependency order, as ("sql", names) batches, one dbt call each (dbt orders the
    models inside it), and ("python", [name]) steps. A batch holds every SQL model whose Python
    ancestors are built, so the Python steps split the SQL into as few dbt calls as the graph allows."""
    python_ancestors: dict[str, frozenset[str]] = {}

    def ancestors(unique_id: str) -> frozenset[str]:
        if unique_id not in python_ancestors:
            found: set[str] = set()
            for parent in models[unique_id].parents:
                if parent in models:
                    found |= {parent} if models[parent].language == "python" else ancestors(parent)
            python_ancestors[unique_id] = frozenset(found)
        return python_ancestors[unique_id]

    done: set[str] = set()
    batches: list[tuple[str, list[str]]] = []
    while len(done) < len(models):
        pending = sorted(unique_id for unique_id in models if unique_id not in done)
        sql = [u for u in pending if models[u].language != "python" and ancestors(u) <= done]
        if sql:
            batches.append(("sql", [models[u].name for u in sql]))
            done.update(sql)
            continue
        python = [u for u in pending if all(p in done or p not in models for p in models[u].parents)]
        if not python:
            raise VklsvdError(f"the models {pending} depend on each other in a cycle")
        batches.append(("python", [models[python[0]].name]))
        done.add(python[0])
    return batches


def load_embeddings(session: SparkSession, manifest: Any) -> None:
    """The item embeddings' .npz (validated as the DuckDB plugin does) as the Spark table the source
    names, with `embedding` an array<float> of all its components (staging cuts the prefix)."""
    source = manifest.sources.get(EMBEDDINGS_SOURCE)
    if source is None:
        raise VklsvdError(f"the project has no source {EMBEDDINGS_SOURCE}")
    npz_path = Path(str(source.config.meta.get("npz_path") or source.meta.get("npz_path")).strip("'"))
    table = spark_compatible(embeddings_to_arrow(*load_item_embeddings(npz_path)))
    session.sql(f"create schema if not exists {source.schema}")
    session.createDataFrame(table).write.mode("overwrite").saveAsTable(f"{source.schema}.{source.identifier}")


def _invoke(runner: Any, arguments: list[str], failure: str) -> list[Any]:
    """One dbt call; its node results. Raises VklsvdError starting with `failure` and naming every node
    that errored or failed."""
    from dbt.artifacts.schemas.run import RunExecutionResult

    invoked = runner.invoke(arguments)
    results = invoked.result.results if isinstance(invoked.result, RunExecutionResult) else []
    if not invoked.success:
        failed = [
            f"{result.node.name}: {result.message}"
            for result in results
            if str(result.status).lower().rsplit(".", 1)[-1] in {"error", "fail"}
        ]
        raise VklsvdError(failure + (": " + "; ".join(failed) if failed else f": {invoked.exception}"))
    return list(results)


def _run_sql(runner: Any, arguments: list[str], names: Sequence[str]) -> list[ModelTiming]:
    """One dbt run of the SQL models `names`; the models it built and their times."""
    results = _invoke(runner, ["run", *arguments, "--select", *names], "the Spark build failed")
    return [
        ModelTiming(result.node.name, "spark", float(result.execution_time))
        for result in results
        if result.node.resource_type == "model"
    ]


def data_tests_of_each_kind(manifest: Any) -> list[str]:
    """One data test of each kind: of every generic test with the same set of arguments (each argument
    set takes its own path through the test's SQL) the first by name, and every singular test. Enough
    to show that the tests' SQL runs on Spark; that the Spark tables pass all of them follows from their
    equality with a DuckDB build that passed them (`--compare-with`)."""
    first: dict[tuple[str, tuple[str, ...]], str] = {}
    for node in sorted(manifest.nodes.values(), key=lambda node: node.name):
        if node.resource_type != "test":
            continue
        metadata = getattr(node, "test_metadata", None)
        if metadata is None:
            kind: tuple[str, tuple[str, ...]] = (f"singular {node.name}", ())
        else:
            kind = (metadata.name, tuple(sorted(set(metadata.kwargs) - {"model", "column_name"})))
        first.setdefault(kind, node.name)
    return sorted(first.values())


def _run_data_tests(runner: Any, arguments: list[str], names: Sequence[str] | None) -> None:
    """The project's data tests (`dbt test`) on the Spark tables, as `dbt build` runs them on DuckDB,
    or only the tests `names`; warnings are printed by dbt. The unit tests stay on DuckDB: their
    fixtures are DuckDB SQL, and the SQL logic they check is the same on Spark (the comparison with a
    DuckDB build shows it table by table)."""
    selection = ["--select", *names] if names is not None else ["--exclude", "test_type:unit"]
    _invoke(runner, ["test", *arguments, *selection], "data tests failed on Spark")


def spark_build(
    project_dir: Path,
    workdir: Path,
    variables: Mapping[str, Any],
    select: Sequence[str] = (),
    data_tests: str = "all",
) -> SparkBuild:
    """Build the warehouse on a local Spark session: every model (SQL by dbt, Python by the driver),
    or only the SQL models `select` (their inputs already built), then the data tests: `data_tests`
    "all", or "each-kind" (data_tests_of_each_kind). dbt's target and log folders and the Python
    steps' scratch database and artefacts go under `workdir`. Raises VklsvdError when a step fails."""
    if data_tests not in DATA_TEST_SCOPES:
        raise VklsvdError(f"data_tests must be one of {list(DATA_TEST_SCOPES)}, got {data_tests!r}")
    import duckdb
    from dbt.cli.main import dbtRunner
    from dbt.contracts.graph.manifest import Manifest

    arguments = dbt_arguments(project_dir, workdir, variables)
    parsed = dbtRunner().invoke(["parse", *arguments])
    if not parsed.success or not isinstance(parsed.result, Manifest):
        raise VklsvdError(f"dbt parse failed for target {SPARK_TARGET}: {parsed.exception}")
    manifest = parsed.result
    session = local_session(spark_settings(project_dir / "profiles"))
    load_embeddings(session, manifest)
    schema = next(node.schema for node in manifest.nodes.values() if node.resource_type == "model")
    runner = dbtRunner(manifest=manifest)
    nodes = model_nodes(manifest)
    if select:
        timings = _run_sql(runner, arguments, select)
        return SparkBuild(schema, tuple(t.model for t in timings), timings=tuple(timings))
    by_name = {node.name: node for node in nodes.values()}
    built: list[ModelTiming] = []
    workdir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(workdir / "python_steps.duckdb")) as scratch:
        for language, names in build_batches(nodes):
            if language == "sql":
                built.extend(_run_sql(runner, arguments, names))
                continue
            node = by_name[names[0]]
            started = time.perf_counter()
            if node.name in PARTITIONED_STEPS:
                rows = apply_partitioned_step(session, schema, node.name)
                runs_on = "executors"
            else:
                model_file = project_dir / node.path
                refs = workdir / "refs"
                rows = apply_python_model(session, schema, node.name, model_file, node.config, scratch, refs)
                runs_on = "driver"
            built.append(ModelTiming(node.name, runs_on, time.perf_counter() - started))
            print(f"Python step {node.name} on the {runs_on}: {rows:,} rows", flush=True)
    started = time.perf_counter()
    selected: list[str] | None = None
    if data_tests == "each-kind":
        selected = data_tests_of_each_kind(manifest)
        every = sum(node.resource_type == "test" for node in manifest.nodes.values())
        print(f"data tests on Spark: {len(selected)} of {every}, one of each kind", flush=True)
    _run_data_tests(runner, arguments, selected)
    with_tests = (*built, ModelTiming(DATA_TESTS, "spark", time.perf_counter() - started))
    write_timings(with_tests, workdir / TIMINGS_FILE)
    return SparkBuild(
        schema, tuple(t.model for t in built), downstream_of(nodes, FITTED_ON_FLOATS), with_tests
    )
