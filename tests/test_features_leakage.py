"""Nothing as of week W sees week W or later: rewriting every week >= W leaves unchanged the features, the
user representations (profiles, interests, bubbles, semantic-ID counters, collaborative factors), every
candidate source and the ranker's candidate and pair features as of W (its labels, week W's own
engagement, excepted).

Two warehouses are built from the tiny dataset with as-of weeks W = 20 (training, var training_weeks)
and 25 (the target week): one on the data as generated (``dbt build``, so the layer's data and unit tests
run on real data too), one on a copy whose weeks >= W are rewritten (users, contexts, watch time and
every signal changed; the clips of each week kept, so the clips new in a week stay the same). Every
feature table as of W must be identical; as of 25 the features must differ, which shows the rewrite
reached the layer.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from harness import Build, failure_text, shared_folder
from vklsvd.constants import SIGNALS

AS_OF_WEEK = 20
TARGET_WEEK = 25
VARIABLES: dict[str, Any] = {"training_weeks": [AS_OF_WEEK]}
SELECTION = ("--select", "+tag:features", "+ranker_user_clip_features", "--indirect-selection", "cautious")
#: Tables keyed by as_of_week (features, user representations, candidate sources, the ranker's pairs),
#: and the key columns that order their rows.
MARTS: dict[str, Sequence[str]] = {
    "user_features": ("user_id",),
    "user_author_features": ("user_id", "author_id"),
    "user_context_features": ("user_id", "context", "context_value"),
    "int_user_activity": ("user_id",),
    "int_author_audience": ("author_id", "user_id"),
    "int_user_bubbles": ("user_id", "component"),
    "int_user_semantic_prefixes": ("user_id", "level", "prefix"),
    "ml_user_content_profiles": ("user_id", "profile_kind"),
    "ml_user_interests": ("user_id", "interest_id"),
    "ml_user_author_factors": ("side", "entity_id"),
    "ml_user_clip_factors": ("side", "entity_id", "interest_id"),
    "candidates": ("item_id", "source", "user_id"),
    "ranker_labelled_candidates": ("item_id", "user_id"),
}
#: Columns that are the as-of week's own labels (they are meant to change with its interactions).
LABELS: dict[str, Sequence[str]] = {"ranker_labelled_candidates": ("label", "relevance")}
#: The ranker's pair features: the pairs sampled as of W depend on W's labels, so the features of the
#: pairs both builds sampled are compared.
PAIR_FEATURES = "ranker_user_clip_features"
#: Partial aggregates, the column of their period (or week) and the key columns that order their rows.
#: Every as-of week is a period boundary, so rows of periods before W hold weeks before W only.
WEEKLY: dict[str, tuple[str, Sequence[str]]] = {
    # no key: ordered by every column (identical rows compare equal in any order)
    "int_feature_signal_impressions": (
        "week",
        (
            "user_id",
            "week",
            "author_id",
            "place",
            "platform",
            "duration_bucket",
            *(f'"{s}"' for s in SIGNALS),
        ),
    ),
    "int_users_aggregated_to_periods": ("period", ("user_id", "period")),
    "int_user_contexts_aggregated_to_periods": (
        "period",
        ("user_id", "period", "context_id", "context_value"),
    ),
    "int_user_authors_aggregated_to_periods": ("period", ("user_id", "author_id", "period")),
    "int_user_author_engagement": ("week", ("user_id", "author_id", "week")),
    "int_user_clip_engagement": ("week", ("user_id", "item_id", "week")),
}


def rewrite_future_weeks(root: Path, first_changed_week: int, seed: int = 7) -> int:
    """Rewrite every weekly file from `first_changed_week` on; returns the number of files rewritten.

    Within each file the user of every impression is shuffled, and so are place, platform, agent and
    timespent; every signal is redrawn at a much higher rate. The item column is left as it is.
    """
    rng = np.random.default_rng(seed)
    rewritten = 0
    for path in sorted(root.glob("interactions/*/week_*.parquet")):
        week = int(path.stem.split("_")[1])
        if week < first_changed_week:
            continue
        table = pq.read_table(path)
        columns = {name: table.column(name).to_numpy() for name in table.column_names}
        n_rows = table.num_rows
        for name in ("user_id", "place", "platform", "agent", "timespent"):
            columns[name] = rng.permutation(columns[name])
        for name in SIGNALS:
            columns[name] = rng.random(n_rows) < 0.3
        arrays = [pa.array(columns[field.name], type=field.type) for field in table.schema]
        pq.write_table(pa.Table.from_arrays(arrays, schema=table.schema), path)
        rewritten += 1
    return rewritten


def rows(build: Build, table: str, keys: Sequence[str], where: str) -> list[tuple[Any, ...]]:
    order = ", ".join(keys)
    labels = LABELS.get(table, ())
    columns = f"* exclude ({', '.join(labels)})" if labels else "*"
    return build.query(f"select {columns} from {table} where {where} order by {order}")


def same_rows(left: list[tuple[Any, ...]], right: list[tuple[Any, ...]]) -> bool:
    """Equal row by row; floats within 1e-9 relative (parallel sums may differ in the last bits)."""
    if len(left) != len(right):
        return False
    for row_left, row_right in zip(left, right, strict=True):
        for a, b in zip(row_left, row_right, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                    return False
            elif a != b:
                return False
    return True


@pytest.fixture(scope="module")
def original(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    def create(workdir: Path) -> None:
        result = Build(workdir).run("build", {"data_root": str(tiny_dataset), **VARIABLES}, *SELECTION)
        assert result.success, failure_text(result)

    return Build(shared_folder(tmp_path_factory, "features_original", create))


@pytest.fixture(scope="module")
def changed(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    def create(folder: Path) -> None:
        data = folder / "data"
        shutil.copytree(tiny_dataset, data)
        assert rewrite_future_weeks(data, AS_OF_WEEK) == 27 - AS_OF_WEEK
        workdir = folder / "build"
        workdir.mkdir()
        result = Build(workdir).run("run", {"data_root": str(data), **VARIABLES}, *SELECTION)
        assert result.success, failure_text(result)

    return Build(shared_folder(tmp_path_factory, "features_changed", create) / "build")


def test_one_build_gives_training_and_target_features(original: Build) -> None:
    assert original.query("select as_of_week, is_target_week from int_feature_as_of_weeks order by 1") == [
        (AS_OF_WEEK, False),
        (TARGET_WEEK, True),
    ]
    for table in MARTS:
        weeks = original.query(f"select distinct as_of_week from {table} order by 1")
        assert weeks == [(AS_OF_WEEK,), (TARGET_WEEK,)], table


@pytest.mark.parametrize("table", sorted(MARTS))
def test_features_as_of_week_ignore_later_weeks(original: Build, changed: Build, table: str) -> None:
    where = f"as_of_week = {AS_OF_WEEK}"
    before = rows(original, table, MARTS[table], where)
    assert before, f"{table} has no rows as of week {AS_OF_WEEK}"
    assert same_rows(before, rows(changed, table, MARTS[table], where)), table


@pytest.mark.parametrize("table", sorted(MARTS))
def test_rewrite_reaches_later_as_of_weeks(original: Build, changed: Build, table: str) -> None:
    where = f"as_of_week = {TARGET_WEEK}"
    assert not same_rows(
        rows(original, table, MARTS[table], where), rows(changed, table, MARTS[table], where)
    ), f"{table} as of week {TARGET_WEEK} did not change: the rewrite of weeks >= {AS_OF_WEEK} is not seen"


def test_pair_features_as_of_week_ignore_later_weeks(original: Build, changed: Build) -> None:
    pairs = f"""select as_of_week, item_id, user_id from {PAIR_FEATURES} where as_of_week = {AS_OF_WEEK}"""
    common = set(original.query(pairs)) & set(changed.query(pairs))
    assert len(common) > 100, "too few pairs sampled by both builds to compare"
    keys = ", ".join(f"({week}, {item}, {user})" for week, item, user in sorted(common))
    where = f"(as_of_week, item_id, user_id) in ({keys})"
    query = (
        f"select * exclude (label, relevance) from {PAIR_FEATURES} where {where} order by item_id, user_id"
    )
    assert same_rows(original.query(query), changed.query(query))


@pytest.mark.parametrize("table", sorted(WEEKLY))
def test_weekly_aggregates_before_the_as_of_week_are_unchanged(
    original: Build, changed: Build, table: str
) -> None:
    period, keys = WEEKLY[table]
    where = f"{period} < {AS_OF_WEEK}"
    if table == "int_user_authors_aggregated_to_periods":
        # Engaged pairs are chosen over every week read, so a pair first engaged in a rewritten week has
        # rows before it too; user_author_features drops such a pair as of W. Rows of pairs engaged
        # before W must not change.
        where += f""" and (user_id, author_id) in (
            select user_id, author_id from {table} where period < {AS_OF_WEEK} and positives > 0)"""
    before = rows(original, table, keys, where)
    assert before, f"{table} has no rows before week {AS_OF_WEEK}: the comparison would prove nothing"
    assert same_rows(before, rows(changed, table, keys, where)), table


def test_engaged_pairs_of_later_weeks_do_reach_the_weekly_table(original: Build, changed: Build) -> None:
    # the reason for the restriction above: the weekly table alone is not as-of safe, the mart is
    query = f"""select count(*) from int_user_authors_aggregated_to_periods where period < {AS_OF_WEEK}"""
    assert original.query(query) != changed.query(query)


def test_changed_build_really_read_other_data(original: Build, changed: Build) -> None:
    query = f"select sum(positives) from int_users_aggregated_to_periods where period >= {AS_OF_WEEK}"
    assert original.query(query) != changed.query(query)


def test_compare_helper_sees_differences() -> None:
    assert same_rows([(1, 0.5)], [(1, 0.5 + 1e-15)])
    assert not same_rows([(1, 0.5)], [(1, 0.6)])
    assert not same_rows([(1, 0.5)], [(2, 0.5)])
    assert not same_rows([(1, 0.5)], [])
