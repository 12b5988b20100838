"""Learning curve: the submission's NDCG@100 against the number of weeks of cold clips the ranker learns from.

Usage (from the repository root, after ``make install``; the dataset from ``vklsvd generate`` or the hub)::

    .venv/bin/python benchmarks/learning_curve.py --data-root data/demo --weeks 1,3,6,12 \\
        --workdir /tmp/vklsvd-curve --output-dir benchmarks/results/learning_curve/demo

For every count n of ``--weeks`` (var ``training_week_count``: the ranker's labels come from the new clips
of the n weeks before the target week, each week's features as of that week), a fresh ``dbt build`` of
the whole warehouse on the same dataset with the default vars otherwise (plus ``--vars``), one after the
other, with the scale benchmark's measurement (``scale.run_build``: wall time, peak resident memory of
the process tree). Everything else is held fixed, including the training caps
(``training_clips_per_week``, ``ranker_max_training_pairs``): where the cap binds, more weeks spread the
same number of pairs over more clips instead of adding pairs, and the report shows it in the pairs column.

It writes ``<output-dir>/learning_curve.md``: per n, the training clips, pairs and positives, the
submission's NDCG@100 (mean over target clips, its standard error), the ranker's own top list without the
user capacity (``eval_ablation.ndcg_uncapped``), the paired difference to the reference n (``--reference``,
default the project's default of 3) on the same target clips with its standard error, the build time and
the peak memory; and ``learning_curve.png`` (NDCG against training weeks with one-standard-error bars, the
training positives on a second axis).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from vklsvd.io.artifacts import publish_report, write_atomically

# The build and its measurement are the scale benchmark's, one directory up the script's own path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale

DEFAULT_TRAINING_WEEKS = 3


@dataclass(frozen=True)
class Point:
    weeks: int
    build: scale.BuildResult
    clips: int
    pairs: int
    positives: int
    ndcg_by_clip: dict[int, float]
    ranker_uncapped: float

    @property
    def ndcg(self) -> float:
        return float(np.mean(list(self.ndcg_by_clip.values())))

    @property
    def standard_error(self) -> float:
        return _standard_error(np.array(list(self.ndcg_by_clip.values())))


def _standard_error(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else float("nan")


def paired_difference(point: Point, reference: Point) -> tuple[float, float]:
    """Mean and standard error of the per-clip NDCG difference on the clips both scored."""
    clips = sorted(point.ndcg_by_clip.keys() & reference.ndcg_by_clip.keys())
    differences = np.array([point.ndcg_by_clip[c] - reference.ndcg_by_clip[c] for c in clips])
    return (float(differences.mean()) if differences.size else float("nan")), _standard_error(differences)


def dataset_of(data_root: Path) -> scale.Dataset:
    """The scale benchmark's description of a dataset that is already on disk."""
    dataset = scale.Dataset("given", 0.0, data_root.resolve(), {})
    scale.count_train_rows(dataset)
    return dataset


def measure_point(dataset: scale.Dataset, weeks: int, workdir: Path, extra_vars: dict[str, Any]) -> Point:
    point_dir = workdir / f"weeks_{weeks:02d}"
    build = scale.run_build(dataset, point_dir, {**extra_vars, "training_week_count": weeks})
    if not build.succeeded:
        raise SystemExit(f"error: the build with {weeks} training weeks failed:\n{build.log_tail}")
    warehouse = point_dir / "builds" / dataset.root.name / "warehouse" / "vklsvd.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        clips, pairs, positives = connection.execute(
            "select training_clips, training_pairs, training_positives from ml_ranker_model"
        ).fetchone()
        by_clip = dict(
            connection.execute(
                "select item_id, ndcg from eval_ndcg_per_clip where ranking = 'submission'"
            ).fetchall()
        )
        (uncapped,) = connection.execute(
            "select ndcg_uncapped from eval_ablation where ranking = 'ranker'"
        ).fetchone()
    return Point(weeks, build, int(clips), int(pairs), int(positives), by_clip, float(uncapped))


def render_markdown(
    points: list[Point], reference: Point, dataset: scale.Dataset, extra_vars: dict[str, Any], started: str
) -> str:
    lines = [
        "# Learning curve",
        "",
        "Produced by `benchmarks/learning_curve.py` (see its docstring): one full `dbt build` per number of",
        "training weeks (var `training_week_count`), everything else at its default"
        + (f" but `{json.dumps(extra_vars, sort_keys=True)}`" if extra_vars else "")
        + ".",
        "",
        f"- dataset: `{dataset.root.name}`, {dataset.train_rows:,} train rows, {dataset.users:,} users",
        f"- machine: {scale.machine_description()}",
        f"- revision {scale.git_revision()}, started {started}",
        f"- NDCG@100 over the {len(reference.ndcg_by_clip)} target clips with a relevant user, ± one",
        f"  standard error; the paired difference is against {reference.weeks} weeks on the same clips",
        "",
        "| training weeks | clips | pairs | positives | submission NDCG@100 | vs "
        f"{reference.weeks} weeks | ranker uncapped | build (s) | peak (GiB) |",
        "|---:|---:|---:|---:|---|---|---:|---:|---:|",
    ]
    for point in points:
        difference, error = paired_difference(point, reference)
        lines.append(
            f"| {point.weeks} | {point.clips:,} | {point.pairs:,} | {point.positives:,} | "
            f"{point.ndcg:.4f} ± {point.standard_error:.4f} | {difference:+.4f} ± {error:.4f} | "
            f"{point.ranker_uncapped:.4f} | {point.build.wall_seconds:.0f} | "
            f"{point.build.peak_bytes / 2**30:.2f} |"
        )
    return "\n".join(lines) + "\n"


def render_plot(points: list[Point], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    weeks = [point.weeks for point in points]
    axis.errorbar(
        weeks,
        [point.ndcg for point in points],
        yerr=[point.standard_error for point in points],
        marker="o",
        capsize=3,
        label="submission NDCG@100",
    )
    axis.plot(
        weeks,
        [point.ranker_uncapped for point in points],
        marker="x",
        linestyle=":",
        label="ranker, uncapped",
    )
    axis.set(xlabel="training weeks of cold clips", ylabel="NDCG@100", title=title)
    axis.set_xticks(weeks)
    axis.grid(alpha=0.3)
    positives = axis.twinx()
    positives.bar(weeks, [point.positives for point in points], alpha=0.15, color="grey", width=0.6)
    positives.set_ylabel("training positives")
    axis.set_zorder(positives.get_zorder() + 1)
    axis.patch.set_visible(False)
    axis.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    write_atomically(path, lambda target: figure.savefig(target, dpi=110, format="png"))
    plt.close(figure)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-root", required=True, type=Path, help="a dataset in the hub layout")
    parser.add_argument("--weeks", default="1,3,6,12", help="comma-separated training week counts")
    parser.add_argument(
        "--reference",
        type=int,
        default=DEFAULT_TRAINING_WEEKS,
        help=f"the count the others are compared with, one of --weeks (default {DEFAULT_TRAINING_WEEKS})",
    )
    parser.add_argument("--vars", type=json.loads, default={}, help="JSON object of dbt vars for every build")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vklsvd-curve"), help="the builds")
    parser.add_argument("--output-dir", type=Path, help="report and plot (default: print the report only)")
    args = parser.parse_args(argv)
    args.week_counts = sorted({int(value) for value in args.weeks.split(",")})
    if args.reference not in args.week_counts:
        parser.error(f"--reference {args.reference} must be one of --weeks {args.weeks}")
    if min(args.week_counts) < 1:
        parser.error("--weeks must be counts of at least 1")
    if "training_week_count" in args.vars or "training_weeks" in args.vars:
        parser.error("--vars must not set training_week_count or training_weeks: --weeks sets them")
    if not (args.data_root / "interactions" / "train").is_dir():
        parser.error(f"no dataset at {args.data_root} (expected interactions/train/week_*.parquet)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now().strftime("%Y-%m-%d %H:%M")
    dataset = dataset_of(args.data_root)
    points = [measure_point(dataset, weeks, args.workdir, args.vars) for weeks in args.week_counts]
    reference = next(point for point in points if point.weeks == args.reference)
    report = render_markdown(points, reference, dataset, args.vars, started)
    output = None if args.output_dir is None else args.output_dir / "learning_curve.md"
    publish_report(report, output)
    if args.output_dir is not None:
        render_plot(points, args.output_dir / "learning_curve.png", f"Learning curve: {dataset.root.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
