"""Human-readable summary of a built warehouse: validation NDCG and where the submission is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from vklsvd.errors import VklsvdError


@contextmanager
def _read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse opened read-only; a missing file, a missing table (an unfinished build) or a
    missing column (a build of another version) is a VklsvdError saying what to run."""
    if not warehouse.is_file():
        raise VklsvdError(f"{warehouse}: warehouse file not found; run `make demo` or `dbt build` first")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        try:
            yield connection
        except duckdb.CatalogException as error:
            raise VklsvdError(
                f"{warehouse}: the build did not finish ({_first_line(error)}); rerun `dbt build` and read "
                "its errors"
            ) from error
        except duckdb.BinderException as error:
            raise VklsvdError(
                f"{warehouse}: built by another version of the project ({_first_line(error)}); rebuild it "
                "with `dbt build` (or `make demo`)"
            ) from error


def warehouse_report(warehouse: Path) -> str:
    """Lines describing eval_summary and the exported submission of the warehouse file."""
    with _read_only(warehouse) as connection:
        summary = connection.execute(
            "select ranking, target_week, list_size, clips_scored, ndcg"
            " from eval_summary order by ranking desc"
        ).fetchall()
        export = connection.execute("select path, clips, sha256 from ml_submission_export").fetchall()
        config = connection.execute(
            "select section, name, value from run_config order by section, name"
        ).fetchall()
        ablation = ablation_rows(connection)
        coverage = connection.execute(
            "select measure, unit, missing, total, share from eval_coverage order by measure_order"
        ).fetchall()
    lines = []
    for ranking, week, list_size, clips, ndcg in summary:
        value = "n/a (no labelled clips)" if ndcg is None else f"{ndcg:.4f}"
        lines.append(f"NDCG@{list_size} week {week} {ranking:<18} {value}  ({clips} clips scored)")
    if not summary:
        lines.append("no scored clips: the target week has no labels (test week) or no positives")
    for path, clips, sha in export:
        lines.append(f"submission: {path} ({clips} clips, sha256 {sha[:12]})")
    lines.extend(coverage_lines(coverage))
    lines.extend(ablation_lines(ablation))
    lines.extend(run_config_lines(config))
    return "\n".join(lines)


def coverage_lines(rows: list[tuple]) -> list[str]:
    """What the input lacks (eval_coverage): one line per measure with its count, total and share."""
    lines = ["coverage (what the input lacks; the build warns past each threshold, see eval_coverage):"]
    for measure, unit, missing, total, share in rows:
        percent = "" if share is None else f" ({100 * share:.1f} %)"
        lines.append(f"  {measure.replace('_', ' '):<32} {missing:,} of {total:,} {unit}{percent}")
    return lines


#: Columns of eval_ablation that the report and the chart read, in order.
ABLATION_COLUMNS = ("ranking", "kind", "ndcg", "recall", "clips_scored", "ndcg_uncapped")


def ablation_rows(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The rows of eval_ablation in the model's own order (ranking_order)."""
    return connection.execute(
        f"select {', '.join(ABLATION_COLUMNS)} from eval_ablation order by ranking_order"
    ).fetchall()


#: How to add the feature-family ablation to a build that left it out (var feature_ablation).
ABLATION_HINT = (
    "feature-family ablation not built (it retrains the ranker once per family): run `make evaluate`, "
    "or `dbt build --select ml_ablation_assignments+ run_vars+ --vars '{feature_ablation: true, ...}'` "
    "with this build's other vars"
)


def ablation_lines(rows: list[tuple]) -> list[str]:
    """The ablation as a table: ranking, kind, NDCG and recall at the list size under the user capacity,
    and the NDCG of the same scores without it where there is one; without rows of kind `ablation` (the
    default build), how to get them."""
    lines = [
        "ablation (validation week; every ranking under the user capacity, `uncapped` without it):",
        f"  {'ranking':<34} {'kind':<10} {'NDCG':>7} {'recall':>7} {'uncapped':>8}",
    ]
    for ranking, kind, ndcg, recall, _, uncapped in rows:
        shown = [f"{value:7.4f}" if value is not None else f"{'n/a':>7}" for value in (ndcg, recall)]
        without = f"{uncapped:8.4f}" if uncapped is not None else ""
        lines.append(f"  {ranking:<34} {kind:<10} {shown[0]} {shown[1]} {without}".rstrip())
    if rows and not any(kind == "ablation" for _, kind, *_ in rows):
        lines.append(f"  {ABLATION_HINT}")
    return lines


def plot_ablation(warehouse: Path, output: Path) -> Path:
    """Draw eval_ablation as horizontal NDCG bars (one colour per kind) into a PNG written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from vklsvd.io.artifacts import write_atomically

    with _read_only(warehouse) as connection:
        rows = ablation_rows(connection)
        (week,) = connection.execute("select max(target_week) from eval_ablation").fetchone() or (None,)
    if not rows:
        raise VklsvdError(f"{warehouse}: eval_ablation is empty; the target week has no labels")
    kinds = sorted({kind for _, kind, *_ in rows})
    palette = plt.get_cmap("tab10")
    colours = {kind: palette(position % palette.N) for position, kind in enumerate(kinds)}
    figure, axes = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    names = [ranking for ranking, *_ in rows][::-1]
    values = [ndcg or 0.0 for _, _, ndcg, *_ in rows][::-1]
    axes.barh(names, values, color=[colours[kind] for _, kind, *_ in rows][::-1])
    for position, value in enumerate(values):
        axes.text(value, position, f" {value:.4f}", va="center", fontsize=8)
    axes.set_xlim(0, 1.25 * max(max(values), 1e-6))  # room for the value labels and the legend
    axes.set_xlabel(f"NDCG@100, week {week} ({rows[0][4]} labelled clips)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[kind]) for kind in kinds]
    axes.legend(handles=handles, labels=kinds, loc="upper right", fontsize=8)
    figure.tight_layout()
    write_atomically(Path(output), lambda target: figure.savefig(target, format="png", dpi=120))
    plt.close(figure)
    return Path(output)


def run_config_lines(rows: list[tuple[str, str, str]]) -> list[str]:
    """The run config, one line per section: packages and artefacts compactly, every var in full."""
    by_section: dict[str, list[tuple[str, str]]] = {}
    for section, name, value in rows:
        by_section.setdefault(section, []).append((name, value))
    lines = ["run config:"]
    for section in ("dataset", "seed", "package", "artifact"):
        entries = by_section.get(section, [])
        shown = [f"{name}={value[:12] if section == 'artifact' else value}" for name, value in entries]
        lines.append(f"  {section}: " + ", ".join(shown))
    lines.append("  vars:")
    lines.extend(f"    {name} = {value}" for name, value in by_section.get("var", []))
    return lines


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
