"""Scale benchmark: the whole `dbt build` on generated datasets of each shape at several sizes.

Usage (from the repository root, after `make install`)::

    .venv/bin/python benchmarks/scale.py                            # sparse and dense, every size
    .venv/bin/python benchmarks/scale.py --shapes dense --sizes 1,5     # a quick subset
    .venv/bin/python benchmarks/scale.py --runs sparse:1,sparse:5,sparse:24.65,dense:24.65,dense:47
    .venv/bin/python benchmarks/scale.py --workdir /tmp/vklsvd-scale --output-dir benchmarks/results
    .venv/bin/python benchmarks/scale.py --quick --output-dir /tmp/after  # 20k sparse + 10 M dense
    .venv/bin/python benchmarks/scale.py --quick --vars '{"feature_ablation": true}'  # with the research

`--quick` is the before / after check of any change to the pipeline: a 20,000-user sparse dataset (5 M
train rows) and a dense one of 10 M rows, each built once with the default vars (plus `--vars`).

For every shape (`vklsvd.synthetic.shapes`: sparse = many users with ~10 impressions a week, dense = the real
subsample's ~190 impressions per user-week) and every size (millions of train rows, weeks 0-24):

1. generates the dataset under ``<workdir>/data/<shape>_<size>m`` (reused when its marker records the
   same generator settings); the shape's scale is chosen from its train rows at scale 1;
2. in a fresh DuckDB process, a plain scan-and-group-by of the same train files: count, timespent and
   every signal per (user, week) materialised into a table, with the warehouse's thread budget and
   memory limit: the practical speed limit of one pass over the data;
3. the full `dbt build` of the warehouse (default vars) in a fresh warehouse, while a sampler reads the
   resident memory of the whole process tree from /proc every 0.25 s: wall time, peak memory, the time
   and the peak memory of every model (from dbt's run_results.json), and the validation NDCG@100.

It writes ``<output-dir>/scale.md`` (machine, data scale, per run: wall time, peak memory, train rows
per second, scan rows per second and the ratio, the five slowest stages, NDCG) and ``scale.png`` (time
and peak memory against train rows, one line per shape). Runs are sequential: nothing else of the
benchmark runs beside a build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from vklsvd.constants import SIGNALS
from vklsvd.dbt_invocation import dbt_command, dbt_environment
from vklsvd.resources import thread_budget
from vklsvd.synthetic import GeneratorConfig, generate_dataset
from vklsvd.synthetic.shapes import shape_config

PROJECT_DIR = Path(__file__).resolve().parents[1]
TRAIN_GLOB = "interactions/train/week_*.parquet"
#: Train rows (weeks 0-24) of each shape at scale 1, measured with seed 0; sizes are reached by scaling.
TRAIN_ROWS_AT_SCALE_1 = {"sparse": 4.93e6, "dense": 47.6e6, "demo": 1.16e6, "tiny": 0.11e6}
SAMPLE_SECONDS = 0.25
#: `--quick`: a 20,000-user sparse dataset and a dense one of about 10 M train rows.
QUICK_RUNS = "sparse:5,dense:10"
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

SCAN_CHILD = """
import sys, time, duckdb
pattern, threads, memory_limit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connection = duckdb.connect()
connection.execute(f"set threads = {threads}")
connection.execute(f"set memory_limit = '{memory_limit}'")
connection.execute("set preserve_insertion_order = false")
connection.execute("set enable_progress_bar = false")
started = time.perf_counter()
connection.execute(f'''create table per_user_week as
    select user_id, cast(regexp_extract(filename, 'week_([0-9]+)', 1) as integer) as week,
           count(*) as impressions, sum(timespent) as timespent, {signal_counts}
    from read_parquet('{pattern}', filename = true) group by all''')
elapsed = time.perf_counter() - started
groups = connection.execute("select count(*) from per_user_week").fetchone()[0]
print(elapsed, groups)
"""


# --- memory of a process tree ----------------------------------------------------------------------


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident bytes) of every readable process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry.name}/statm") as statm:
                resident_pages = int(statm.read().split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            continue
        table[int(entry.name)] = (int(fields[1]), resident_pages * PAGE_BYTES)
    return table


def tree_resident_bytes(root: int) -> int:
    """Resident memory of `root` and all its descendants."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0))[1]
        stack.extend(children.get(pid, []))
    return total


class MemorySampler(threading.Thread):
    """Samples (unix time, resident bytes of the tree of `pid`) until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.time(), tree_resident_bytes(self.pid)))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def peak(self, start: float = float("-inf"), end: float = float("inf")) -> int:
        inside = [rss for at, rss in self.samples if start <= at <= end]
        return max(inside, default=0)


# --- one dataset -------------------------------------------------------------------------------------


@dataclass
class Dataset:
    shape: str
    size_millions: float
    root: Path
    config: dict[str, Any]
    seed: int = 0
    train_rows: int = 0
    all_rows: int = 0
    users: int = 0
    clips: int = 0
    target_clips: int = 0
    generate_seconds: float = 0.0


def shape_at_size(shape: str, size_millions: float, seed: int) -> GeneratorConfig:
    """The generator settings of `shape` scaled to about `size_millions` million train rows."""
    return shape_config(shape, size_millions * 1e6 / TRAIN_ROWS_AT_SCALE_1[shape], seed)


def ensure_dataset(workdir: Path, shape: str, size_millions: float, generator: GeneratorConfig) -> Dataset:
    config, seed = asdict(generator), generator.seed
    root = workdir / "data" / (f"{shape}_{size_millions:g}m" + ("" if seed == 0 else f"_seed{seed}"))
    marker = root / "benchmark_dataset.json"
    dataset = Dataset(shape, size_millions, root, config, seed=seed)
    if marker.exists() and json.loads(marker.read_text()).get("config") == config:
        saved = json.loads(marker.read_text())
        dataset.generate_seconds = saved["generate_seconds"]
        print(f"reusing {root}", flush=True)
    else:
        marker.unlink(missing_ok=True)
        print(f"generating {root}: {config}", flush=True)
        started = time.perf_counter()
        generate_dataset(root, generator)
        dataset.generate_seconds = time.perf_counter() - started
        marker.write_text(json.dumps({"config": config, "generate_seconds": dataset.generate_seconds}))
    count_train_rows(dataset)
    with duckdb.connect() as connection:
        (dataset.all_rows,) = connection.execute(
            f"select count(*) from read_parquet('{root / 'interactions/*/week_*.parquet'}')"
        ).fetchone()
        (dataset.clips,) = connection.execute(
            f"select count(*) from read_parquet('{root / 'metadata/items_metadata.parquet'}')"
        ).fetchone()
    return dataset


def count_train_rows(dataset: Dataset) -> None:
    """Fill in the dataset's train rows and users from its weekly train files."""
    with duckdb.connect() as connection:
        dataset.train_rows, dataset.users = connection.execute(
            f"select count(*), count(distinct user_id) from read_parquet('{dataset.root / TRAIN_GLOB}')"
        ).fetchone()


@dataclass
class ScanResult:
    seconds: float
    groups: int


def run_scan(dataset: Dataset, memory_limit: str) -> ScanResult:
    signal_counts = ", ".join(f'count(*) filter (where "{name}") as {name}_count' for name in SIGNALS)
    child = SCAN_CHILD.replace("{signal_counts}", signal_counts)
    completed = subprocess.run(
        [sys.executable, "-c", child, str(dataset.root / TRAIN_GLOB), str(thread_budget()), memory_limit],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, groups = completed.stdout.strip().splitlines()[-1].split()
    return ScanResult(float(seconds), int(groups))


@dataclass
class ModelRun:
    name: str
    seconds: float
    peak_bytes: int


@dataclass
class BuildResult:
    wall_seconds: float
    peak_bytes: int
    succeeded: bool
    models: list[ModelRun] = field(default_factory=list)
    ndcg: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    log_tail: str = ""


def _unix(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def run_build(dataset: Dataset, workdir: Path, extra_vars: dict[str, Any]) -> BuildResult:
    build_dir = workdir / "builds" / dataset.root.name
    subprocess.run(["rm", "-rf", str(build_dir)], check=True)
    build_dir.mkdir(parents=True)
    warehouse = build_dir / "warehouse" / "vklsvd.duckdb"
    command = dbt_command(
        "build",
        project_dir=PROJECT_DIR,
        workdir=build_dir,
        variables={
            "data_root": str(dataset.root),
            "submission_path": str(build_dir / "submission.parquet"),
            **extra_vars,
        },
    )
    log_path = build_dir / "build.log"
    print(f"building {dataset.root.name} ({dataset.train_rows:,} train rows)", flush=True)
    with log_path.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=build_dir, env=dbt_environment(warehouse), stdout=log, stderr=subprocess.STDOUT
        )
        sampler = MemorySampler(process.pid)
        sampler.start()
        process.wait()
        wall = time.perf_counter() - started
        sampler.stop()
    result = BuildResult(wall, sampler.peak(), process.returncode == 0)
    result.log_tail = log_path.read_text()[-3000:]
    run_results = build_dir / "target" / "run_results.json"
    if run_results.exists():
        for row in json.loads(run_results.read_text())["results"]:
            execute = [step for step in row.get("timing", []) if step.get("name") == "execute"]
            peak = 0
            if execute and execute[0].get("started_at") and execute[0].get("completed_at"):
                peak = sampler.peak(_unix(execute[0]["started_at"]), _unix(execute[0]["completed_at"]))
            result.models.append(ModelRun(row["unique_id"].split(".")[-1], row["execution_time"], peak))
    if result.succeeded:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            result.ndcg = dict(connection.execute("select ranking, ndcg from eval_summary").fetchall())
            (dataset.target_clips,) = connection.execute("select count(*) from int_target_clips").fetchone()
            row = connection.execute(
                "select search, hnsw_recall_at_k, n_vectors from ml_hnsw_user_index"
            ).fetchone()
            result.facts["hnsw"] = f"{row[0]} (HNSW recall {row[1]:.3f}, {row[2]:,} vectors)"
            row = connection.execute("select training_pairs, training_clips from ml_ranker_model").fetchone()
            result.facts["training"] = f"{row[0]:,} pairs, {row[1]:,} clips"
            (pairs,) = connection.execute("select count(*) from ml_ranker_scores").fetchone()
            result.facts["scored_pairs"] = f"{pairs:,}"
    print(f"  {'ok' if result.succeeded else 'FAILED'} in {wall:.0f} s, peak {_gib(result.peak_bytes)} GiB")
    return result


# --- report --------------------------------------------------------------------------------------------


def duckdb_memory_limit() -> str:
    """The memory limit builds run with: env VKLSVD_DUCKDB_MEMORY_LIMIT, else the profile's default."""
    profile = (PROJECT_DIR / "profiles" / "profiles.yml").read_text()
    default = re.search(r"env_var\('VKLSVD_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    return os.environ.get("VKLSVD_DUCKDB_MEMORY_LIMIT") or (default.group(1) if default else "")


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB RAM, Python "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}; thread budget {thread_budget()} "
        f"(dbt threads 1), DuckDB memory_limit {duckdb_memory_limit()}"
    )


def git_revision() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "models", "macros", "python"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return (completed.stdout.strip() or "unknown") + (
        " + uncommitted changes" if dirty.stdout.strip() else ""
    )


def _gib(value: int) -> str:
    return f"{value / 2**30:.2f}"


def render_markdown(
    runs: list[tuple[Dataset, ScanResult, BuildResult]],
    started: str,
    skipped: list[str],
    extra_vars: dict[str, Any] | None = None,
) -> str:
    lines = [
        "# Scale benchmark",
        "",
        "Produced by `benchmarks/scale.py` (see its docstring): the full `dbt build` with default vars on",
        "synthetic datasets of two shapes (`vklsvd.synthetic.shapes`) at several sizes, one run each,",
        "sequentially.",
        "",
        f"- machine: {machine_description()}",
        f"- revision {git_revision()}, started {started}",
        f"- vars beyond the defaults: `{json.dumps(extra_vars, sort_keys=True)}`"
        if extra_vars
        else "- vars: the defaults",
        "- peak memory: resident memory of the whole process tree (dbt and everything it starts), sampled",
        f"  every {SAMPLE_SECONDS} s from /proc; per model: the peak while the model ran",
        "- scan: a fresh DuckDB process materialising count, timespent and every signal per (user, week) of",
        "  the same train files, same threads and memory limit: the practical speed limit of one pass",
        "",
        "## Runs",
        "",
        "| shape | seed | train rows | users | clips | target clips | build (s) | peak (GiB) | "
        "train rows / s | scan (s) | build / scan | NDCG@100 ranker | fusion | random |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for dataset, scan, build in runs:
        rate = dataset.train_rows / build.wall_seconds
        ndcg = [
            f"{build.ndcg.get(name, float('nan')):.4f}"
            for name in ("submission", "rrf_baseline", "random_users")
        ]
        status = "" if build.succeeded else " (failed)"
        lines.append(
            f"| {dataset.shape}{status} | {dataset.seed} | {dataset.train_rows:,} | {dataset.users:,} | "
            f"{dataset.clips:,} | "
            f"{dataset.target_clips:,} | {build.wall_seconds:.0f} | {_gib(build.peak_bytes)} | {rate:,.0f} | "
            f"{scan.seconds:.1f} | {build.wall_seconds / scan.seconds:.0f}x | {' | '.join(ndcg)} |"
        )
    if skipped:
        lines += ["", "Not built, since no submission can exist: " + "; ".join(skipped) + "."]
    lines += ["", "## Slowest stages and their peak memory", ""]
    for dataset, _, build in runs:
        top = sorted(build.models, key=lambda model: -model.seconds)[:5]
        stages = ", ".join(f"`{m.name}` {m.seconds:.0f} s / {_gib(m.peak_bytes)} GiB" for m in top)
        highest = max(build.models, key=lambda model: model.peak_bytes, default=None)
        peak_model = f"; highest peak: `{highest.name}` {_gib(highest.peak_bytes)} GiB" if highest else ""
        lines.append(
            f"- **{dataset.shape} {dataset.train_rows / 1e6:.1f} M, seed {dataset.seed}**: "
            f"{stages}{peak_model}"
        )
        for name, value in build.facts.items():
            lines.append(f"  - {name}: {value}")
    lines += ["", "## Generator settings", ""]
    for dataset, _, _ in runs:
        lines.append(
            f"- {dataset.shape} {dataset.size_millions:g} M, seed {dataset.seed}: "
            f"`{json.dumps(dataset.config, sort_keys=True)}` "
            f"({dataset.generate_seconds:.0f} s to generate)"
        )
    return "\n".join(lines) + "\n"


def render_plot(runs: list[tuple[Dataset, ScanResult, BuildResult]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (time_axis, memory_axis) = plt.subplots(1, 2, figsize=(11, 4.2))
    for shape in sorted({dataset.shape for dataset, _, _ in runs}):
        points = sorted(
            (dataset.train_rows / 1e6, build.wall_seconds / 60, build.peak_bytes / 2**30, scan.seconds / 60)
            for dataset, scan, build in runs
            if dataset.shape == shape and build.succeeded and dataset.seed == runs[0][0].seed
        )
        if not points:
            continue
        rows, minutes, memory, scan_minutes = zip(*points, strict=True)
        time_axis.plot(rows, minutes, marker="o", label=f"{shape}: dbt build")
        time_axis.plot(rows, scan_minutes, marker="x", linestyle=":", label=f"{shape}: DuckDB scan")
        memory_axis.plot(rows, memory, marker="o", label=shape)
    time_axis.set(xlabel="train rows (millions)", ylabel="wall time (minutes)", title="Build time")
    memory_axis.set(xlabel="train rows (millions)", ylabel="peak resident memory (GiB)", title="Peak memory")
    for axis in (time_axis, memory_axis):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle(f"vklsvd dbt build on {os.cpu_count()} cores", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--shapes", default="sparse,dense", help="comma-separated shapes (default sparse,dense)"
    )
    parser.add_argument("--sizes", default="1,5,20,47", help="millions of train rows (default 1,5,20,47)")
    parser.add_argument(
        "--runs",
        default="",
        help="comma-separated shape:size pairs instead of every shape at every size (e.g. sparse:5,dense:47)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"the before / after check of a change: --runs {QUICK_RUNS} (20k sparse users, 10 M dense rows)",
    )
    parser.add_argument(
        "--vars",
        type=json.loads,
        default={},
        help="JSON object of dbt vars added to every build (e.g. '{\"feature_ablation\": true}')",
    )
    parser.add_argument(
        "--seeds",
        default="0",
        help="comma-separated generator seeds; each gives its own datasets (default 0)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vklsvd-scale"), help="datasets and builds")
    parser.add_argument("--output-dir", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = datetime.now().strftime("%Y-%m-%d %H:%M")
    memory_limit = duckdb_memory_limit()
    runs = []
    runs_text = QUICK_RUNS if args.quick else args.runs
    pairs = (
        [tuple(run.split(":")) for run in runs_text.split(",")]
        if runs_text
        else [(shape, size) for shape in args.shapes.split(",") for size in args.sizes.split(",")]
    )
    plan = [(shape, float(size), int(seed)) for seed in args.seeds.split(",") for shape, size in pairs]
    skipped = []
    for shape, size, seed in plan:
        config = shape_at_size(shape, size, seed)
        if config.n_users < config.items_per_week:
            # each target clip needs 100 users and each user may serve 100 clips
            skipped.append(
                f"{shape} {size:g} M ({config.n_users:,} users < {config.items_per_week:,} new clips a week)"
            )
            continue
        dataset = ensure_dataset(args.workdir, shape, size, config)
        scan = run_scan(dataset, memory_limit)
        build = run_build(dataset, args.workdir, args.vars)
        runs.append((dataset, scan, build))
        args.output_dir.mkdir(parents=True, exist_ok=True)
        (args.output_dir / "scale.md").write_text(render_markdown(runs, started, skipped, args.vars))
        render_plot(runs, args.output_dir / "scale.png")
        if not build.succeeded:
            print(build.log_tail, file=sys.stderr)
    print(f"wrote {args.output_dir / 'scale.md'} and scale.png")


if __name__ == "__main__":
    main()
