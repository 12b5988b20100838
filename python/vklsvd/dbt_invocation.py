"""The `dbt` command line of one warehouse, shared by the tests, the benchmarks and anyone scripting builds.

A warehouse is a DuckDB file (env VKLSVD_DUCKDB_PATH, read by profiles/profiles.yml) plus its own dbt
target and log folders, so several warehouses can be built side by side from one checkout.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: Environment variable that points the profile at a warehouse file.
WAREHOUSE_ENV = "VKLSVD_DUCKDB_PATH"


def dbt_executable() -> str:
    """The `dbt` of this Python environment (the venv's, next to its python)."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_command(
    command: str,
    *,
    project_dir: Path,
    workdir: Path,
    variables: Mapping[str, Any],
    extra: Sequence[str] = (),
) -> list[str]:
    """`dbt <command>` for the project at `project_dir` with target and log folders under `workdir` and
    `variables` passed as JSON to --vars."""
    return [
        dbt_executable(),
        command,
        *extra,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir / "profiles"),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
        "--vars",
        json.dumps(dict(variables)),
    ]


def dbt_environment(warehouse: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment pointing the profile at `warehouse`."""
    return {**(os.environ if base is None else base), WAREHOUSE_ENV: str(warehouse)}
