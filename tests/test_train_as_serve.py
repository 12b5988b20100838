"""Train exactly as you serve: the ranker's training pairs and the target week's pairs come from one SQL.

Structurally, no model between the as-of clips and the ranker's pairs can tell a training week from the
target week: none reads `target_week` or the target clips, each keys its rows by `as_of_week`. On a
built warehouse, every candidate source has rows in every as-of week, the ranker's pairs are exactly the
candidates of every week, and the training pairs are whole candidate lists of some of the clips.
"""

from __future__ import annotations

import re

import pytest

from harness import PROJECT_DIR, Build

#: The models from the as-of clips to the ranker's pairs: one code path for every as-of week.
AS_OF_PATH = (
    "models/5_candidates/cand_active_users.sql",
    "models/5_candidates/cand_author_audience.sql",
    "models/5_candidates/cand_bubbles.sql",
    "models/5_candidates/cand_semantic_ids.sql",
    "models/5_candidates/candidates.sql",
    "models/5_candidates/ml_hnsw_candidates.py",
    "models/5_candidates/ml_hnsw_user_index.py",
    "models/5_candidates/ml_collaborative_candidates.py",
    "models/4_collaborative/ml_user_clip_factors.py",
    "models/3_content/int_user_bubbles.sql",
    "models/3_content/int_user_semantic_prefixes.sql",
    "models/3_content/ml_user_interests.py",
    "models/4_collaborative/ml_user_author_factors.py",
    "models/4_collaborative/int_cf_user_vectors.sql",
    "models/4_collaborative/int_cf_author_vectors.sql",
    "models/4_collaborative/int_cf_user_interest_vectors.sql",
    "models/2_intermediate/int_author_audience.sql",
    "models/2_intermediate/int_user_activity.sql",
    "models/7_ranker/ranker_labelled_candidates.sql",
)
SOURCES = ("hnsw", "author_audience", "bubbles", "semantic_ids", "active_users", "collaborative")


@pytest.mark.parametrize("path", AS_OF_PATH)
def test_no_model_on_the_candidate_path_singles_out_the_target_week(path: str) -> None:
    text = (PROJECT_DIR / path).read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    assert not re.search(r"var\(\s*['\"]target_week", code), f"{path} reads var target_week"
    assert "int_target_clips" not in code, f"{path} reads the target clips directly"
    if path.endswith(".sql"):  # a Python model's rows are keyed by its adapter (vklsvd/*/adapters.py)
        assert "as_of_week" in code, f"{path} is not keyed by as-of week"


def test_every_source_finds_candidates_in_every_as_of_week(validation_build: Build) -> None:
    found = validation_build.query(
        "select as_of_week, source, count(distinct item_id) from candidates group by all"
    )
    weeks = [week for (week,) in validation_build.query("select as_of_week from int_feature_as_of_weeks")]
    by_key = {(week, source): clips for week, source, clips in found}
    for week in weeks:
        for source in SOURCES:
            assert by_key.get((week, source), 0) > 0, f"no {source} candidates as of week {week}"


def test_the_rankers_pairs_are_the_candidates_of_every_week(validation_build: Build) -> None:
    (only_in_ranker, only_in_candidates, sources_differ) = validation_build.query(
        """with pairs as (
               select as_of_week, item_id, user_id, count(*) as n_sources from candidates group by all)
           select
               (select count(*) from ranker_labelled_candidates r
                anti join pairs p using (as_of_week, item_id, user_id)),
               (select count(*) from pairs p
                anti join ranker_labelled_candidates r using (as_of_week, item_id, user_id)),
               (select count(*) from ranker_labelled_candidates r
                inner join pairs p using (as_of_week, item_id, user_id)
                where r.n_sources <> p.n_sources)"""
    )[0]
    assert (only_in_ranker, only_in_candidates, sources_differ) == (0, 0, 0)
    (outside,) = validation_build.query(
        """select count(*) from ranker_training_rows t
           anti join ranker_labelled_candidates r using (as_of_week, item_id, user_id)"""
    )[0]
    assert outside == 0
    # a training pair carries the same candidate columns as its row of ranker_labelled_candidates
    (mismatched,) = validation_build.query(
        """select count(*) from ranker_training_rows t
           inner join ranker_labelled_candidates r using (as_of_week, item_id, user_id)
           where t.rrf_score is distinct from r.rrf_score or t.hnsw_rank is distinct from r.hnsw_rank"""
    )[0]
    assert mismatched == 0
    # by default (ranker_negatives_per_clip null) a training clip keeps its whole candidate list
    (clips, partial) = validation_build.query(
        """with kept as (select as_of_week, item_id, count(*) as n from ranker_training_rows group by all),
                listed as (
                    select as_of_week, item_id, count(*) as n from ranker_labelled_candidates group by all
                )
           select count(*), count(*) filter (where kept.n <> listed.n)
           from kept inner join listed using (as_of_week, item_id)"""
    )[0]
    assert clips > 0 and partial == 0


def test_training_weeks_rank_new_clips_of_their_own_week(validation_build: Build) -> None:
    (wrong,) = validation_build.query(
        """select count(*) from int_as_of_clips c inner join int_clip_first_week f using (item_id)
           where not c.is_target_week and f.first_week <> c.as_of_week"""
    )[0]
    assert wrong == 0
    (held_out_weeks,) = validation_build.query(
        "select count(distinct as_of_week) from ranker_training_rows where is_holdout"
    )[0]
    assert held_out_weeks == 1
