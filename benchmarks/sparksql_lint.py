"""What the Spark port must change in the SQL: the dbt models and data tests compiled as dbt compiles them
and parsed with sqlfluff's Spark SQL dialect. Informational (it never fails): each construct Spark SQL
does not parse is listed with its file and line, so the port's work is a list, not a search.

    .venv/bin/python benchmarks/sparksql_lint.py --output benchmarks/results/spark_port/sparksql_lint.md

The parser stops at the first construct it cannot parse in a statement, so a file may hold more than
its rows say; rerun after each fix. About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from vklsvd.io.artifacts import write_atomically

PROJECT_DIR = Path(__file__).resolve().parent.parent
#: What the first words of an unparsable section say about its cause.
CAUSES = (
    (re.compile(r"\bu(tiny|small|big)?int(eger)?\b"), "unsigned integer types (uinteger, utinyint)"),
    (re.compile(r"group by all"), "`group by all`"),
    (re.compile(r"^\w+ as \w+,|\bover by_"), "a named window after `over` (`over by_clip`)"),
    (re.compile(r"as varchar\)"), "`varchar` without a length (Spark SQL: `string`)"),
    (re.compile(r"\bqualify\b"), "`qualify`"),
    (re.compile(r"\bsemi join|\banti join"), "`semi join` / `anti join`"),
)


def lint(paths: list[str]) -> list[dict]:
    """sqlfluff's JSON report of `paths` parsed as Spark SQL (parse errors only: one cheap rule)."""
    with tempfile.TemporaryDirectory() as scratch:
        completed = subprocess.run(
            [str(Path(sys.executable).parent / "sqlfluff"), "lint", *paths, "--dialect", "sparksql",
             "--rules", "LT12", "--format", "json"],
            cwd=PROJECT_DIR,
            env={**os.environ, "VKLSVD_DUCKDB_PATH": str(Path(scratch) / "lint.duckdb")},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
    if not completed.stdout.strip():
        raise SystemExit(f"sqlfluff wrote no report: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def unparsable(report: list[dict]) -> list[tuple[str, int, str, str]]:
    """(file, line, the section's first words, its likely cause) for every parse error of the report."""
    rows = []
    for result in report:
        for violation in result["violations"]:
            if violation["code"] != "PRS":
                continue
            section = violation["description"].split("Found unparsable section:", 1)[-1].strip(" '\"")
            first = " ".join(section.replace("\\n", " ").split())[:60]
            cause = next((name for pattern, name in CAUSES if pattern.search(section)), "other")
            rows.append((result["filepath"], int(violation.get("start_line_no") or 0), first, cause))
    return sorted(rows)


def markdown(rows: list[tuple[str, int, str, str]], files: int) -> str:
    causes = Counter(cause for *_, cause in rows)
    lines = [
        "# SQL that Spark SQL does not parse",
        "",
        f"`benchmarks/sparksql_lint.py`: {len(rows)} unparsable sections in "
        f"{len({row[0] for row in rows})} of {files} files (models and data tests, compiled by dbt, parsed "
        "by sqlfluff's `sparksql` dialect; the first per statement only).",
        "",
        "| cause | sections |",
        "|---|---|",
        *[f"| {cause} | {count} |" for cause, count in causes.most_common()],
        "",
        "| file | line | section | cause |",
        "|---|---|---|---|",
        *[f"| {path} | {line} | `{first}` | {cause} |" for path, line, first, cause in rows],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, required=True, help="markdown file to write")
    args = parser.parse_args(argv)
    report = lint(["models", "data_tests"])
    text = markdown(unparsable(report), len(report))
    write_atomically(args.output, lambda path: path.write_text(text))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
