"""Shared fixtures: a tiny generated dataset and a helper that runs `dbt build` on it.

`make test` runs the suite on every core with pytest-xdist. The expensive fixtures (the dataset, the
validation build, the leakage builds) are made once per run, not once per worker: `shared_folder` builds
them under a file lock in the folder every worker's temporary folder sits in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import Build, copy_warehouse, failure_text, shared_folder
from vklsvd.resources import THREADS_ENV
from vklsvd.synthetic import generate_dataset
from vklsvd.synthetic.shapes import shape_config

#: Fixtures that build a warehouse with dbt: a test using one (directly or through another fixture) is a
#: `warehouse` test; `pytest -m "not warehouse"` runs the package tests alone.
WAREHOUSE_FIXTURES = frozenset(
    {"validation_build", "ablation_build", "make_build", "manifest", "original", "changed"}
)


#: The longest test, started first so that the workers finish together instead of one of them running it
#: alone at the end (the Spark build of the test dataset takes a quarter of the suite's time). One only:
#: xdist's worksteal gives each worker a contiguous slice of the queue, so a second one here would queue
#: behind the first on the same worker.
LONGEST_FIRST = ("test_the_warehouse_on_spark_equals_the_duckdb_build",)


def pytest_configure(config: pytest.Config) -> None:
    # Under xdist each worker is one core: a build's DuckDB, BLAS, XGBoost and hnswlib threads (the thread
    # budget, resources.thread_budget) are held to one, as the workers' builds would otherwise fight for
    # the same cores (measured on 2 cores: the same wall time as one worker, a third more CPU time).
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault(THREADS_ENV, "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if WAREHOUSE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.warehouse)
    items.sort(key=lambda item: getattr(item, "originalname", item.name) not in LONGEST_FIRST)


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_folder(
        tmp_path_factory, "tiny_dataset", lambda root: generate_dataset(root, shape_config("tiny", seed=11))
    )


@pytest.fixture
def make_build(tmp_path: Path) -> Callable[[str], Build]:
    def factory(name: str = "build") -> Build:
        workdir = tmp_path / name
        workdir.mkdir()
        return Build(workdir)

    return factory


@pytest.fixture(scope="session")
def validation_build(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The warehouse built once on the tiny dataset with default vars (target week 25): the product as
    `make demo` builds it, without the research reports."""

    def create(workdir: Path) -> None:
        result = Build(workdir).run("build", {"data_root": str(tiny_dataset)})
        assert result.success, failure_text(result)

    return Build(shared_folder(tmp_path_factory, "validation_build", create))


@pytest.fixture(scope="session")
def ablation_build(
    validation_build: Build, tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory
) -> Build:
    """A copy of the validation build with the research reports added as `make evaluate`'s second step
    adds them: var feature_ablation, only the ablation models and what reads them (the product is not
    rebuilt, the submission not exported again: the copy has no submission file, and the step writes
    none)."""

    def create(workdir: Path) -> None:
        build = Build(workdir)
        copy_warehouse(validation_build, build)
        variables = {"data_root": str(tiny_dataset), "feature_ablation": True}
        result = build.run("build", variables, "--select", "ml_ablation_assignments+", "run_vars+")
        assert result.success, failure_text(result)
        assert "ml_ranker_model" not in result.output, "the research step rebuilt the product"
        assert not build.submission.exists(), "the research step exported the submission again"

    return Build(shared_folder(tmp_path_factory, "ablation_build", create))
