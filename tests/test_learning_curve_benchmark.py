"""The learning-curve benchmark: one build per training-week count, the paired comparison, the report."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from harness import load_benchmark


@pytest.fixture(scope="module")
def curve():
    return load_benchmark("learning_curve")


def _fake_build(scale, ndcg_by_clip: dict[int, float], positives_per_week: int):
    """A stand-in for scale.run_build that writes the tables the benchmark reads, as a build would."""
    calls: list[dict] = []

    def run_build(dataset, workdir: Path, extra_vars: dict) -> object:
        calls.append(extra_vars)
        weeks = extra_vars["training_week_count"]
        warehouse = workdir / "builds" / dataset.root.name / "warehouse" / "vklsvd.duckdb"
        warehouse.parent.mkdir(parents=True)
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(
                "create table ml_ranker_model as select ? as training_clips, ? as training_pairs, "
                "? as training_positives",
                [100 * weeks, 1000 * weeks, positives_per_week * weeks],
            )
            connection.execute(
                "create table eval_ndcg_per_clip (ranking varchar, item_id bigint, ndcg double)"
            )
            for item_id, ndcg in ndcg_by_clip.items():
                connection.execute(
                    "insert into eval_ndcg_per_clip values ('submission', ?, ?), ('rrf_baseline', ?, 0)",
                    [item_id, ndcg + 0.01 * weeks, item_id],
                )
            connection.execute(
                "create table eval_ablation as select 'ranker' as ranking, ? as ndcg_uncapped",
                [0.3 + weeks / 100],
            )
        return scale.BuildResult(60.0 * weeks, weeks << 30, True)

    return run_build, calls


def test_one_build_per_count_and_the_paired_difference_against_the_reference(
    curve, tmp_path: Path, monkeypatch
) -> None:
    data = tmp_path / "data"
    (data / "interactions" / "train").mkdir(parents=True)
    duckdb.sql(
        "copy (select range % 7 as user_id from range(50)) to "
        f"'{data / 'interactions' / 'train' / 'week_00.parquet'}' (format parquet)"
    )
    run_build, calls = _fake_build(curve.scale, {1: 0.1, 2: 0.3, 3: 0.5}, positives_per_week=40)
    monkeypatch.setattr(curve.scale, "run_build", run_build)
    output = tmp_path / "out"
    curve.main(
        [
            "--data-root", str(data), "--weeks", "6,1,3", "--vars", '{"list_size": 100}',
            "--workdir", str(tmp_path / "work"), "--output-dir", str(output),
        ]
    )  # fmt: skip
    assert calls == [{"list_size": 100, "training_week_count": n} for n in (1, 3, 6)]
    report = (output / "learning_curve.md").read_text()
    assert "50 train rows, 7 users" in report and "against 3 weeks on the same clips" in report
    rows = {
        line.split(" | ")[0]: line
        for line in report.splitlines()
        if line.startswith("| ") and "---" not in line
    }
    # every clip gains 0.01 a week: 1 week is 0.02 below 3 weeks, 6 weeks 0.03 above, with no spread
    assert rows["| 1"].startswith(
        "| 1 | 100 | 1,000 | 40 | 0.3100 ± 0.1155 | -0.0200 ± 0.0000 | 0.3100 | 60 | 1.00 |"
    )
    assert "| 0.3600 ± 0.1155 | +0.0300 ± 0.0000 |" in rows["| 6"]
    assert (output / "learning_curve.png").stat().st_size > 0


def test_the_reference_must_be_measured_and_the_weeks_are_the_benchmarks_own(curve, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "interactions" / "train").mkdir(parents=True)
    with pytest.raises(SystemExit):
        curve.parse_args(["--data-root", str(data), "--weeks", "1,6"])
    with pytest.raises(SystemExit):
        curve.parse_args(["--data-root", str(data), "--vars", '{"training_week_count": 2}'])
    with pytest.raises(SystemExit):
        curve.parse_args(["--data-root", str(tmp_path / "missing")])
    assert curve.parse_args(["--data-root", str(data), "--weeks", "3,1,3"]).week_counts == [1, 3]
