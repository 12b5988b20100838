"""The cost of each stage of a Spark build at full scale, from the per-row costs of two measured builds.

`vklsvd spark-build` writes each model's time and where it ran (`model_timings.csv` in its workdir:
`spark` = SQL by dbt, `executors` = a partitioned Python step, `driver` = a Python step on the driver).
Given two builds of datasets of different sizes, this script sums the times per stage (the model's
folder under models/) and place, takes the difference per interaction between the two builds as the
stage's marginal cost (what the fixed per-query and per-stage overheads of a small build do not explain)
and extrapolates it to the full dataset's interactions:

* on Spark (SQL and partitioned Python steps) the measured seconds on the local session's cores become
  core-seconds, divided among the cluster's cores;
* on the driver the seconds stay wall seconds of one machine (those steps fit on bounded samples or on
  per-user and per-clip tables; a linear extrapolation in interactions is their upper bound).

Usage (from the repository root)::

    .venv/bin/python benchmarks/spark_stage_costs.py \\
        --run half=data/demo_half:warehouse/spark_half/model_timings.csv \\
        --run demo=data/demo:warehouse/spark/model_timings.csv \\
        --local-cores 2 --cluster-cores 512 --output benchmarks/results/spark_port/stage_costs.md

Every stage's marginal cost is assumed linear in the interactions; the stages whose work grows with
users or clips rather than interactions are still measured per interaction of the same data shape, so
the estimate holds for datasets of the measured shape (impressions per user-week) and is a guide, not a
forecast, for others.
"""

from __future__ import annotations

import argparse
import csv
import platform
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from vklsvd.io.artifacts import write_atomically
from vklsvd.spark.build import DATA_TESTS

PROJECT_DIR = Path(__file__).resolve().parents[1]
#: VK-LSVD's impressions (README of the dataset: ~40.8 B over 27 weeks).
FULL_INTERACTIONS = 40.8e9


@dataclass(frozen=True)
class MeasuredRun:
    label: str
    interactions: int
    seconds: dict[tuple[str, str], float]  # (stage, runs_on) -> seconds


def stage_of_models(models_dir: Path) -> dict[str, str]:
    """Each model's stage: its numbered folder under models/."""
    return {
        path.stem: path.relative_to(models_dir).parts[0]
        for path in models_dir.rglob("*")
        if path.suffix in {".sql", ".py"}
    }


def count_interactions(data_root: Path) -> int:
    """The rows of every weekly interactions file of a dataset (train, validation and test weeks)."""
    files = sorted(str(path) for path in data_root.rglob("week_*.parquet"))
    if not files:
        raise SystemExit(f"{data_root}: no week_*.parquet files")
    with duckdb.connect() as connection:
        row = connection.execute("select count(*) from read_parquet(?)", [files]).fetchone()
    assert row is not None
    return int(row[0])


def read_run(label: str, data_root: Path, timings: Path, stages: dict[str, str]) -> MeasuredRun:
    seconds: dict[tuple[str, str], float] = defaultdict(float)
    with timings.open() as handle:
        for row in csv.DictReader(handle):
            if row["model"] == DATA_TESTS:
                stage = DATA_TESTS
            elif row["model"] in stages:
                stage = stages[row["model"]]
            else:
                raise SystemExit(f"{timings}: model {row['model']} is not in models/")
            seconds[(stage, row["runs_on"])] += float(row["seconds"])
    return MeasuredRun(label, count_interactions(data_root), dict(seconds))


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def report(small: MeasuredRun, large: MeasuredRun, local_cores: int, cluster_cores: int) -> list[str]:
    added = large.interactions - small.interactions
    if added <= 0:
        raise SystemExit("the second --run must have more interactions than the first")
    lines = [
        "# Spark build: each stage's cost at full scale, from two measured builds",
        "",
        f"Measured: `{small.label}` ({small.interactions:,} interactions) and `{large.label}` "
        f"({large.interactions:,}), local session on {local_cores} cores ({platform.machine()}). "
        f"Extrapolated to {FULL_INTERACTIONS / 1e9:.1f} B interactions; Spark's work spread over "
        f"{cluster_cores} cores, the driver's on one machine as measured.",
        "",
        f"| stage | runs on | {small.label} s | {large.label} s | marginal µs per interaction "
        f"(core) | full scale |",
        "|---|---|---|---|---|---|",
    ]
    total_spark = total_driver = 0.0
    for key in sorted(set(small.seconds) | set(large.seconds)):
        stage, runs_on = key
        before, after = small.seconds.get(key, 0.0), large.seconds.get(key, 0.0)
        on_spark = runs_on in {"spark", "executors"}
        # core-seconds on Spark (its tasks use every local core); wall seconds on the driver
        marginal = max(after - before, 0.0) / added * (local_cores if on_spark else 1)
        full = marginal * FULL_INTERACTIONS / (cluster_cores if on_spark else 1)
        if on_spark:
            total_spark += full
        else:
            total_driver += full
        lines.append(
            f"| {stage} | {runs_on} | {before:.1f} | {after:.1f} | {marginal * 1e6:.2f} | {_duration(full)} |"
        )
    lines += [
        "",
        f"Total: Spark {_duration(total_spark)} on {cluster_cores} cores, driver {_duration(total_driver)} "
        "(an upper bound: linear in interactions).",
        "",
        "A stage whose time did not grow between the two builds shows a marginal cost of 0: at these sizes "
        "its time is the fixed overhead of its queries.",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--run",
        action="append",
        required=True,
        metavar="LABEL=DATA_ROOT:TIMINGS_CSV",
        help="a measured build: its dataset and its model_timings.csv (give two, smaller first)",
    )
    parser.add_argument("--local-cores", type=int, required=True, help="cores of the measured local session")
    parser.add_argument("--cluster-cores", type=int, default=512, help="cores of the cluster to estimate for")
    parser.add_argument("--output", type=Path, required=True, help="the markdown file to write")
    args = parser.parse_args()
    if len(args.run) != 2:
        parser.error("give exactly two --run")
    stages = stage_of_models(PROJECT_DIR / "models")
    runs = []
    for spec in args.run:
        label, _, paths = spec.partition("=")
        data_root, _, timings = paths.partition(":")
        if not (label and data_root and timings):
            parser.error(f"--run {spec!r}: expected LABEL=DATA_ROOT:TIMINGS_CSV")
        runs.append(read_run(label, Path(data_root), Path(timings), stages))
    lines = report(runs[0], runs[1], args.local_cores, args.cluster_cores)
    write_atomically(args.output, lambda target: target.write_text("\n".join(lines) + "\n"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
