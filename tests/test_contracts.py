"""Enforced contracts at the edges: a staging model (the input's schema as the project relies on it) or
the submission (what a consumer reads) whose column changes type fails the build at that model, with
the column named, instead of a data test finding it after the build, if at all."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness import PROJECT_DIR, Build
from vklsvd.dbt_invocation import dbt_command, dbt_environment

#: What a copy of the project needs to compile and run its models.
PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "data_tests", "profiles")


def _edited_project(root: Path, model: Path, old: str, new: str) -> Path:
    root.mkdir()
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    path = root / model
    text = path.read_text()
    assert text.count(old) == 1, f"{model} no longer holds {old!r}"
    path.write_text(text.replace(old, new))
    return root


def _run_model(project: Path, warehouse: Path, data_root: Path, model: str) -> str:
    completed = subprocess.run(
        dbt_command(
            "run",
            project_dir=project,
            workdir=project,
            variables={"data_root": str(data_root), "submission_path": str(project / "submission.parquet")},
            extra=("--select", model),
        ),
        env=dbt_environment(warehouse),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0, f"{model} built with a column of another type"
    return completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("model", "old", "new", "column"),
    [
        (
            "models/1_staging/stg_vklsvd__items.sql",
            "cast(duration as {{ unsigned_int_type(8) }}) as duration",
            "cast(duration as double) as duration",
            "duration",
        ),
        (
            "models/8_submission/submission.sql",
            "cast(item_id as {{ unsigned_int_type(32) }}) as item_id",
            "cast(item_id as bigint) as item_id",
            "item_id",
        ),
    ],
    ids=["staging", "submission"],
)
def test_a_column_of_another_type_fails_the_build_at_its_model(
    validation_build: Build, tiny_dataset: Path, tmp_path: Path, model: str, old: str, new: str, column: str
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(validation_build.warehouse, warehouse)  # the models upstream of the submission exist
    project = _edited_project(tmp_path / "project", Path(model), old, new)
    output = _run_model(project, warehouse, tiny_dataset, Path(model).stem)
    assert "contract" in output and Path(model).stem in output, output[-3000:]
    mismatch = [line for line in output.splitlines() if line.strip().startswith(f"| {column} ")]
    assert mismatch and "data type mismatch" in mismatch[0], output[-3000:]
