"""Why builds were slow and unstable: two models side by side, each using every core.

Usage (from the repository root)::

    .venv/bin/python benchmarks/oversubscription.py      # writes benchmarks/results/oversubscription.md
    .venv/bin/python benchmarks/oversubscription.py --rows 20000000 --output /tmp/oversubscription.md

The warehouse used to run two dbt models at once (profile `threads: 2`) while every model could use
every core: DuckDB's worker threads, hnswlib's query threads, BLAS. This reproduces that in one process
on synthetic data, with the kinds of work the slow models did, and times in one run:

* `sql`: a DuckDB hash aggregation with exact decimal sums (like the per-user mixture-component counters)
  over `--rows` rows, DuckDB threads = cores;
* `hnsw`: hnswlib queries at a large depth (k = 1500, ef = 3000, as the HNSW candidates did) with
  num_threads = cores;
* `blas`: float32 matrix products through numpy's BLAS (exact nearest neighbours), BLAS threads = cores;

each alone, then `sql` side by side with each of the others (the old build: 2 x cores threads on the
cores), then the same pairs one after the other (the build now: dbt threads 1, one model at a time, each
with the whole thread budget). The report gives every wall time and each task's slowdown next to its
time alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import hnswlib
import numpy as np
from threadpoolctl import threadpool_limits

PROJECT_DIR = Path(__file__).resolve().parents[1]


def make_sql_task(connection: duckdb.DuckDBPyConnection, rows: int, threads: int) -> Callable[[], None]:
    connection.execute(f"set threads = {threads}")
    connection.execute(
        f"""create or replace table events as
            select (i * 2654435761) % 200000 as user_id, i % 25 as week, (i * 40503) % 32 as component,
                   ((i * 7919) % 1000) / 1000.0 as probability
            from range({rows}) as t (i)"""
    )

    def task() -> None:
        connection.execute(
            """create or replace table per_component as
               select user_id, week, component, count(*) as impressions,
                      cast(sum(cast(probability as decimal(38, 9))) as double) as mass
               from events group by all"""
        )

    return task


def make_hnsw_task(threads: int, seed: int = 0) -> Callable[[], None]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, 64))
    base = (centres[rng.integers(0, 40, 40_000)] + 0.6 * rng.normal(size=(40_000, 64))).astype(np.float32)
    queries = rng.normal(size=(400, 64)).astype(np.float32)
    index = hnswlib.Index(space="cosine", dim=64)
    index.init_index(max_elements=base.shape[0], M=16, ef_construction=100, random_seed=seed)
    index.add_items(base, np.arange(base.shape[0]), num_threads=threads)
    index.set_ef(3000)

    def task() -> None:
        index.knn_query(queries, k=1500, num_threads=threads)

    return task


def make_blas_task(threads: int, seed: int = 1) -> Callable[[], None]:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(200_000, 64)).astype(np.float32)
    queries = rng.normal(size=(4_000, 64)).astype(np.float32)

    def task() -> None:
        with threadpool_limits(limits=threads, user_api="blas"):
            for start in range(0, queries.shape[0], 250):
                block = queries[start : start + 250] @ base.T
                np.argpartition(-block, 500, axis=1)

    return task


def timed(task: Callable[[], None]) -> float:
    started = time.perf_counter()
    task()
    return time.perf_counter() - started


def side_by_side(first: Callable[[], None], second: Callable[[], None]) -> tuple[float, float, float]:
    """Both at once (each in its own thread; DuckDB, hnswlib and BLAS release the GIL): each one's wall
    time and the wall time of the pair."""
    times: dict[str, float] = {}

    def run(name: str, task: Callable[[], None]) -> None:
        times[name] = timed(task)

    started = time.perf_counter()
    pair = (("a", first), ("b", second))
    threads = [threading.Thread(target=run, args=(name, task)) for name, task in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times["a"], times["b"], time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=30_000_000, help="rows of the SQL aggregation")
    parser.add_argument(
        "--output", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "oversubscription.md"
    )
    args = parser.parse_args(argv)
    cores = len(os.sched_getaffinity(0))
    connection = duckdb.connect()
    tasks = {
        "sql": make_sql_task(connection, args.rows, cores),
        "hnsw": make_hnsw_task(cores),
        "blas": make_blas_task(cores),
    }
    alone = {name: min(timed(task) for _ in range(2)) for name, task in tasks.items()}
    lines = [
        "# Oversubscription: two models side by side, each using every core",
        "",
        "Produced by `benchmarks/oversubscription.py` (see its docstring), one run.",
        "",
        f"- machine: {platform.platform()}, {cores} cores, DuckDB {duckdb.__version__}, hnswlib, numpy BLAS",
        f"- sql: DuckDB hash aggregation with exact decimal sums over {args.rows:,} rows;"
        " hnsw: 400 queries of depth 1500 at ef 3000 on 40,000 vectors; blas: 4,000 x 200,000 float32"
        " similarities with top-500 selection",
        f"- each task uses all {cores} cores, as every model could before the thread budget",
        "",
        "| run | sql (s) | other (s) | pair wall (s) | sql slowdown | other slowdown |",
        "|---|---:|---:|---:|---:|---:|",
        f"| sql alone | {alone['sql']:.2f} | | | 1.0x | |",
        f"| hnsw alone | | {alone['hnsw']:.2f} | | | 1.0x |",
        f"| blas alone | | {alone['blas']:.2f} | | | 1.0x |",
    ]
    for other in ("hnsw", "blas"):
        sql_time, other_time, wall = side_by_side(tasks["sql"], tasks[other])
        lines.append(
            f"| sql + {other} side by side (before) | {sql_time:.2f} | {other_time:.2f} | {wall:.2f} | "
            f"{sql_time / alone['sql']:.1f}x | {other_time / alone[other]:.1f}x |"
        )
        started = time.perf_counter()
        sql_time, other_time = timed(tasks["sql"]), timed(tasks[other])
        wall = time.perf_counter() - started
        lines.append(
            f"| sql then {other} (now: one model at a time) | {sql_time:.2f} | {other_time:.2f} | "
            f"{wall:.2f} | "
            f"{sql_time / alone['sql']:.1f}x | {other_time / alone[other]:.1f}x |"
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
