"""The fold-in benchmark ranks each clip's candidates by every user vector's match with the clip's author."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import Build, load_benchmark


@pytest.fixture(scope="module")
def fold_in():
    return load_benchmark("fold_in")


def _rows(report: str) -> dict[str, tuple[float, float]]:
    found = re.findall(r"^\| ([^|]+) \| ([0-9.]+) \| ([0-9]+)% \|$", report, flags=re.MULTILINE)
    return {name: (float(ndcg), float(coverage) / 100) for name, ndcg, coverage in found}


def test_report_scores_every_user_vector(fold_in, validation_build: Build, tmp_path: Path) -> None:
    output = tmp_path / "fold_in.md"
    assert fold_in.main(["--warehouse", str(validation_build.warehouse), "--output", str(output)]) == 0
    report = output.read_text()
    assert str(tmp_path) not in report and str(validation_build.warehouse.parent) not in report
    rows = _rows(report)
    assert set(rows) == {
        "ranker score (reference)",
        "random order (reference)",
        "ALS factor",
        "recent fold-in (4 weeks)",
        "mean of author factors, recent (4 weeks)",
        "mean of author factors, all weeks",
    }
    assert all(0 <= ndcg <= 1 and 0 <= coverage <= 1 for ndcg, coverage in rows.values())
    assert rows["ranker score (reference)"][0] > rows["random order (reference)"][0]
    # every candidate of the tiny world has engagement history and a known author
    assert rows["ALS factor"][1] > 0.5
    # the same warehouse gives the same report
    again = tmp_path / "again.md"
    fold_in.main(["--warehouse", str(validation_build.warehouse), "--output", str(again)])
    assert again.read_text() == report
