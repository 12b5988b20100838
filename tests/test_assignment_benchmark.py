"""The assignment benchmark: the exact optimum under a binding capacity, and its report on a warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from harness import Build, load_benchmark


@pytest.fixture(scope="module")
def benchmark():
    return load_benchmark("assignment")


def test_the_exact_optimum_gives_a_contested_user_to_the_clip_that_needs_them(benchmark) -> None:
    # user 1 is the best user of both clips; greedy by score gives them to clip 10 (0.9), where user 2
    # is nearly as good, and leaves clip 20 with user 2 (0.1). The optimum swaps them.
    scores = benchmark.Scores(
        item_id=np.array([10, 10, 20, 20], np.uint32),
        user_id=np.array([1, 2, 1, 2], np.uint32),
        score=np.array([0.9, 0.8, 0.85, 0.1]),
        probability=np.array([0.9, 0.8, 0.85, 0.1]),
    )
    clips, fill = np.array([10, 20], np.uint32), np.array([1, 2], np.uint32)
    exact, _ = benchmark._exact(scores, clips, fill, 1, 1, 0)
    assert dict(zip(exact.item_id.tolist(), exact.user_id.tolist(), strict=True)) == {10: 2, 20: 1}
    greedy = benchmark._assign(scores, "score", clips, fill, 1, 1, 0)
    assert dict(zip(greedy.item_id.tolist(), greedy.user_id.tolist(), strict=True)) == {10: 1, 20: 2}
    assert benchmark._objective(greedy, scores, 1) < benchmark._objective(exact, scores, 1)


def _rows(report: str, section: str) -> dict[str, list[str]]:
    body = report.split(f"## {section}")[1].split("\n## ")[0]
    return {
        cells[0]: cells[1:]
        for line in body.splitlines()
        if line.startswith("| ") and not line.startswith("| assignment")
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
    }


def test_report_scores_every_assignment_and_none_beats_the_optimum(
    benchmark, validation_build: Build, tmp_path: Path
) -> None:
    output = tmp_path / "assignment.md"
    world = ["--shape", "tiny", "--seed", "11"]  # the tiny_dataset fixture's world
    arguments = [
        "--warehouse",
        str(validation_build.warehouse),
        "--exact-clips",
        "10",
        "--output",
        str(output),
    ]
    assert benchmark.main([*arguments, "--oracle-replicates", "2", *world]) == 0
    report = output.read_text()
    assert str(validation_build.warehouse) not in report and str(tmp_path) not in report
    (submission,) = validation_build.query("select ndcg from eval_summary where ranking = 'submission'")[0]
    for section in ("The ranker's scores", "The generator's probabilities"):
        rows = _rows(report, section)
        assert set(rows) == {
            "uncapped",
            "greedy (the submission's)",
            "round robin",
            "expected NDCG",
            "exact (sample only)",
        }
        assert rows["exact (sample only)"][2] == "100.0%"
        assert all(float(cells[2].rstrip("%")) <= 100.0 for cells in rows.values())
    ranker = _rows(report, "The ranker's scores")
    assert float(ranker["greedy (the submission's)"][0]) == pytest.approx(submission, abs=1e-4)
    assert re.search(r"capacity scaled to \d+", report)
