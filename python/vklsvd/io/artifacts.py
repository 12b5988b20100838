"""Trained artefacts on disk (GMM, codebooks, HNSW index): atomic writes, content hashes, verified reads.

A file is written beside its final path, fsynced, hashed and renamed over the target, so a crash leaves
the previous file or the new one, never a partial one. Readers check the sha256 that the describing
table recorded, which also catches a file overwritten by another build.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vklsvd.errors import VklsvdError


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomically(path: Path, writer: Callable[[Path], object]) -> str:
    """Call `writer(temporary_path)`, then move the result onto `path`; returns its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        writer(temporary)
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        digest = sha256_file(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return digest


def publish_report(report: str, output: Path | None) -> None:
    """Print a benchmark's markdown report and, given an `output` path, write it there atomically (its
    folder created)."""
    print(report)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output, lambda target: Path(target).write_text(report))


def write_npz_atomically(path: Path, arrays: Mapping[str, np.ndarray]) -> str:
    """`np.savez` layout with fixed zip timestamps (same arrays give the same bytes and hash)."""

    def writer(target: Path) -> None:
        with zipfile.ZipFile(target, mode="w", compression=zipfile.ZIP_STORED) as archive:
            for name, array in arrays.items():
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                with archive.open(info, mode="w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)

    return write_atomically(path, writer)


def verified_path(path: str | Path, sha256: str) -> Path:
    """`path` after checking that it exists and still has the recorded content hash."""
    path = Path(path)
    if not path.is_file():
        raise VklsvdError(f"artefact {path} is missing; rebuild the model that writes it (dbt build)")
    actual = sha256_file(path)
    if actual != sha256:
        raise VklsvdError(
            f"artefact {path} has sha256 {actual[:12]}... but its table recorded {sha256[:12]}...; another "
            "build overwrote it: give each build its own var artifacts_dir and rebuild"
        )
    return path


def load_npz(path: str | Path, sha256: str) -> dict[str, np.ndarray]:
    with np.load(verified_path(path, sha256), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def artifacts_folder(configured: str | Path, connection: Any = None) -> Path:
    """Absolute folder for a build's artefacts.

    An absolute `configured` path is used as given. A relative one is placed beside the warehouse file
    of `connection` (the DuckDB database the build writes to): every warehouse then owns its artefacts,
    and builds of different warehouses running at the same time never overwrite each other's files
    (DuckDB's file lock already keeps two builds off one warehouse). Without a file-backed database the
    working directory is the base.
    """
    folder = Path(configured)
    if folder.is_absolute():
        return folder
    base = Path.cwd()
    if connection is not None:
        row = connection.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()
        if row and row[0]:
            base = Path(row[0]).resolve().parent
    return (base / folder).resolve()
