"""Faults and determinism: killed writers and builds never leave a half-written submission, and a
rebuild after a var change (another seed among them) equals a clean build with those vars."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from harness import Build, copy_warehouse
from vklsvd.io.export import write_parquet_atomically


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.005)


def test_writer_killed_mid_write_leaves_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "submission.parquet"
    write_parquet_atomically(pa.table({"a": [1, 2, 3]}), path)
    before = path.read_bytes()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import numpy as np, pyarrow as pa
                from pathlib import Path
                from vklsvd.io.export import write_parquet_atomically
                table = pa.table({{"a": np.random.default_rng(0).random(5_000_000)}})
                while True:
                    write_parquet_atomically(table, Path({str(path)!r}))
                """
            ),
        ]
    )
    try:
        _wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()))
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait()
    assert path.read_bytes() == before
    assert pq.read_table(path).column("a").to_pylist() == [1, 2, 3]


def test_build_killed_during_export_keeps_a_readable_submission(
    validation_build: Build, tiny_dataset: Path, make_build
) -> None:
    build = make_build("killed")
    copy_warehouse(validation_build, build)
    # an earlier submission that the export replaces with different bytes (its rows in another order)
    previous = pq.read_table(validation_build.submission)
    pq.write_table(previous.take(list(reversed(range(previous.num_rows)))), build.submission)
    before = build.submission.read_bytes()
    process = subprocess.Popen(
        build.command("run", {"data_root": str(tiny_dataset)}, "--select", "ml_submission_export"),
        env=build.environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "START python table model main.ml_submission_export" in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    table = pq.read_table(build.submission)  # readable: the old file or a complete new one
    assert table.num_rows == previous.num_rows
    assert all(len(users) == 100 for users in table.column("user_id").to_pylist())
    # the atomic writer's temporary file (`.submission.parquet.<random>.tmp`) never outlives a write
    leftovers = [
        p.name for p in build.submission.parent.iterdir() if p.name.startswith(f".{build.submission.name}.")
    ]
    assert leftovers == []
    if build.submission.read_bytes() != before:  # the export finished before the kill: it is complete
        assert build.submission.read_bytes() == validation_build.submission.read_bytes()


def test_rebuild_after_var_change_equals_clean_build(
    validation_build: Build, tiny_dataset: Path, make_build
) -> None:
    """A warehouse rebuilt with other vars equals a clean build with them, and determinism is not a
    property of one seed: the vars change the embedding prefix (every artefact's shape) and the
    `sample_seed` (every seeded step: GMM, codebooks, HNSW, training-pair sampling, XGBoost, assignment
    fill), and the two builds with them agree byte for byte; their model differs from the default
    build's."""
    reused = make_build("reused")
    copy_warehouse(validation_build, reused)  # a warehouse built before with other vars
    changed = {"data_root": str(tiny_dataset), "embedding_dim": 16, "sample_seed": 7}
    assert reused.run("build", changed).success
    clean = make_build("clean")
    assert clean.run("build", changed).success
    assert reused.submission.read_bytes() == clean.submission.read_bytes()
    assert reused.query("select * from eval_summary order by ranking") == clean.query(
        "select * from eval_summary order by ranking"
    )
    model = "select sha256 from ml_ranker_model"
    assert reused.query(model) == clean.query(model) != validation_build.query(model)
