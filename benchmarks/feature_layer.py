"""Benchmark of the SQL feature layer next to a plain DuckDB scan-and-group-by of the same files.

Usage (from the repository root)::

    .venv/bin/python benchmarks/feature_layer.py                 # the defaults below: ~21 M train rows
    .venv/bin/python benchmarks/feature_layer.py --users 70000 --authors 5000 --items-per-week 4000 \\
        --impressions-per-week 12 --repeats 3 --workdir /tmp/vklsvd-feature-bench \\
        --output benchmarks/results/feature_layer.md

What one run does:

1. generates a synthetic dataset (``vklsvd.synthetic.generate_dataset``) under ``<workdir>/data``, or
   reuses it when ``<workdir>/data/benchmark_dataset.json`` records the same parameters, and refuses
   to go on below ``--min-train-rows`` train rows;
2. builds the layer's inputs once, untimed (staging views, ``int_interactions``, ``int_clip_first_week``,
   ``int_target_clips``): ``dbt run --select +tag:features --exclude tag:features``;
3. ``--repeats`` times, alternating so that both see the same machine load:
   (a) the scan: a fresh DuckDB process reads the train parquet files (the weeks the layer reads) and
       materialises ``count(*)``, ``sum(timespent)`` and the count of every signal grouped by
       (user_id, week) into a new database file: the practical speed limit of a per-week aggregate;
   (b) the feature layer: ``dbt run --select tag:features``, i.e. every model of
       ``models/6_features/periods`` and ``models/6_features`` as tables in the warehouse file,
       for the default as-of weeks: the target week and var ``training_weeks`` (by default the three
       weeks before it), i.e. **four as-of weeks** (22, 23, 24 and 25 with target week 25);
   (c) dbt's own floor: ``dbt run --select int_feature_as_of_weeks`` (one table of four rows), i.e. what
       any ``dbt run`` of this project costs before the layer does any work (start-up, parsing,
       connection, the on-run-start hook, writing the artifacts);
   each in its own child process, with its wall time and peak resident memory (``os.wait4``);
4. writes a markdown report (``--output``): data scale, machine, the median of each step, rows per
   second, the feature layer / scan ratio, the per-model times and the size of every feature table.

The dbt wall time includes dbt's own start-up (reading the project, connecting: a few seconds); the
report gives the time spent running the models (``run_results.json``) and step (c) next to it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from vklsvd import dbt_invocation as invocation
from vklsvd.constants import SIGNALS
from vklsvd.synthetic import GeneratorConfig, generate_dataset

PROJECT_DIR = Path(__file__).resolve().parents[1]

TRAIN_GLOB = "interactions/train/week_*.parquet"
#: Models of the layer by family, for the breakdown of the report.
FAMILIES: dict[str, tuple[str, ...]] = {
    "user x context (place, platform, duration bucket)": (
        "int_user_contexts_aggregated_to_periods",
        "user_context_features",
    ),
    "user": ("int_users_aggregated_to_periods", "user_features"),
    "user x author (engaged pairs)": ("int_user_authors_aggregated_to_periods", "user_author_features"),
    "shared: signal impressions, clip attributes": ("int_feature_signal_impressions", "int_feature_items"),
    "as-of weeks, target clips, hook": (
        "int_feature_as_of_weeks",
        "target_clip_features",
        "vklsvd-on-run-start-0",
    ),
}
FEATURE_TABLES = (
    "int_feature_as_of_weeks",
    "int_feature_items",
    "int_feature_signal_impressions",
    "int_users_aggregated_to_periods",
    "int_user_contexts_aggregated_to_periods",
    "int_user_authors_aggregated_to_periods",
    "user_features",
    "user_context_features",
    "user_author_features",
    "target_clip_features",
)

#: Earlier results of this benchmark (same data parameters and machine), quoted in every report.
PREVIOUS_RESULTS = """## Before this version

| revision | as-of weeks | scan (s) | layer (s) | layer MiB | vs scan |
|---|---:|---:|---:|---:|---:|
| weekly aggregates, agent context, weekly contexts (committed report) | 2 | 2.0 | 29.8 | 1,747 | 14.7x |
| the same, with the default of 3 training weeks (1 round) | 4 | 3.3 | 68.6 | 2,504 | 21.0x |

What changed, each measured on the 20.9 M-row dataset (DuckDB, 2 threads; seconds for the model alone):

- partial aggregates per as-of period instead of per week (macro `feature_periods`): user 529 k rows
  instead of 1.64 M, contexts 4.3 M instead of 14.7 M;
- the six signal counts and positives from `int_feature_signal_impressions` (~5% of the impressions)
  instead of seven filtered counts in every aggregation over all impressions (author family 2.4 -> 1.35 s);
- clip attributes (author, duration bucket, 1 / duration) once per clip (`int_feature_items`): the watch
  fraction computed per impression after the join cost ~0.9 s per family, one multiplication ~0.3 s;
- place and platform from one aggregation by (user, period, place, platform) rolled up (1.9 s) instead of
  grouping sets (2.7 s); duration buckets counted in the user aggregation (+0.6 s) instead of a grouping
  set (+1.1 s); the agent context dropped (not asked for by the issue);
- the as-of marts without an aggregation: each (keys, as-of week) row is the key's last period before the
  as-of week with running totals and lags (window functions), instead of joining every weekly row to
  every later as-of week and grouping with a filtered sum per column and window (in the dbt run, two
  models at a time, four as-of weeks: user_author_features 20 s -> 7-8 s, of which ~2.5 s is writing its
  3.5 M x 41 values; user_context_features 13 s -> 5-6 s);
- tried and dropped: a materialised typed copy of the impressions (6 s to write, and aggregating it is
  not faster than reading the parquet files), perfect-hash aggregation (not used: no statistics through
  the views), packed integer group keys and histogram() aggregates (slower), grouping sets over users and
  authors in one aggregation (no faster than two)."""

#: The scan: the same files and the same week parsing as the staging model, one group-by, materialised.
SCAN_SQL = """
create table scan_user_weeks as
select
    user_id,
    cast(regexp_extract(filename, 'week_([0-9]+)\\.parquet$', 1) as integer) as week,
    count(*) as impressions,
    sum(timespent) as timespent,
    {signal_counts}
from read_parquet('{pattern}', filename = true)
group by all
"""

SCAN_CHILD = """
import sys
import duckdb
database, sql_file = sys.argv[1], sys.argv[2]
connection = duckdb.connect(database)
connection.execute("set preserve_insertion_order = false")
connection.execute(open(sql_file).read())
print(connection.execute("select count(*) from scan_user_weeks").fetchone()[0])
connection.close()
"""


@dataclass
class Measurement:
    """One child process: wall seconds, peak resident set size (MiB) and the machine load around it."""

    wall_seconds: float
    peak_rss_mib: float
    load_before: float
    load_after: float
    extra: dict[str, Any] = field(default_factory=dict)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=70_000, help="synthetic users (default 70000)")
    parser.add_argument("--authors", type=int, default=5_000, help="synthetic authors (default 5000)")
    parser.add_argument("--items-per-week", type=int, default=4_000, help="clips released per week")
    parser.add_argument(
        "--impressions-per-week", type=float, default=12.0, help="mean impressions per user and week"
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds of (scan, feature layer)")
    parser.add_argument("--min-train-rows", type=int, default=20_000_000, help="refuse smaller datasets")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vklsvd-feature-bench"))
    parser.add_argument(
        "--output", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "feature_layer.md"
    )
    return parser.parse_args(argv)


def dataset_parameters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "n_users": args.users,
        "n_authors": args.authors,
        "items_per_week": args.items_per_week,
        "mean_impressions_per_user_week": args.impressions_per_week,
        "seed": args.seed,
    }


def ensure_dataset(data_dir: Path, parameters: dict[str, Any]) -> None:
    """Generate the dataset unless these parameters were generated there before."""
    marker = data_dir / "benchmark_dataset.json"
    if marker.exists() and json.loads(marker.read_text()) == parameters:
        print(f"reusing dataset {data_dir}", flush=True)
        return
    marker.unlink(missing_ok=True)
    print(f"generating dataset {data_dir} {parameters}", flush=True)
    started = time.perf_counter()
    summary = generate_dataset(data_dir, GeneratorConfig(**parameters))
    print(f"  {summary.total_rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    marker.write_text(json.dumps(parameters, sort_keys=True))


def dataset_scale(data_dir: Path) -> dict[str, int]:
    """Rows, users, clips and authors of the files as the benchmark reads them."""
    with duckdb.connect() as connection:
        train_rows, users = connection.execute(
            f"select count(*), count(distinct user_id) from read_parquet('{data_dir / TRAIN_GLOB}')"
        ).fetchone() or (0, 0)
        all_rows = connection.execute(
            f"select count(*) from read_parquet('{data_dir / 'interactions/*/week_*.parquet'}')"
        ).fetchone() or (0,)
        clips, authors = connection.execute(
            "select count(*), count(distinct author_id) "
            f"from read_parquet('{data_dir / 'metadata/items_metadata.parquet'}')"
        ).fetchone() or (0, 0)
    return {
        "train_rows": int(train_rows),
        "all_rows": int(all_rows[0]),
        "users": int(users),
        "clips": int(clips),
        "authors": int(authors),
    }


def load_average() -> float:
    return os.getloadavg()[0]


def measure(command: list[str], env: dict[str, str], log_file: Path) -> Measurement:
    """Run a child process to completion: its wall time and its own peak RSS (os.wait4 on its pid)."""
    load_before = load_average()
    with log_file.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log_file.read_text()[-4000:]
        raise RuntimeError(f"failed ({process.returncode}): {' '.join(command)}\n{tail}")
    # ru_maxrss is in KiB on Linux
    return Measurement(wall, usage.ru_maxrss / 1024.0, load_before, load_average())


def dbt_command(command: str, selection: list[str], args: argparse.Namespace) -> list[str]:
    return invocation.dbt_command(
        command,
        project_dir=PROJECT_DIR,
        workdir=args.workdir,
        variables={"data_root": str(args.workdir / "data")},
        extra=selection,
    )


def dbt_env(args: argparse.Namespace) -> dict[str, str]:
    return invocation.dbt_environment(args.workdir / "warehouse.duckdb")


def run_scan(args: argparse.Namespace, round_number: int) -> Measurement:
    database = args.workdir / "scan.duckdb"
    for path in (database, database.with_suffix(".duckdb.wal")):
        path.unlink(missing_ok=True)
    sql_file = args.workdir / "scan.sql"
    signal_counts = ",\n    ".join(
        f'count(*) filter (where "{signal}") as {signal}_count' for signal in SIGNALS
    )
    sql_file.write_text(
        SCAN_SQL.format(signal_counts=signal_counts, pattern=args.workdir / "data" / TRAIN_GLOB)
    )
    command = [sys.executable, "-c", SCAN_CHILD, str(database), str(sql_file)]
    result = measure(command, dict(os.environ), args.workdir / f"scan_{round_number}.log")
    result.extra["groups"] = int((args.workdir / f"scan_{round_number}.log").read_text().split()[-1])
    return result


def run_feature_layer(args: argparse.Namespace, round_number: int) -> Measurement:
    command = dbt_command("run", ["--select", "tag:features"], args)
    result = measure(command, dbt_env(args), args.workdir / f"dbt_{round_number}.log")
    run_results = json.loads((args.workdir / "target" / "run_results.json").read_text())
    result.extra["dbt_elapsed"] = float(run_results["elapsed_time"])
    result.extra["models"] = {
        row["unique_id"].split(".")[-1]: float(row["execution_time"]) for row in run_results["results"]
    }
    return result


def run_dbt_floor(args: argparse.Namespace, round_number: int) -> Measurement:
    """A dbt run of the smallest model of the layer: dbt's fixed cost per invocation."""
    command = dbt_command("run", ["--select", "int_feature_as_of_weeks"], args)
    return measure(command, dbt_env(args), args.workdir / f"dbt_floor_{round_number}.log")


def as_of_weeks(args: argparse.Namespace) -> list[int]:
    with duckdb.connect(str(args.workdir / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute("select as_of_week from int_feature_as_of_weeks order by 1").fetchall()
    return [int(week) for (week,) in rows]


def feature_table_sizes(args: argparse.Namespace) -> dict[str, tuple[int, int]]:
    """(rows, columns) of every feature table of the warehouse."""
    sizes: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(args.workdir / "warehouse.duckdb"), read_only=True) as connection:
        for table in FEATURE_TABLES:
            (rows,) = connection.execute(f"select count(*) from {table}").fetchone() or (0,)
            columns = len(connection.execute(f"describe {table}").fetchall())
            sizes[table] = (int(rows), columns)
    return sizes


def git_revision() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "models", "macros"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    revision = completed.stdout.strip() or "unknown"
    return revision + (" + uncommitted changes" if dirty.stdout.strip() else "")


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def render_report(
    args: argparse.Namespace,
    scale: dict[str, int],
    scans: list[Measurement],
    layers: list[Measurement],
    floors: list[Measurement],
    sizes: dict[str, tuple[int, int]],
    weeks: list[int],
) -> str:
    rows = scale["train_rows"]
    scan_wall = median([m.wall_seconds for m in scans])
    layer_wall = median([m.wall_seconds for m in layers])
    layer_models = median([m.extra["dbt_elapsed"] for m in layers])
    scan_rss = max(m.peak_rss_mib for m in scans)
    layer_rss = max(m.peak_rss_mib for m in layers)
    floor_wall = median([m.wall_seconds for m in floors])
    floor_rss = max(m.peak_rss_mib for m in floors)
    ratio = layer_wall / scan_wall
    ratio_models = layer_models / scan_wall
    lines = [
        "# Feature layer benchmark",
        "",
        "Produced by `benchmarks/feature_layer.py` (see its docstring); numbers are medians of "
        f"{len(scans)} alternating rounds.",
        "",
        "## Data scale",
        "",
        f"- synthetic VK-LSVD (`generate_dataset`): {json.dumps(dataset_parameters(args))}",
        f"- **{rows:,} train rows** (weeks 0-24, the weeks the layer reads), {scale['all_rows']:,} rows "
        "in all 27 weekly files",
        f"- {scale['users']:,} users, {scale['clips']:,} clips, {scale['authors']:,} authors",
        f"- **{len(weeks)} as-of weeks: {', '.join(map(str, weeks))}** (defaults: the target week and var "
        "training_weeks = the three weeks before it), windows all / w4 / w1 (defaults)",
        "",
        "## Machine",
        "",
        f"- {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, DuckDB threads = CPUs, dbt threads = 2 (profile)",
        f"- shared machine: 1-minute load average {min(m.load_before for m in scans + layers):.1f}"
        f"-{max(m.load_after for m in scans + layers):.1f} during the runs",
        f"- revision {git_revision()}",
        "",
        "## Result",
        "",
        "| step | wall time (s) | peak memory (MiB) | train rows / s | vs scan |",
        "|---|---:|---:|---:|---:|",
        f"| (a) scan-and-group-by (user, week), materialised | {scan_wall:.1f} | {scan_rss:,.0f} | "
        f"{rows / scan_wall:,.0f} | 1.0x |",
        f"| (b) feature layer: `dbt run --select tag:features`, whole process | {layer_wall:.1f} | "
        f"{layer_rss:,.0f} | {rows / layer_wall:,.0f} | **{ratio:.1f}x** |",
        f"| (b') feature layer: time dbt spent running the models | {layer_models:.1f} | | "
        f"{rows / layer_models:,.0f} | {ratio_models:.1f}x |",
        f"| (c) dbt floor: `dbt run` of one 4-row model of the layer | {floor_wall:.1f} | "
        f"{floor_rss:,.0f} | | "
        f"{floor_wall / scan_wall:.1f}x |",
        "",
        f"Target: feature layer within 3x of the scan -> **{'met' if ratio <= 3.0 else 'not met'}** "
        f"({ratio:.1f}x wall, {ratio_models:.1f}x model time).",
        "",
        "Every round:",
        "",
        "| round | scan (s) | scan MiB | layer (s) | layer model time (s) | layer MiB | dbt floor (s) "
        "| load |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for number, (scan, layer, floor) in enumerate(zip(scans, layers, floors, strict=True), start=1):
        lines.append(
            f"| {number} | {scan.wall_seconds:.1f} | {scan.peak_rss_mib:,.0f} | {layer.wall_seconds:.1f} | "
            f"{layer.extra['dbt_elapsed']:.1f} | {layer.peak_rss_mib:,.0f} | {floor.wall_seconds:.1f} | "
            f"{scan.load_before:.1f} -> {floor.load_after:.1f} |"
        )
    models = layers[-1].extra["models"]
    total = sum(models.values())
    output_rows = sum(table_rows for table_rows, _ in sizes.values())
    lines += [
        "",
        "## Where the time goes (last round, share of the model time)",
        "",
        "| family | model seconds | share |",
        "|---|---:|---:|",
    ]
    for family, members in FAMILIES.items():
        seconds = sum(models.get(model, 0.0) for model in members)
        lines.append(f"| {family} | {seconds:.1f} | {seconds / total:.0%} |")
    lines += [
        "",
        "Reading the numbers: the scan is one hash aggregation into (user, week) groups with 8 counters "
        f"and writes {scans[-1].extra['groups']:,} rows. The layer (design in "
        "`models/6_features/periods/_periods__models.yml`) makes one hash aggregation over all "
        "impressions per family (users by (user, period), with the duration-bucket counts; contexts by "
        "(user, period, place, platform); authors by (author, week), with a HyperLogLog of the users; "
        "engaged user x author pairs, a semi join), each about one scan, plus one filtered pass that keeps "
        "the ~5% of impressions with a signal (every signal count reads those), then the as-of marts "
        f"(about 300 feature columns over {len(weeks)} as-of weeks), and writes {output_rows:,} rows in "
        f"all. dbt alone costs {floor_wall:.1f} s per run (step (c)): "
        f"{floor_wall / scan_wall:.1f}x the scan before any model runs, so the 3x target leaves "
        f"{max(3 * scan_wall - floor_wall, 0):.1f} s for all the models, less than the scan takes for a "
        "single family; writing the marts alone (user_author_features: 3.5 M rows x 41 columns, "
        "user_context_features: 3.5 M rows) takes several seconds.",
        "",
        PREVIOUS_RESULTS,
    ]
    lines += [
        "",
        "## Models (last round; dbt runs two models at a time)",
        "",
        "| model | seconds | rows | columns |",
        "|---|---:|---:|---:|",
    ]
    for model, seconds in sorted(layers[-1].extra["models"].items(), key=lambda item: -item[1]):
        table_rows, columns = sizes.get(model, (0, 0))
        lines.append(f"| {model} | {seconds:.1f} | {table_rows:,} | {columns} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data_dir = args.workdir / "data"
    ensure_dataset(data_dir, dataset_parameters(args))
    scale = dataset_scale(data_dir)
    print(f"scale: {scale}", flush=True)
    if scale["train_rows"] < args.min_train_rows:
        raise SystemExit(
            f"only {scale['train_rows']:,} train rows (< --min-train-rows {args.min_train_rows:,}): "
            "raise --users or --impressions-per-week"
        )

    print("building the layer's inputs (untimed)", flush=True)
    measure(
        dbt_command("run", ["--select", "+tag:features", "--exclude", "tag:features"], args),
        dbt_env(args),
        args.workdir / "dbt_inputs.log",
    )

    scans: list[Measurement] = []
    layers: list[Measurement] = []
    floors: list[Measurement] = []
    for round_number in range(1, args.repeats + 1):
        scans.append(run_scan(args, round_number))
        print(f"round {round_number}: scan {scans[-1].wall_seconds:.1f} s", flush=True)
        layers.append(run_feature_layer(args, round_number))
        print(f"round {round_number}: feature layer {layers[-1].wall_seconds:.1f} s", flush=True)
        floors.append(run_dbt_floor(args, round_number))
        print(f"round {round_number}: dbt floor {floors[-1].wall_seconds:.1f} s", flush=True)

    report = render_report(args, scale, scans, layers, floors, feature_table_sizes(args), as_of_weeks(args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
