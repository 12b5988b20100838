"""Running `dbt` as a user does (a subprocess) against its own warehouse file, for the warehouse tests."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest
import yaml
from filelock import FileLock

from vklsvd.dbt_invocation import dbt_command, dbt_environment
from vklsvd.ranking.ranker import RankerParams
from vklsvd.retrieval.hnsw import HnswParams
from vklsvd.settings import stage_settings

PROJECT_DIR = Path(__file__).resolve().parents[1]


def load_benchmark(name: str) -> ModuleType:
    """The script benchmarks/<name>.py as a module (registered in sys.modules, where dataclasses look
    their module up)."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class DbtResult:
    success: bool
    output: str


class Build:
    """One warehouse: its DuckDB file, dbt target and log folders and exported submission."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.warehouse = workdir / "warehouse.duckdb"
        self.submission = workdir / "submission.parquet"

    def command(self, command: str, variables: dict[str, Any], *extra: str) -> list[str]:
        """The dbt command line for this build: its own target and log folders, vars as JSON."""
        return dbt_command(
            command,
            project_dir=PROJECT_DIR,
            workdir=self.workdir,
            variables={"submission_path": str(self.submission), **variables},
            extra=extra,
        )

    def environment(self) -> dict[str, str]:
        """The process environment pointing the profile at this build's warehouse file."""
        return dbt_environment(self.warehouse)

    def run(self, command: str, variables: dict[str, Any], *extra: str) -> DbtResult:
        completed = subprocess.run(
            self.command(command, variables, *extra),
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        return DbtResult(completed.returncode == 0, completed.stdout + completed.stderr)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.execute(sql).fetchall()


def copy_warehouse(built: Build, build: Build) -> None:
    """`build` starts from what `built` left: its warehouse file and artefacts (beside the warehouse)."""
    shutil.copy2(built.warehouse, build.warehouse)
    shutil.copytree(built.warehouse.parent / "artifacts", build.warehouse.parent / "artifacts")


def failure_text(result: DbtResult) -> str:
    """What dbt told the user, for assertion messages."""
    return result.output[-5000:]


def project_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml: the one place every default lives, read by tests that call the
    package directly so they use the same settings as a build."""
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def default_ranker_params(**overrides: Any) -> RankerParams:
    """RankerParams as a default build makes them (var ranker_params, sample_seed, list_size)."""
    project = project_vars()
    params = stage_settings(
        RankerParams, "ranker_params", project["ranker_params"], seed=project["sample_seed"],
        eval_at=project["list_size"],
    )  # fmt: skip
    return dataclasses.replace(params, **overrides)


def default_hnsw_params(**overrides: Any) -> HnswParams:
    """HnswParams as a default build makes them (var hnsw_params and sample_seed)."""
    project = project_vars()
    params = stage_settings(HnswParams, "hnsw_params", project["hnsw_params"], seed=project["sample_seed"])
    return dataclasses.replace(params, **overrides)


class SharedFolderFailed(RuntimeError):
    """A shared folder whose making failed earlier in the same test run."""


def shared_folder(
    tmp_path_factory: pytest.TempPathFactory, name: str, create: Callable[[Path], None]
) -> Path:
    """The folder `name`, filled by `create` once per test run however many xdist workers ask for it: the
    first one creates it under a lock while the others wait, then all use it. A failed `create` is
    recorded beside the folder, which keeps what it wrote (the build's logs): every later request fails
    at once with the first failure's message instead of repeating a build that fails the same way."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    complete = root / f"{name}.complete"
    failed = root / f"{name}.failed"
    with FileLock(root / f"{name}.lock"):
        if failed.exists():
            raise SharedFolderFailed(
                f"making the shared folder {name} failed earlier in this run (what it wrote is in "
                f"{folder}):\n{failed.read_text()}"
            )
        if not complete.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                create(folder)
            except BaseException as error:
                if not isinstance(error, KeyboardInterrupt):  # pytest.fail's outcome is a BaseException
                    failed.write_text(f"{type(error).__name__}: {error}")
                raise
            complete.touch()
    return folder
