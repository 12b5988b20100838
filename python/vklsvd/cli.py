"""Command line: ``vklsvd <command> ...`` (also ``python -m vklsvd``).

Each subcommand is a *registrar*: a function that adds its subparser to the ``subparsers`` object and
sets ``handler`` (a function ``(argparse.Namespace) -> int``) as its default. To add a command, write
such a function and decorate it with :func:`subcommand` (or append it to :data:`REGISTRARS`) in a
module imported by this one.

Errors a user can fix (:class:`~vklsvd.errors.VklsvdError`) are printed as one line
``error: <message>`` on stderr with exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vklsvd import __version__
from vklsvd.errors import VklsvdError

if TYPE_CHECKING:
    from vklsvd.synthetic import GeneratorConfig

__all__ = [
    "REGISTRARS",
    "Handler",
    "Registrar",
    "add_world_arguments",
    "build_parser",
    "main",
    "subcommand",
    "world_config",
]

Subparsers = argparse._SubParsersAction  # the type argparse returns from add_subparsers()
Handler = Callable[[argparse.Namespace], int]
Registrar = Callable[["Subparsers[argparse.ArgumentParser]"], None]

#: Functions that each register one subcommand, in the order they appear in ``--help``.
REGISTRARS: list[Registrar] = []


def subcommand(registrar: Registrar) -> Registrar:
    """Decorator: add a registrar to :data:`REGISTRARS`."""
    REGISTRARS.append(registrar)
    return registrar


# --- generate -----------------------------------------------------------------------------------------


def _number_argument(kind: type, lowest: float, *, inclusive: bool) -> Callable[[str], Any]:
    """An argparse type: `kind` (int or float) of at least `lowest` (above it when not `inclusive`)."""
    noun = "an integer" if kind is int else "a number"
    bound = f"at least {lowest:g}" if inclusive else f"more than {lowest:g}"

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not (value >= lowest if inclusive else value > lowest):
            raise argparse.ArgumentTypeError(f"{text!r} must be {bound}")
        return value

    return parse


_positive_int = _number_argument(int, 1, inclusive=True)
_non_negative_int = _number_argument(int, 0, inclusive=True)
_positive_float = _number_argument(float, 0, inclusive=False)
_non_negative_float = _number_argument(float, 0, inclusive=True)


def add_world_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that define a synthetic world (``generate``'s, also read by the ceiling benchmark)."""
    from vklsvd.synthetic.shapes import SHAPES

    shapes = ", ".join(f"{name} ({shape.description})" for name, shape in SHAPES.items())
    parser.add_argument(
        "--shape", default="demo", choices=sorted(SHAPES), help=f"dataset shape (default demo): {shapes}"
    )
    parser.add_argument(
        "--scale", type=_positive_float, default=1.0, help="resize the shape: users x SCALE (default 1)"
    )
    parser.add_argument("--users", type=_positive_int, help="users (default: the shape's)")
    parser.add_argument("--authors", type=_positive_int, help="authors (default: the shape's)")
    parser.add_argument("--items-per-week", type=_positive_int, help="clips released each week")
    parser.add_argument("--weeks", type=_positive_int, help="weeks 0..N-1 to write, at most 27 (default 27)")
    parser.add_argument(
        "--impressions", type=_positive_float, help="mean impressions per user and week requested"
    )
    parser.add_argument("--topics", type=_positive_int, help="latent topics (default 24)")
    parser.add_argument(
        "--activity-sigma", type=_non_negative_float, help="spread of the users' mean activity (log-normal)"
    )
    parser.add_argument(
        "--author-exposure",
        type=_non_negative_float,
        help="share of impressions from the users' favourite authors (default 0.08; e.g. 0.45 for a world "
        "driven by followed authors)",
    )
    parser.add_argument(
        "--favourite-author-weight",
        type=_non_negative_float,
        help="affinity a favourite author adds to an impression (default 1.2; e.g. 3.0)",
    )
    parser.add_argument("--seed", type=_non_negative_int, default=0, help="random seed (default 0)")


#: The destinations of add_world_arguments' options, in its order.
WORLD_OPTIONS = (
    "shape",
    "scale",
    "users",
    "authors",
    "items_per_week",
    "weeks",
    "impressions",
    "topics",
    "activity_sigma",
    "author_exposure",
    "favourite_author_weight",
    "seed",
)


def existing_warehouse(text: str) -> Path:
    """The argparse type of a `--warehouse` option that reads a built warehouse: the path, refused with
    what to do when no file is there."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no warehouse at {path}; build one with `make demo` or `dbt build`")
    return path


def world_option_words(args: argparse.Namespace) -> list[str]:
    """The world options set in `args` as command-line words (`--name value`), for a benchmark report to
    state the world it ran on."""
    return [
        f"--{name.replace('_', '-')} {getattr(args, name)}"
        for name in WORLD_OPTIONS
        if getattr(args, name) is not None
    ]


def world_config(args: argparse.Namespace) -> GeneratorConfig:
    """The generator configuration of the options of :func:`add_world_arguments`."""
    from dataclasses import replace

    from vklsvd.synthetic.shapes import shape_config

    config = shape_config(args.shape, args.scale, args.seed)
    overrides = {
        "n_users": args.users,
        "n_authors": args.authors,
        "items_per_week": args.items_per_week,
        "n_weeks": args.weeks,
        "mean_impressions_per_user_week": args.impressions,
        "n_topics": args.topics,
        "activity_sigma": args.activity_sigma,
        "author_exposure": args.author_exposure,
        "favourite_author_weight": args.favourite_author_weight,
    }
    config = replace(config, **{name: value for name, value in overrides.items() if value is not None})
    return config


def _run_generate(args: argparse.Namespace) -> int:
    from vklsvd.synthetic import generate_dataset

    out = Path(args.out)
    marker = out / "metadata" / "items_metadata.parquet"
    if args.if_missing and marker.is_file():
        print(f"synthetic dataset already in {out} (found {marker}); nothing to do")
        return 0
    config = world_config(args)
    summary = generate_dataset(out, config)
    rates = ", ".join(f"{name} {rate:.3%}" for name, rate in summary.rates.items())
    print(
        f"wrote {summary.total_rows:,} interactions over {len(summary.rows_per_week)} weeks, "
        f"{summary.n_users:,} users, {summary.n_items:,} items to {out}"
    )
    print(f"rates: {rates}; mean timespent {summary.mean_timespent:.1f} s")
    print(
        f"validation targets (new in week 25): {summary.n_validation_target_clips:,}; "
        f"submission template clips: {summary.n_template_items:,}"
    )
    return 0


@subcommand
def register_generate(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """``generate``: write a synthetic VK-LSVD in the hub layout."""
    parser = subparsers.add_parser(
        "generate",
        help="write a synthetic VK-LSVD (hub layout and dtypes) with planted structure",
        description=(
            "Write a synthetic VK-LSVD in the hub layout, deterministic in its arguments. A --shape gives "
            "the sizes (resized by --scale); any size flag given overrides the shape's value."
        ),
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    add_world_arguments(parser)
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing if DIR/metadata/items_metadata.parquet exists (a complete dataset)",
    )
    parser.set_defaults(handler=_run_generate)


# --- download -----------------------------------------------------------------------------------------


def _run_download(args: argparse.Namespace) -> int:
    from vklsvd.io.download import FULL, download_dataset, parse_weeks, validate_subsample

    subsample = None if args.subsample == FULL else validate_subsample(args.subsample)
    weeks = parse_weeks(args.weeks)
    paths = download_dataset(
        Path(args.target), subsample=subsample, weeks=weeks, include_metadata=not args.no_metadata
    )
    print(f"{len(paths)} files ready under {args.target}")
    return 0


@subcommand
def register_download(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """``download``: fetch VK-LSVD files from the Hugging Face hub."""
    parser = subparsers.add_parser(
        "download",
        help="fetch VK-LSVD files from the Hugging Face hub into the hub layout",
        description=(
            "Fetch VK-LSVD files from the Hugging Face hub (deepvk/VK-LSVD) into DIR, keeping the "
            "repository's paths. Files already present are skipped."
        ),
    )
    parser.add_argument("--target", required=True, type=Path, metavar="DIR", help="download directory")
    parser.add_argument(
        "--subsample",
        required=True,
        metavar="NAME",
        help="a subsample such as up0.001_ip0.001 or ur0.01_ir0.01, or 'full' for all the data (~450 GB)",
    )
    parser.add_argument(
        "--weeks", default="0-25", help="weeks and inclusive ranges, e.g. '0-24,25' (default 0-25)"
    )
    parser.add_argument("--no-metadata", action="store_true", help="skip the metadata files")
    parser.set_defaults(handler=_run_download)


# --- report -------------------------------------------------------------------------------------------


def _run_report(args: argparse.Namespace) -> int:
    from vklsvd.report import warehouse_report

    print(warehouse_report(Path(args.warehouse)))
    return 0


@subcommand
def register_report(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """``vklsvd report``: validation NDCG of a built warehouse and where its submission is."""
    parser = subparsers.add_parser(
        "report", help="print the NDCG@list_size of a built warehouse and the submission's location"
    )
    parser.add_argument(
        "--warehouse", default="warehouse/vklsvd.duckdb", help="the DuckDB file `dbt build` wrote"
    )
    parser.set_defaults(handler=_run_report)


def _run_plot_ablation(args: argparse.Namespace) -> int:
    from vklsvd.report import plot_ablation

    print(f"ablation chart: {plot_ablation(Path(args.warehouse), Path(args.output))}")
    return 0


@subcommand
def register_plot_ablation(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """``vklsvd plot-ablation``: the warehouse's ablation table as a PNG bar chart."""
    parser = subparsers.add_parser(
        "plot-ablation", help="draw the validation week's ablation (eval_ablation) as a PNG bar chart"
    )
    parser.add_argument(
        "--warehouse", default="warehouse/vklsvd.duckdb", help="the DuckDB file `dbt build` wrote"
    )
    parser.add_argument("--output", default="output/ablation.png", help="the PNG file to write")
    parser.set_defaults(handler=_run_plot_ablation)


# --- spark-build ----------------------------------------------------------------------------------------


def _run_spark_build(args: argparse.Namespace) -> int:
    import yaml  # type: ignore[import-untyped]

    from vklsvd.spark.build import spark_build
    from vklsvd.spark.compare import compare_builds, comparison_report, ndcg_agreement

    variables = yaml.safe_load(args.vars) or {}
    if not isinstance(variables, dict):
        raise VklsvdError(f"--vars must be a mapping (YAML or JSON, as dbt's --vars), got {args.vars!r}")
    project_dir = Path(__file__).resolve().parents[2]
    build = spark_build(project_dir, args.workdir, variables, select=args.select, data_tests=args.data_tests)
    print(f"Spark built {len(build.models)} models in schema {build.schema}")
    if args.compare_with is None:
        return 0
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    assert session is not None  # spark_build left it running
    comparisons = compare_builds(
        session, build.schema, args.compare_with, build.models, args.workdir / "compare"
    )
    ndcg = ndcg_agreement(session, build.schema, args.compare_with) if "eval_summary" in build.models else []
    lines, agree = comparison_report(comparisons, build.fit_dependent, ndcg, str(args.compare_with))
    print("\n".join(lines))
    return 0 if agree else 1


@subcommand
def register_spark_build(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """``vklsvd spark-build``: the warehouse on a local Spark session, optionally checked against DuckDB."""
    from vklsvd.spark import DATA_TEST_SCOPES

    parser = subparsers.add_parser(
        "spark-build",
        help="build the warehouse on a local Spark session (SQL by dbt, Python steps by the driver)",
        description=(
            "Run dbt with target spark (profiles/profiles.yml) in this process on a local Spark session: "
            "the item embeddings are loaded into the Spark catalog, then the models are built in "
            "dependency order, the SQL ones by dbt and the Python ones by this driver on the Spark "
            "tables. With --compare-with, every table is compared with the same table of a DuckDB build "
            "of the same data and vars (same rows, floats within single-precision tolerance; after the "
            "ranker's fit, the validation NDCG within 0.001); exit status 1 when they disagree."
        ),
    )
    parser.add_argument(
        "--vars",
        default="{}",
        help="dbt vars (YAML or JSON, as dbt's --vars), the same as the DuckDB build's to compare with",
    )
    parser.add_argument(
        "--select",
        nargs="*",
        default=[],
        metavar="MODEL",
        help="only these SQL models, their inputs already built on Spark (default: the whole warehouse)",
    )
    parser.add_argument(
        "--data-tests",
        choices=DATA_TEST_SCOPES,
        default="all",
        help=(
            "after a whole build, every data test (default) or one of each kind: enough to show the tests' "
            "SQL runs on Spark when --compare-with shows the tables equal to a DuckDB build that passed them"
        ),
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path("warehouse/spark"), help="dbt's target and log folders"
    )
    parser.add_argument(
        "--compare-with", type=Path, metavar="DUCKDB_FILE", help="a DuckDB warehouse built on the same data"
    )
    parser.set_defaults(handler=_run_spark_build)


# --- entry point --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="vklsvd", description="VK-LSVD: data in, features, ranking users for new clips."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for registrar in REGISTRARS:
        registrar(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for a user-fixable error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return handler(args)
    except VklsvdError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
