"""Thread budget, DuckDB's buffer pool given back, the warehouse plugin's folders, progress lines and
dataset shapes."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

from vklsvd.errors import InvalidArgumentError, VklsvdError
from vklsvd.io.arrow import stream_batches
from vklsvd.io.dbt_warehouse_plugin import folders_to_create
from vklsvd.progress import Progress, logger
from vklsvd.resources import (
    THREADS_ENV,
    available_cores,
    budgeted_threads,
    released_after,
    thread_budget,
)
from vklsvd.synthetic.shapes import SHAPES, shape_config


def test_thread_budget_defaults_to_the_cores_and_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert thread_budget() == available_cores() >= 1
    monkeypatch.setenv(THREADS_ENV, "3")
    assert thread_budget() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(THREADS_ENV, bad)
        with pytest.raises(VklsvdError, match=THREADS_ENV):
            thread_budget()


def test_budgeted_threads_caps_blas(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadpoolctl import threadpool_info

    monkeypatch.setenv(THREADS_ENV, "1")
    with budgeted_threads() as threads:
        assert threads == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())


def test_plugin_creates_the_database_and_spill_folders(tmp_path: Path) -> None:
    database = tmp_path / "new" / "deeper" / "warehouse.duckdb"
    spill = tmp_path / "spill"
    folders = folders_to_create(str(database), {"temp_directory": str(spill)})
    assert folders == [database.parent, spill]
    assert folders_to_create(":memory:", {}) == []


def test_plugin_prepares_the_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from vklsvd.io.dbt_warehouse_plugin import Plugin

    monkeypatch.setenv(THREADS_ENV, "2")
    database = tmp_path / "a" / "b.duckdb"
    creds = SimpleNamespace(path=str(database), settings={"memory_limit": "1GB"})
    config: dict[str, object] = {"temp_directory": str(tmp_path / "a" / "b.duckdb.tmp")}
    Plugin(name="warehouse", plugin_config={}, credentials=creds).update_connection_config(creds, config)
    assert database.parent.is_dir() and (tmp_path / "a" / "b.duckdb.tmp").is_dir()
    assert config["threads"] == 2
    config = {"threads": 1}
    creds.settings = {}
    Plugin(name="warehouse", plugin_config={}, credentials=creds).update_connection_config(creds, config)
    assert config["threads"] == 1  # a profile that sets threads keeps them


def test_progress_logs_counts_shares_and_a_final_line() -> None:
    class Lines(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    captured = Lines()
    logger().addHandler(captured)
    try:
        progress = Progress("step", "rows", 1000, interval=0.0)
        progress.advance(250)
        progress.finish("all good")
    finally:
        logger().removeHandler(captured)
    lines = captured.lines
    assert lines[0] == "step: started (1,000 rows)"
    assert lines[1].startswith("step: 250 / 1,000 rows (25%), 0 s")
    assert lines[-1].startswith("step: done, 250 / 1,000 rows (25%)") and lines[-1].endswith("; all good")
    assert len(lines) == 3 and "GiB resident" in lines[1]


def test_shapes_scale_users_and_keep_dense_users_dense() -> None:
    assert set(SHAPES) >= {"tiny", "demo", "sparse", "dense"}
    sparse = shape_config("sparse", 5)
    assert (sparse.n_users, sparse.items_per_week) == (100_000, 10_000)
    dense = shape_config("dense", 0.1, seed=4)
    assert dense.n_users == 1_000 and dense.items_per_week == SHAPES["dense"].config.items_per_week
    assert dense.seed == 4 and dense.activity_sigma < 1.0
    with pytest.raises(InvalidArgumentError, match="unknown dataset shape"):
        shape_config("huge")
    with pytest.raises(InvalidArgumentError, match="positive"):
        shape_config("tiny", 0)


def test_released_after_empties_duckdbs_buffer_pool_once_the_stream_is_read(tmp_path: Path) -> None:
    database = str(tmp_path / "pool.duckdb")
    with duckdb.connect(database) as writer:  # random doubles: blocks that do not compress away
        writer.execute("create table wide as select random() as a, random() as b from range(6000000)")
    connection = duckdb.connect(database)
    connection.execute("set memory_limit = '1GB'")
    limit_before = connection.execute("select current_setting('memory_limit')").fetchone()[0]

    def cached_bytes() -> int:
        return int(connection.execute("select sum(memory_usage_bytes) from duckdb_memory()").fetchone()[0])

    assert sum(batch.num_rows for batch in stream_batches(connection.table("wide"), 100_000)) == 6_000_000
    assert cached_bytes() > 80_000_000  # a plain stream leaves the table's blocks cached
    read = released_after(stream_batches(connection.table("wide"), 100_000), connection)
    assert sum(batch.num_rows for batch in read) == 6_000_000
    assert cached_bytes() <= 32 * 2**20  # EVICTION_MEMORY_LIMIT
    limit_after = connection.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limit_after.endswith(" MiB") and limit_before.endswith(" MiB")
    assert abs(float(limit_after.split()[0]) - float(limit_before.split()[0])) < 0.11  # DuckDB's precision
