"""Candidate generation: folding vector hits to users, grouped helpers, and the HNSW steps end to end."""

from pathlib import Path

import numpy as np
import pyarrow as pa

from harness import default_hnsw_params
from vklsvd.content.profiles import l2_normalise
from vklsvd.retrieval.adapters import build_user_hnsw_index, hnsw_candidates
from vklsvd.retrieval.candidates import stack_user_vectors, users_from_vector_hits
from vklsvd.retrieval.exact import exact_top_k
from vklsvd.segments import dedupe_max, segment_argmax, segment_starts, top_k_per_group


def test_top_k_per_group_breaks_ties_by_id() -> None:
    groups = np.array([2, 1, 1, 1, 2, 1])
    scores = np.array([0.5, 0.9, 0.9, 0.1, 0.7, 0.3])
    ids = np.array([7, 30, 20, 10, 8, 40])
    rows, rank = top_k_per_group(groups, scores, ids, 2)
    assert ids[rows].tolist() == [20, 30, 8, 7] and rank.tolist() == [1, 2, 1, 2]


def test_segment_argmax_takes_first_of_ties() -> None:
    groups = np.array([0, 0, 0, 3, 3, 5])
    scores = np.array([1.0, 2.0, 2.0, -1.0, -3.0, 0.0])
    assert segment_argmax(segment_starts(groups), scores).tolist() == [1, 3, 5]


def test_dedupe_max_keeps_best_score_per_pair() -> None:
    g, m, s = dedupe_max(np.array([1, 1, 1, 2]), np.array([5, 5, 6, 5]), np.array([0.1, 0.4, 0.2, 0.3]))
    assert g.tolist() == [1, 1, 2] and m.tolist() == [5, 6, 5] and s.tolist() == [0.4, 0.2, 0.3]


def test_vector_hits_fold_to_distinct_users() -> None:
    vector_users = np.array([10, 10, 20, 30], dtype=np.uint32)  # user 10 owns two vectors
    labels = np.array([[1, 0, 2, 3], [3, 2, -1, -1]])
    sims = np.array([[0.9, 0.8, 0.7, 0.7], [0.6, 0.6, 0.0, 0.0]], dtype=np.float32)
    found = users_from_vector_hits(np.array([5, 6], dtype=np.uint32), labels, sims, vector_users, k=2)
    assert found.item_id.tolist() == [5, 5, 6, 6]
    assert found.user_id.tolist() == [10, 20, 20, 30]  # ties: smaller user first
    assert found.source_rank.tolist() == [1, 2, 1, 2]
    np.testing.assert_allclose(found.score, [0.9, 0.7, 0.6, 0.6])


def test_stack_user_vectors_drops_zero_rows() -> None:
    users, kinds, vectors = stack_user_vectors(
        [
            ("watched", np.array([2, 1], dtype=np.uint32), np.array([[1.0, 0.0], [0.0, 1.0]])),
            ("interest", np.array([3, 4], dtype=np.uint32), np.array([[0.0, 0.0], [1.0, 1.0]])),
        ]
    )
    assert users.tolist() == [1, 2, 4] and kinds.tolist() == ["watched", "watched", "interest"]
    assert vectors.shape == (3, 2)


def _profile_tables(rng: np.random.Generator, n_users: int, dim: int) -> tuple[pa.Table, pa.Table]:
    """`watched` and `negative` profiles for every user; two interest vectors for the first half."""
    users = np.arange(1, n_users + 1, dtype=np.uint32)
    watched = l2_normalise(rng.normal(size=(n_users, dim))).astype(np.float32)
    profiles = pa.table(
        {
            "as_of_week": pa.array(np.full(2 * n_users, 25), pa.int32()),
            "user_id": pa.array(np.concatenate([users, users]), pa.uint32()),
            "profile_kind": ["watched"] * n_users + ["negative"] * n_users,
            "embedding": np.vstack([watched, -watched]).tolist(),
        }
    )
    owners = np.repeat(users[: n_users // 2], 2)
    interests = pa.table(
        {
            "as_of_week": pa.array(np.full(owners.size, 25), pa.int32()),
            "user_id": pa.array(owners, pa.uint32()),
            "interest_id": pa.array(np.tile([0, 1], n_users // 2), pa.int32()),
            "embedding": l2_normalise(rng.normal(size=(owners.size, dim))).astype(np.float32).tolist(),
        }
    )
    return profiles, interests


def _exact_candidates(
    profiles: pa.Table, interests: pa.Table, n_users: int, clip_ids: np.ndarray, clips: np.ndarray, k: int
):
    """Reference: exact cosine of every clip to every indexed vector (watched profiles and interests,
    3 k deep), folded to each clip's k best users."""
    all_users = np.concatenate([np.arange(1, n_users + 1), interests.column("user_id").to_numpy()])
    all_vectors = np.vstack(
        [
            np.array(profiles.column("embedding").to_pylist()[:n_users]),
            np.array(interests.column("embedding").to_pylist()),
        ]
    )
    _, b, s, _ = exact_top_k(clip_ids, clips, np.arange(all_users.size, dtype=np.uint32), all_vectors, 3 * k)
    shape = (clip_ids.size, -1)
    return users_from_vector_hits(clip_ids, b.reshape(shape).astype(np.int64), s.reshape(shape), all_users, k)


def _hnsw_inputs(seed: int, n_users: int = 300, dim: int = 8):
    """Profiles and interests of `n_users` users, 12 target clips with an embedding and one without."""
    rng = np.random.default_rng(seed)
    profiles, interests = _profile_tables(rng, n_users, dim)
    clips = rng.normal(size=(12, dim)).astype(np.float32)
    targets = pa.table(
        {
            "as_of_week": pa.array(np.full(13, 25), pa.int32()),
            "item_id": pa.array(np.arange(1000, 1013), pa.uint32()),
            "has_embedding": [True] * 12 + [False],
            "embedding": [*clips.tolist(), None],
        }
    )
    return profiles, interests, clips, targets


def test_hnsw_steps_match_exact_search_end_to_end(tmp_path: Path) -> None:
    n_users, k = 300, 20
    profiles, interests, clips, targets = _hnsw_inputs(9, n_users)
    description = build_user_hnsw_index(
        profiles, interests, targets,
        k=k, params=default_hnsw_params(seed=1, recall_queries=50), artifacts_dir=tmp_path / "artifacts",
    )  # fmt: skip
    row = description.to_pylist()[0]
    assert row["n_vectors"] == n_users + n_users // 2 * 2  # negative profiles are not indexed
    assert row["query_k"] == 3 * k and row["ef_search"] >= 120 and row["recall_queries"] == 12
    assert row["search"] == "hnsw" and row["hnsw_recall_at_k"] >= row["target_recall"] == 0.95
    assert row["efs_tried"].split(",")[0] == "120"
    assert Path(row["index_path"]).is_file() and Path(row["labels_path"]).is_file()

    found = hnsw_candidates(description, targets)  # the clip without an embedding gets none
    assert found.column("source").unique().to_pylist() == ["hnsw"]
    expected = _exact_candidates(
        profiles, interests, n_users, np.arange(1000, 1012, dtype=np.uint32), clips, k
    )
    got_pairs = set(
        zip(found.column("item_id").to_pylist(), found.column("user_id").to_pylist(), strict=True)
    )
    expected_pairs = set(zip(expected.item_id.tolist(), expected.user_id.tolist(), strict=True))
    assert len(got_pairs & expected_pairs) / len(expected_pairs) >= 0.95
    ranks = found.column("source_rank").to_numpy()
    assert ranks.min() == 1 and ranks.max() == k and found.num_rows == 12 * k


def test_hnsw_falls_back_to_exact_search_when_no_ef_reaches_the_target(tmp_path: Path) -> None:
    n_users, k = 300, 20
    profiles, interests, clips, targets = _hnsw_inputs(10, n_users)
    # recall 1.0 is out of reach of an index with one link per node searched at ef = k
    params = default_hnsw_params(
        m=2, ef_construction=4, ef_search=1, max_ef_search=1, target_recall=1.0, seed=1, recall_queries=50
    )
    description = build_user_hnsw_index(
        profiles, interests, targets,
        k=k, params=params, artifacts_dir=tmp_path / "artifacts",
    )  # fmt: skip
    row = description.to_pylist()[0]
    assert row["search"] == "exact" and row["hnsw_recall_at_k"] < 1.0 and row["recall_at_k"] == 1.0
    found = hnsw_candidates(description, targets)
    clip_ids = np.arange(1000, 1012, dtype=np.uint32)
    expected = _exact_candidates(profiles, interests, n_users, clip_ids, clips, k)
    assert found.column("user_id").to_pylist() == expected.user_id.tolist()


def _as_of(table: pa.Table, week: int, keep: np.ndarray | None = None) -> pa.Table:
    table = table if keep is None else table.filter(pa.array(keep))
    return table.set_column(0, "as_of_week", pa.array(np.full(table.num_rows, week), pa.int32()))


def test_each_as_of_week_searches_its_own_index(tmp_path: Path) -> None:
    """Week 24 knows only the first 100 users (their vectors of that week); its clips' candidates come
    from them alone, and week 25's candidates are those of an index built for week 25 by itself."""
    n_users, k = 300, 10
    profiles, interests, _, targets = _hnsw_inputs(11, n_users)
    early = lambda table: table.column("user_id").to_numpy() <= 100  # noqa: E731
    both_profiles = pa.concat_tables([profiles, _as_of(profiles, 24, early(profiles))])
    both_interests = pa.concat_tables([interests, _as_of(interests, 24, early(interests))])
    both_targets = pa.concat_tables([targets, _as_of(targets, 24)])
    kwargs = dict(k=k, params=default_hnsw_params(seed=1, recall_queries=50))
    description = build_user_hnsw_index(
        both_profiles, both_interests, both_targets, artifacts_dir=tmp_path / "both", **kwargs
    )
    assert sorted(description.column("as_of_week").to_pylist()) == [24, 25]
    assert len(set(description.column("index_path").to_pylist())) == 2
    found = hnsw_candidates(description, both_targets)
    week = found.column("as_of_week").to_numpy()
    users = found.column("user_id").to_numpy()
    assert (week == 24).sum() == (week == 25).sum() == 12 * k
    assert users[week == 24].max() <= 100 and users[week == 25].max() > 100
    alone = hnsw_candidates(
        build_user_hnsw_index(profiles, interests, targets, artifacts_dir=tmp_path / "alone", **kwargs),
        targets,
    )
    assert users[week == 25].tolist() == alone.column("user_id").to_pylist()
