"""Human-readable summary of a built warehouse: validation NDCG and where the submission is."""

from __future__ import annotations

from pathlib import Path

import duckdb

from vklsvd.errors import VklsvdError


def warehouse_report(warehouse: Path) -> str:
    """Lines describing eval_summary and the exported submission of the warehouse file."""
    if not warehouse.is_file():
        raise VklsvdError(f"{warehouse}: warehouse file not found; run `make demo` or `dbt build` first")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        try:
            summary = connection.execute(
                "select ranking, target_week, list_size, clips_scored, ndcg"
                " from eval_summary order by ranking desc"
            ).fetchall()
            export = connection.execute("select path, clips, sha256 from ml_submission_export").fetchall()
            config = connection.execute(
                "select section, name, value from run_config order by section, name"
            ).fetchall()
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
    lines = []
    for ranking, week, list_size, clips, ndcg in summary:
        value = "n/a (no labelled clips)" if ndcg is None else f"{ndcg:.4f}"
        lines.append(f"NDCG@{list_size} week {week} {ranking:<18} {value}  ({clips} clips scored)")
    if not summary:
        lines.append("no scored clips: the target week has no labels (test week) or no positives")
    for path, clips, sha in export:
        lines.append(f"submission: {path} ({clips} clips, sha256 {sha[:12]})")
    lines.extend(run_config_lines(config))
    return "\n".join(lines)


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
