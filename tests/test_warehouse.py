"""The whole warehouse: `dbt build` on a tiny generated dataset, checked from the outside."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from harness import PROJECT_DIR, Build, failure_text
from vklsvd.ranking.metrics import mean_ndcg


def test_submission_file_is_valid(validation_build: Build) -> None:
    table = pq.read_table(validation_build.submission)
    assert str(table.schema.field("item_id").type) == "uint32"
    assert str(table.schema.field("user_id").type) == "list<element: uint32>"
    lists = table.column("user_id").to_pylist()
    assert all(len(users) == 100 and len(set(users)) == 100 for users in lists)
    counts = np.unique(np.concatenate(lists), return_counts=True)[1]
    assert counts.max() <= 100
    targets = {row[0] for row in validation_build.query("select item_id from int_target_clips")}
    assert set(table.column("item_id").to_pylist()) == targets


def test_target_clips_are_cold(validation_build: Build) -> None:
    seen_before = validation_build.query(
        """select count(*) from int_target_clips t
           join int_interactions i on i.item_id = t.item_id and i.week < 25"""
    )
    assert seen_before == [(0,)]


def test_sql_ndcg_matches_python_reference(validation_build: Build) -> None:
    submission = {
        item: users for item, users in validation_build.query("select item_id, user_id from submission")
    }
    relevant: dict[int, set[int]] = {}
    for item, user in validation_build.query("select item_id, user_id from int_target_labels"):
        relevant.setdefault(item, set()).add(user)
    (sql_ndcg,) = validation_build.query("select ndcg from eval_summary where ranking = 'submission'")[0]
    assert sql_ndcg == pytest.approx(mean_ndcg(submission, relevant, k=100), rel=1e-9)


def test_submission_is_the_rankers_assignment_not_the_baselines(validation_build: Build) -> None:
    lists = {
        ranking: dict(
            validation_build.query(
                f"""select item_id, list(user_id order by position) from {table}
                    where ranking = '{ranking}' group by item_id"""
            )
        )
        for table, ranking in [
            ("ml_assignments", "ranker"),
            *(("ml_evaluation_assignments", name) for name in ("ranker_expected_dcg", "rrf_baseline")),
        ]
    }
    submission = dict(validation_build.query("select item_id, user_id from submission"))
    assert submission == lists["ranker"]
    assert submission != lists["rrf_baseline"]
    assert {
        ranking for (ranking,) in validation_build.query("select distinct ranking from ml_assignments")
    } == {"ranker"}


def test_rebuild_gives_byte_identical_submission(
    validation_build: Build, ablation_build: Build, tiny_dataset: Path, make_build, capsys
) -> None:
    """A second default build makes the same submission byte for byte; it trains no ablation ranker and
    its report says how to get them; the ablation added afterwards (as `make evaluate` does, the
    ablation build) leaves the product as it was."""
    from vklsvd.cli import main
    from vklsvd.report import ABLATION_HINT

    again = make_build("again")
    result = again.run("build", {"data_root": str(tiny_dataset)})
    assert result.success, failure_text(result)
    assert again.submission.read_bytes() == validation_build.submission.read_bytes()
    tables = {name for (name,) in again.query("select table_name from information_schema.tables")}
    assert "ml_ablation_assignments" not in tables and "ml_ranker_model" in tables
    kinds = {kind for (kind,) in again.query("select distinct kind from eval_ablation")}
    assert kinds == {"reference", "source", "fusion", "ranker"}
    assert main(["report", "--warehouse", str(again.warehouse)]) == 0
    assert ABLATION_HINT in capsys.readouterr().out
    kinds = {kind for (kind,) in ablation_build.query("select distinct kind from eval_ablation")}
    assert kinds == {"reference", "source", "fusion", "ranker", "ablation"}
    product = "select * from ml_assignments order by ranking, item_id, position"
    assert ablation_build.query(product) == validation_build.query(product)


def test_report_command_prints_ndcg_and_submission(validation_build: Build, capsys) -> None:
    from vklsvd.cli import main

    assert main(["report", "--warehouse", str(validation_build.warehouse)]) == 0
    out = capsys.readouterr().out
    assert "NDCG@100 week 25 submission" in out and "random_users" in out
    assert str(validation_build.submission) in out
    # the tiny dataset is whole: nothing lacks an embedding, a candidate or a history
    (clips,) = validation_build.query("select count(*) from stg_vklsvd__items")[0]
    assert re.search(rf"\n  clips without embedding +0 of {clips:,} clips \(0\.0 %\)", out), out
    assert re.search(r"\n  target clips without candidates +0 of", out), out


def test_ablation_scores_every_reference_source_and_family(ablation_build: Build, capsys, tmp_path) -> None:
    from harness import project_vars
    from vklsvd.cli import main

    rows = {
        ranking: (kind, ndcg, recall)
        for ranking, kind, ndcg, recall in ablation_build.query(
            "select ranking, kind, ndcg, recall from eval_ablation"
        )
    }
    settings = project_vars()
    expected = {"random_users", "rrf_baseline", "ranker", "ranker_expected_dcg", "ranker_round_robin"}
    expected |= {f"source_{source}" for source in settings["candidate_k"]}
    expected |= {f"ranker_without_{family}" for family in settings["ranker_feature_families"]}
    assert set(rows) == expected | {"ranker_all_features"}
    # within ablation_max_training_pairs the ablation's reference is the saved ranker, assigned greedily
    (training_pairs,) = ablation_build.query("select count(*) from ranker_training_rows")[0]
    assert training_pairs <= settings["ablation_max_training_pairs"]
    assert rows["ranker_all_features"][1:] == pytest.approx(rows["ranker"][1:], abs=1e-12)
    # the submission's row is the submission's own NDCG
    (submission,) = ablation_build.query("select ndcg from eval_summary where ranking = 'submission'")[0]
    assert rows["ranker"][1] == pytest.approx(submission)
    assert rows["random_users"][1] < rows["rrf_baseline"][1]
    # every ranking is assigned under the capacity; the sources, the fusion and the ranker also have the
    # NDCG of their top list_size without it. The tiny world has fewer clips than the capacity, so the
    # capacity never binds there and only fill users (where a source's candidates run out) tell apart
    uncapped = dict(ablation_build.query("select ranking, ndcg_uncapped from eval_ablation"))
    with_uncapped = {ranking for ranking, value in uncapped.items() if value is not None}
    assert with_uncapped == {"rrf_baseline", "ranker"} | {f"source_{s}" for s in settings["candidate_k"]}
    assert all(rows[ranking][1] >= uncapped[ranking] - 1e-12 for ranking in with_uncapped)
    (clips,) = ablation_build.query("select count(*) from int_target_clips")[0]
    assert clips <= settings["user_capacity"]

    assert main(["report", "--warehouse", str(ablation_build.warehouse)]) == 0
    out = capsys.readouterr().out
    assert "ablation (validation week; every ranking under the user capacity" in out
    assert "ranker_without_user_author" in out
    chart = tmp_path / "charts" / "ablation.png"
    assert main(["plot-ablation", "--warehouse", str(ablation_build.warehouse), "--output", str(chart)]) == 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["plot-ablation", "--warehouse", str(tmp_path / "absent.duckdb")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_report_on_missing_warehouse_is_one_line(tmp_path: Path, capsys) -> None:
    from vklsvd.cli import main

    assert main(["report", "--warehouse", str(tmp_path / "absent.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "run `make demo`" in err


def test_subsample_folder_and_sampling_vars(tiny_dataset: Path, make_build, tmp_path: Path) -> None:
    """The same files under subsamples/<name>/ with the dataset's sampling rules, by vars only."""
    import shutil

    root = tmp_path / "hub"
    shutil.copytree(tiny_dataset / "metadata", root / "metadata")
    shutil.copytree(tiny_dataset / "interactions", root / "subsamples" / "up0.5_ip1" / "")
    build = make_build("subsample")
    sampling = {"subsample": "up0.5_ip1", "user_sample": "up0.6"}
    result = build.run("build", {"data_root": str(root), **sampling})
    assert result.success, failure_text(result)
    (n_users,) = build.query("select count(*) from int_users_sampled")[0]
    (all_users,) = build.query("select count(*) from stg_vklsvd__users")[0]
    assert 0.55 * all_users <= n_users <= 0.65 * all_users
    (outside,) = build.query(
        """select count(*) from eval_submission_ranked
           where user_id not in (select user_id from int_users_sampled)"""
    )[0]
    assert outside == 0


def test_test_week_uses_the_template_and_needs_no_labels(tiny_dataset: Path, make_build) -> None:
    build = make_build("test_week")
    result = build.run("build", {"data_root": str(tiny_dataset), "target_week": 26})
    assert result.success, failure_text(result)
    template = {row[0] for row in build.query("select item_id from stg_vklsvd__submission_template")}
    submitted = {row[0] for row in build.query("select item_id from submission")}
    assert template <= submitted
    (history_max,) = build.query("select max(week) from int_user_history")[0]
    assert history_max == 25


def test_ranker_trains_on_earlier_weeks_only(validation_build: Build) -> None:
    weeks = validation_build.query(
        """select as_of_week, is_target_week, count(label), count(*) from ranker_feature_matrix
           group by all order by as_of_week"""
    )
    assert [week for week, *_ in weeks] == [22, 23, 24, 25]
    for week, is_target, labelled, total in weeks:
        assert is_target == (week == 25)
        assert labelled == (0 if is_target else total)
    (clips, positives) = validation_build.query(
        "select training_clips, training_positives from ml_ranker_model"
    )[0]
    assert clips > 10 and positives > 0
    # the content features of a training pair come from profiles as of that pair's week
    (late,) = validation_build.query(
        """select count(*) from ml_user_content_profiles p
           where p.as_of_week = 22 and p.user_id not in (
               select user_id from int_user_history where week < 22)"""
    )[0]
    assert late == 0


def test_every_ranking_is_scored_and_the_ranker_beats_random(validation_build: Build) -> None:
    scores = dict(validation_build.query("select ranking, ndcg from eval_summary"))
    assert set(scores) == {
        "submission",
        "rrf_baseline",
        "ranker_expected_dcg",
        "ranker_round_robin",
        "random_users",
    }
    assert scores["submission"] > 2 * scores["random_users"]
    assert scores["ranker_round_robin"] > 2 * scores["random_users"]
    assert scores["ranker_expected_dcg"] > 2 * scores["random_users"]
    assert scores["rrf_baseline"] > 2 * scores["random_users"]


@pytest.mark.parametrize("bounds", [[10, 45], [5, 20, 40, 90, 180]])
def test_duration_bucket_macro_holds_for_any_bounds(
    tiny_dataset: Path, make_build, bounds: list[int]
) -> None:
    """The singular test of the duration macros derives its cases from the var, so it checks every
    configuration, not only the default one (which every build's own data tests check)."""
    build = make_build("buckets")
    result = build.run(
        "test",
        {"data_root": str(tiny_dataset), "duration_bucket_bounds": bounds},
        "--select",
        "features_watch_fraction_and_duration_bucket_macros",
    )
    assert result.success, failure_text(result)
    assert "PASS features_watch_fraction_and_duration_bucket_macros" in result.output


def test_report_on_a_warehouse_of_another_version_says_rebuild(tmp_path: Path, capsys) -> None:
    from vklsvd.cli import main

    warehouse = tmp_path / "old.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        # eval_summary as an earlier version wrote it: no list_size column
        connection.execute("create table eval_summary (ranking varchar, target_week int, clips_scored int)")
    assert main(["report", "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another version" in err and "dbt build" in err


def readme_exploration_queries() -> list[str]:
    """The SQL statements of the README's "Exploring the warehouse" section, in order."""
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme.split("## Exploring the warehouse", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sql\n", 1)[1].split("```", 1)[0]
    code = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in code.split(";") if statement.strip()]


def test_readme_exploration_queries_run_and_return_rows(validation_build: Build) -> None:
    queries = readme_exploration_queries()
    assert len(queries) >= 7
    for sql in queries:
        assert validation_build.query(sql), f"the README's query returned no rows:\n{sql}"


def test_every_ranker_column_is_in_the_catalogue_of_column_families(validation_build: Build) -> None:
    """ranker_feature_matrix' generated column names can be found: each matches exactly one family of
    `config.meta.column_families` in its yml, whose file exists and holds the family's search fragment."""
    import re

    import yaml

    document = yaml.safe_load((PROJECT_DIR / "models/7_ranker/_ranker__models.yml").read_text())
    (model,) = [entry for entry in document["models"] if entry["name"] == "ranker_feature_matrix"]
    families = model["config"]["meta"]["column_families"]
    for family in families:
        source = PROJECT_DIR / family["made_in"]
        assert source.is_file() and family["search"] in source.read_text(), family
    columns = [
        name
        for (name,) in validation_build.query(
            "select column_name from information_schema.columns where table_name = 'ranker_feature_matrix'"
        )
    ]
    assert len(columns) > 100
    for name in columns:
        matching = [family["pattern"] for family in families if re.fullmatch(family["pattern"], name)]
        assert len(matching) == 1, (name, matching)
    # a name nobody documented is caught
    assert not any(re.fullmatch(family["pattern"], "w_new_feature") for family in families)
