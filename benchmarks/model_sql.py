"""One SQL model alone: its compiled query run against a built warehouse under the build's memory limit,
in a child process per version, timed, with the peak of its spill folder and of its resident memory
(the kernel's account of the child, os.wait4);
with two or more versions, also whether their results are equal row for row.

Usage (from the repository root; `dbt compile` writes a model's SQL under <target-path>/compiled/)::

    VKLSVD_DUCKDB_PATH=<warehouse> .venv/bin/dbt compile -s ranker_user_clip_features \\
        --project-dir . --profiles-dir profiles --target-path /tmp/new --vars '{"data_root": "<data>"}'
    # the same from a `git worktree` of the revision to compare against, into /tmp/old
    .venv/bin/python benchmarks/model_sql.py --warehouse <warehouse> \\
        --compiled old=/tmp/old/compiled/vklsvd/models/7_ranker/ranker_user_clip_features.sql \\
        --compiled new=/tmp/new/compiled/vklsvd/models/7_ranker/ranker_user_clip_features.sql \\
        --output benchmarks/results/pair_features/sparse_20k.md

The warehouse is attached read-only, so a model can be measured on a scale build without rebuilding it.
Each version's result is written to a parquet file (what a build's `create table` costs, less the
table's own storage) in a scratch folder under --workdir, which also holds the spill (capped by
--max-spill, so that a runaway spill fails the version instead of filling the disk). The versions run
one after another on the same machine, so their ratios are measured under the same conditions.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from vklsvd.cli import existing_warehouse
from vklsvd.io.artifacts import write_atomically
from vklsvd.resources import thread_budget

SAMPLE_SECONDS = 0.5

CHILD = """
import sys, time, duckdb
sql_path, warehouse, memory_limit, spill, max_spill, threads, out = sys.argv[1:8]
connection = duckdb.connect()
connection.execute(f"attach '{warehouse}' as vklsvd (read_only)")
connection.execute(f"set memory_limit = '{memory_limit}'")
connection.execute(f"set threads = {threads}")
connection.execute("set preserve_insertion_order = false")
connection.execute("set enable_progress_bar = false")
connection.execute(f"set temp_directory = '{spill}'")
connection.execute(f"set max_temp_directory_size = '{max_spill}'")
started = time.perf_counter()
connection.execute(f"copy ({open(sql_path).read()}) to '{out}' (format parquet)")
print(time.perf_counter() - started)
"""


@dataclass
class Run:
    name: str
    seconds: float | None
    peak_resident_bytes: int
    peak_spill_bytes: int
    rows: int | None
    error: str = ""


def folder_bytes(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except FileNotFoundError:  # a spill file removed while the folder is walked
                pass
    return total


class SpillSampler(threading.Thread):
    """The peak size of a folder, sampled until stopped."""

    def __init__(self, folder: Path) -> None:
        super().__init__(daemon=True)
        self.folder = folder
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, folder_bytes(self.folder))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_version(name: str, sql_path: Path, args: argparse.Namespace, scratch: Path) -> tuple[Run, Path]:
    spill = scratch / f"{name}_spill"
    spill.mkdir()
    out = scratch / f"{name}.parquet"
    command = [
        sys.executable,
        "-c",
        CHILD,
        str(sql_path),
        str(args.warehouse),
        args.memory_limit,
        str(spill),
        args.max_spill,
        str(thread_budget()),
        str(out),
    ]
    log = scratch / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
        spill_sampler = SpillSampler(spill)
        spill_sampler.start()
        # the kernel's account of this child alone: its peak resident memory, measured from outside
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        spill_sampler.stop()
    shutil.rmtree(spill)
    peak_resident = usage.ru_maxrss * 1024
    lines = log.read_text().strip().splitlines()
    if process.returncode != 0:
        # the exception's own line, not the traceback or DuckDB's caret under the query
        errors = [line for line in lines if "Error" in line] or lines or [f"exit {process.returncode}"]
        return Run(
            name, None, peak_resident, spill_sampler.peak, None, errors[-1][:200].replace("|", "/")
        ), out
    with duckdb.connect() as connection:
        (rows,) = connection.execute(f"select count(*) from '{out}'").fetchone()
    return Run(name, float(lines[-1]), peak_resident, spill_sampler.peak, rows), out


def differing_rows(left: Path, right: Path) -> tuple[int, int] | None:
    """Rows of each result missing from the other (a multiset difference over every column); None when
    the two results do not have the same columns and types."""
    with duckdb.connect() as connection:
        schema = "describe select * from '{}'"
        if (
            connection.execute(schema.format(left)).fetchall()
            != connection.execute(schema.format(right)).fetchall()
        ):
            return None
        difference = "select count(*) from (select * from '{}' except all select * from '{}')"
        (only_left,) = connection.execute(difference.format(left, right)).fetchone()
        (only_right,) = connection.execute(difference.format(right, left)).fetchone()
    return only_left, only_right


def _gib(value: int) -> str:
    return f"{value / 2**30:.2f}"


def report(runs: list[Run], equality: list[str], args: argparse.Namespace) -> str:
    first = runs[0].seconds
    lines = [
        f"# {args.title or 'One SQL model alone'}",
        "",
        "Produced by `benchmarks/model_sql.py` (see its docstring) on "
        f"{platform.machine()} with {os.cpu_count()} cores, DuckDB {duckdb.__version__}, "
        f"{thread_budget()} threads, memory_limit {args.memory_limit}, spill capped at {args.max_spill}; "
        f"warehouse `{args.warehouse.name}` ({args.note or 'see the title'}).",
        "",
        "| version | rows | seconds | vs first | peak resident GiB | peak spill GiB | error |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        ratio = f"{run.seconds / first:.2f}x" if run.seconds is not None and first else ""
        lines.append(
            f"| {run.name} | {'' if run.rows is None else f'{run.rows:,}'} | "
            f"{'' if run.seconds is None else f'{run.seconds:.1f}'} | {ratio} | "
            f"{_gib(run.peak_resident_bytes)} | {_gib(run.peak_spill_bytes)} | {run.error} |"
        )
    if equality:
        lines += ["", *equality]
    return "\n".join(lines) + "\n"


def parse_version(text: str) -> tuple[str, Path]:
    name, separator, path = text.partition("=")
    if not separator or not name or not path:
        raise argparse.ArgumentTypeError(f"--compiled takes name=path, got {text!r}")
    if not Path(path).is_file():
        raise argparse.ArgumentTypeError(f"--compiled {name}: no file {path}")
    return name, Path(path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--warehouse", type=existing_warehouse, required=True, help="a built warehouse (read only)"
    )
    parser.add_argument(
        "--compiled", type=parse_version, action="append", required=True, help="name=path of compiled SQL"
    )
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit (the profile's default)")
    parser.add_argument("--max-spill", default="30GB", help="DuckDB max_temp_directory_size")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--title", default="")
    parser.add_argument("--note", default="", help="the shape of the data, for the report")
    parser.add_argument("--output", type=Path, help="markdown report (printed as well)")
    args = parser.parse_args()
    runs, results = [], []
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="model_sql_") as folder:
        scratch = Path(folder)
        for name, sql_path in args.compiled:
            started = time.perf_counter()
            run, out = run_version(name, sql_path, args, scratch)
            print(f"{name}: {time.perf_counter() - started:.0f} s {run.error}", flush=True)
            runs.append(run)
            results.append(out if run.error == "" else None)
        equality = []
        first_name, first_result = runs[0].name, results[0]
        for run, result in zip(runs[1:], results[1:], strict=True):
            if first_result is None or result is None:
                continue
            difference = differing_rows(first_result, result)
            if difference is None:
                equality.append(f"- {run.name} vs {first_name}: different columns or types")
            else:
                equality.append(
                    f"- {run.name} vs {first_name}: {difference[0]:,} rows only in {first_name}, "
                    f"{difference[1]:,} only in {run.name}"
                    + (" (equal row for row)" if difference == (0, 0) else "")
                )
    text = report(runs, equality, args)
    print(text)
    if args.output:
        write_atomically(args.output, lambda path: path.write_text(text))


if __name__ == "__main__":
    main()
