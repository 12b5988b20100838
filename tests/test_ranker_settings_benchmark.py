"""The ranker-settings benchmark refits the warehouse's ranker under variants of its parameters."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from harness import Build, load_benchmark
from vklsvd.ranking.metrics import candidate_ndcg


@pytest.fixture(scope="module")
def ranker_settings():
    return load_benchmark("ranker_settings")


def test_variants_are_typed_overrides_of_the_ranker_params(ranker_settings) -> None:
    assert ranker_settings.parse_variant("learning_rate=0.1, n_estimators=250") == {
        "learning_rate": 0.1,
        "n_estimators": 250,
    }
    assert ranker_settings.parse_variant("max_pairs=5000,fit=refit,missing=nan") == {
        "max_pairs": 5000,
        "fit": "refit",
        "missing": "nan",
    }
    with pytest.raises(SystemExit, match="not name=value"):
        ranker_settings.parse_variant("trees=3")


def test_candidate_ndcg_ranks_candidates_against_every_positive_user() -> None:
    items = np.array([1, 1, 1, 2, 2], np.uint32)
    relevant = np.array([True, False, False, False, True])
    scores = np.array([0.1, 0.9, 0.5, 0.8, 0.2])
    # clip 1: its one positive ranked third of 3; clip 2: its positive second of 2, one more positive
    # user is no candidate; clip 3: positive users, no candidates
    positives = {1: 1, 2: 2, 3: 1}
    expected = np.mean([1 / np.log2(4), (1 / np.log2(3)) / (1 + 1 / np.log2(3)), 0.0])
    assert candidate_ndcg(items, relevant, scores, positives, 100) == pytest.approx(expected)


def test_report_times_every_variant_on_the_same_pairs(
    ranker_settings, validation_build: Build, tmp_path: Path
) -> None:
    output = tmp_path / "settings.md"
    variants = [
        "learning_rate=0.2,n_estimators=40,early_stopping_rounds=5",
        "fit=refit",
        "max_pairs=3000",
        "missing=nan",
    ]
    argv = ["--warehouse", str(validation_build.warehouse), "--output", str(output)]
    for variant in variants:
        argv += ["--variant", variant]
    assert ranker_settings.main(argv) == 0
    report = output.read_text()
    assert str(tmp_path) not in report and str(validation_build.warehouse.parent) not in report
    rows = re.findall(
        r"^\| ([^|]+) \(([0-9,]+) pairs\) \| (\d+) \| (\d+) \| ([0-9.]+) \| ([0-9.]+|nan) \| ([0-9.]+) \|$",
        report,
        re.M,
    )
    assert [row[0] for row in rows] == ["build settings", *variants]
    pairs = [int(row[1].replace(",", "")) for row in rows]
    (held_out,) = validation_build.query("select count(*) from ranker_training_rows where is_holdout")[0]
    assert pairs[0] == pairs[1] == pairs[2] == pairs[4] > pairs[3]  # the sample keeps every held-out pair
    assert pairs[3] - held_out <= 3000
    assert rows[0][4] == "1.00"
    assert int(rows[1][2]) <= 40
    assert all(0 < float(row[6]) <= 1 for row in rows)
