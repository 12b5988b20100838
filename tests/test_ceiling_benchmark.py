"""The ceiling benchmark scores the generator's own probabilities next to the warehouse's rankings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import Build, load_benchmark


@pytest.fixture(scope="module")
def ceiling():
    return load_benchmark("ceiling")


def _ndcg(report: str, row: str) -> float:
    match = re.search(rf"^\| {re.escape(row)}[^|]* \| ([0-9.]+) \|", report, flags=re.MULTILINE)
    assert match, f"no row {row!r} in\n{report}"
    return float(match.group(1))


def test_report_puts_the_ceiling_above_every_model(ceiling, validation_build: Build, tmp_path: Path) -> None:
    output = tmp_path / "ceiling.md"
    world = ["--shape", "tiny", "--seed", "11"]  # the tiny_dataset fixture's world
    arguments = ["--warehouse", str(validation_build.warehouse), "--replicates", "8", "--output", str(output)]
    assert ceiling.main([*arguments, "--decomposition-replicates", "4", *world]) == 0
    report = output.read_text()
    assert str(validation_build.warehouse) not in report and str(tmp_path) not in report  # no machine paths
    top = _ndcg(report, "oracle, every user")
    random = _ndcg(report, "warehouse: random_users")
    assert _ndcg(report, "warehouse: submission") == pytest.approx(
        validation_build.query("select ndcg from eval_summary where ranking = 'submission'")[0][0], abs=1e-4
    )
    assert top > 2 * random
    assert 0 < _ndcg(report, "oracle, the warehouse's candidates") <= 1
    # the labels themselves among the candidates know the week's noise: above any model
    assert _ndcg(report, "hindsight") > top
    # the decomposition: one row per belief (the true world again with the same redraws first), and the
    # gap split into causes read off those rows
    beliefs = dict(
        (name.strip(), (float(every), float(candidates)))
        for name, every, candidates in re.findall(
            r"^\| ((?:the true world|new clips|  \+ )[^|]*)\| ([0-9.]+) \| ([0-9.]+) \|",
            report,
            flags=re.MULTILINE,
        )
    )
    assert len(beliefs) == len(ceiling.BELIEFS)
    paired, realistic = beliefs[ceiling.TRUE_WORLD], beliefs[list(ceiling.BELIEFS)[1]]
    split = {
        cause: float(value)
        for cause, value in re.findall(
            r"^\| (no model can know|the retrieval loses|the ranker loses) \| (-?[0-9.]+) \|",
            report,
            flags=re.MULTILINE,
        )
    }
    submission = _ndcg(report, "warehouse: submission")
    assert split["no model can know"] == pytest.approx(paired[0] - realistic[0], abs=2e-4)
    assert split["the retrieval loses"] == pytest.approx(realistic[0] - realistic[1], abs=2e-4)
    assert split["the ranker loses"] == pytest.approx(realistic[1] - submission, abs=2e-4)


def test_other_world_options_are_refused(ceiling, validation_build: Build) -> None:
    arguments = ["--warehouse", str(validation_build.warehouse), "--replicates", "2", "--shape", "tiny"]
    with pytest.raises(SystemExit, match="do not reproduce the warehouse's dataset"):
        ceiling.main([*arguments, "--seed", "12"])
