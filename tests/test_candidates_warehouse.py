"""Content and candidate tables of the warehouse built on the tiny dataset (checked from the outside)."""

from pathlib import Path

from harness import Build
from vklsvd.io.artifacts import sha256_file

SOURCES = {"hnsw", "author_audience", "bubbles", "semantic_ids", "active_users", "collaborative"}


def test_every_target_clip_has_candidates_from_every_source(validation_build: Build) -> None:
    rows = validation_build.query(
        """select source, count(distinct item_id) from candidates where as_of_week = 25 group by source"""
    )
    (targets,) = validation_build.query("select count(*) from int_target_clips")[0]
    (with_embedding,) = validation_build.query(
        "select count(*) from int_as_of_clips where is_target_week and has_embedding"
    )[0]
    counts = dict(rows)
    assert set(counts) == SOURCES
    assert counts["active_users"] == targets and counts["hnsw"] == with_embedding


def test_union_recall_beats_every_source(validation_build: Build) -> None:
    rows = validation_build.query("select source, k, recall from candidate_recall order by k")
    by_k: dict[int, dict[str, float]] = {}
    for source, k, recall in rows:
        by_k.setdefault(k, {})[source] = recall
    assert sorted(by_k) == [50, 100, 200, 500]
    for recalls in by_k.values():
        best_single = max(v for s, v in recalls.items() if s != "union")
        assert recalls["union"] >= best_single
    smallest = by_k[50]
    assert smallest["union"] > max(v for s, v in smallest.items() if s != "union") + 0.05


def test_hnsw_recall_and_artefacts_match_their_description(validation_build: Build) -> None:
    indexes = validation_build.query(
        """select as_of_week, index_path, index_sha256, labels_path, labels_sha256, recall_at_k
           from ml_hnsw_user_index order by as_of_week"""
    )
    assert [week for week, *_ in indexes] == [22, 23, 24, 25]  # one index per as-of week
    for _, index_path, index_sha, labels_path, labels_sha, recall in indexes:
        assert recall >= 0.95
        assert sha256_file(Path(index_path)) == index_sha and sha256_file(Path(labels_path)) == labels_sha
    for table in ("ml_gmm_bubbles", "ml_semantic_codebooks"):
        path, sha = validation_build.query(f"select artefact_path, sha256 from {table} limit 1")[0]
        assert sha256_file(Path(path)) == sha


def test_semantic_id_counters_count_exactly_the_history_before_each_as_of_week(
    validation_build: Build,
) -> None:
    (counted,) = validation_build.query(
        "select sum(impressions) from int_user_semantic_prefixes where level = 1 and as_of_week = 25"
    )[0]
    (history,) = validation_build.query(
        """select count(*) from int_user_history h
           semi join stg_vklsvd__item_embeddings e on e.item_id = h.item_id"""
    )[0]
    (late,) = validation_build.query("select count(*) from int_user_history where week >= 25")[0]
    assert counted == history and late == 0
    # as of a training week the counters hold exactly the weeks before it
    (counted_22,) = validation_build.query(
        "select sum(impressions) from int_user_semantic_prefixes where level = 1 and as_of_week = 22"
    )[0]
    (history_22,) = validation_build.query(
        """select count(*) from int_user_history h
           semi join stg_vklsvd__item_embeddings e on e.item_id = h.item_id where h.week < 22"""
    )[0]
    assert counted_22 == history_22 < history
