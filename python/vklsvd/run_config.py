"""What a build was made from, as one long table (section, name, value) stored next to its results: the
vars it resolved, the versions of the packages that computed it, a fingerprint of the dataset it read,
its seeds and the hashes of the models it trained. Two builds with equal run configs should give the
same submission; when they do not, the rows say what differed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from vklsvd.errors import VklsvdError

#: Distributions whose versions change what a build computes.
PACKAGES = (
    "vklsvd",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "numpy",
    "pyarrow",
    "scipy",
    "scikit-learn",
    "hnswlib",
    "xgboost-cpu",
    "implicit",
    "threadpoolctl",
)
SECTIONS = ("var", "package", "dataset", "seed", "artifact")


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed version of each distribution ('not installed' when absent)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _file_digest(path: Path) -> str:
    """Parquet files by their footer (row count and schema, which is cheap at any size, plus the byte
    size), other files by their bytes."""
    size = path.stat().st_size
    if path.suffix == ".parquet":
        try:
            footer = pq.ParquetFile(path).metadata
        except (OSError, pa.ArrowInvalid) as error:
            raise VklsvdError(f"{path}: not a readable parquet file ({error})") from error
        described = f"{size}:{footer.num_rows}:{footer.schema.to_arrow_schema()}"
        return hashlib.sha256(described.encode()).hexdigest()
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_fingerprint(data_root: Path, interactions_folder: str) -> tuple[str, int]:
    """sha256 over (relative path, file digest) of every weekly interactions file of the folder and every
    metadata file, in path order; and the number of files. Equal datasets give equal fingerprints
    wherever they are stored."""
    root = Path(data_root)
    weekly = sorted((root / interactions_folder).glob("*/week_*.parquet"))
    if not weekly:
        raise VklsvdError(
            f"{root / interactions_folder}: no weekly parquet files (*/week_*.parquet) to fingerprint; "
            "check vars data_root and subsample"
        )
    files = weekly + sorted(path for path in (root / "metadata").glob("*") if path.is_file())
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.relative_to(root).as_posix()}={_file_digest(path)}\n".encode())
    return digest.hexdigest(), len(files)


def interactions_folder(subsample: str) -> str:
    """The folder of the weekly files under data_root, as the source `vklsvd.interactions` reads it."""
    return "interactions" if subsample == "full" else f"subsamples/{subsample}"


def artifact_hashes(descriptions: Mapping[str, pa.Table]) -> dict[str, str | None]:
    """`<model>.<column>` -> value of every `*sha256` column of each model's row; a model with a row
    per as-of week (an `as_of_week` column) gives `<model>@<week>.<column>` for each week."""
    hashes: dict[str, str | None] = {}
    for model, table in descriptions.items():
        if "as_of_week" in table.schema.names:
            rows = table.sort_by([("as_of_week", "ascending")]).to_pylist()
            keyed = [(f"{model}@{row['as_of_week']}", row) for row in rows]
        else:
            first = table.slice(0, 1).to_pylist()
            keyed = [(model, first[0] if first else None)]
        for key, row in keyed:
            for name in table.schema.names:
                if name.endswith("sha256"):
                    hashes[f"{key}.{name}"] = row[name] if row else None
    return hashes


def run_config_table(
    run_vars: pa.Table,
    *,
    artifacts: Mapping[str, str | None],
    packages: Mapping[str, str] | None = None,
) -> pa.Table:
    """The run config rows: every var of `run_vars` (name, value as JSON), package versions, the dataset
    fingerprint of var data_root, the vars that seed a random choice, and the artefact hashes."""
    names, values = run_vars.column("name").to_pylist(), run_vars.column("value").to_pylist()
    project_vars = {name: json.loads(value) for name, value in zip(names, values, strict=True)}
    missing = sorted({"data_root", "subsample"} - set(project_vars))
    if missing:
        raise VklsvdError(f"run_vars lacks var(s) {missing}; add them to macro project_vars")
    folder = interactions_folder(str(project_vars["subsample"]))
    fingerprint, files = dataset_fingerprint(Path(str(project_vars["data_root"])), folder)
    rows: list[tuple[str, str, str]] = []
    rows += [("var", name, json.dumps(value, sort_keys=True)) for name, value in sorted(project_vars.items())]
    versions = package_versions() if packages is None else packages
    rows += [("package", name, version) for name, version in sorted(versions.items())]
    rows += [
        ("dataset", "fingerprint", fingerprint),
        ("dataset", "files", str(files)),
        ("dataset", "interactions_folder", folder),
    ]
    rows += [("seed", name, str(value)) for name, value in sorted(project_vars.items()) if "seed" in name]
    rows += [("artifact", name, digest or "") for name, digest in sorted(artifacts.items())]
    return pa.table(
        {
            "section": pa.array([row[0] for row in rows], pa.string()),
            "name": pa.array([row[1] for row in rows], pa.string()),
            "value": pa.array([row[2] for row in rows], pa.string()),
        }
    )


__all__ = [
    "PACKAGES",
    "SECTIONS",
    "artifact_hashes",
    "dataset_fingerprint",
    "interactions_folder",
    "package_versions",
    "run_config_table",
]
