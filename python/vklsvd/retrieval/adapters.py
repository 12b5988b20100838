"""Arrow adapters of the candidates stage (models/5_candidates): the HNSW index over user vectors, its
search plan and the candidates it finds; the collaborative source's inner-product search."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vklsvd.constants import INTEREST_KIND, PROFILE_WEIGHTS
from vklsvd.errors import VklsvdError
from vklsvd.io.arrow import column, one_row, vectors
from vklsvd.io.artifacts import load_npz, write_npz_atomically
from vklsvd.progress import Progress, logger
from vklsvd.resources import budgeted_threads
from vklsvd.retrieval import hnsw
from vklsvd.retrieval.candidates import Candidates, stack_user_vectors, users_from_vector_hits
from vklsvd.retrieval.exact import exact_top_k
from vklsvd.retrieval.inner_product import planned_top_k_inner_product
from vklsvd.sampling import seeded_subsample

HNSW_INDEX_FILE = "hnsw_user_index_w{week}.bin"
HNSW_LABELS_FILE = "hnsw_user_labels_w{week}.npz"


def _of_week(table: pa.Table, week: int) -> pa.Table:
    if not table.num_rows:
        return table
    return table.filter(pa.array(column(table, "as_of_week", np.int64) == week))


def _user_vector_parts(
    profiles: pa.Table, interests: pa.Table, kinds: list[str]
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    parts = []
    profile_kinds = column(profiles, "profile_kind", object) if profiles.num_rows else np.empty(0, object)
    for kind in kinds:
        subset = profiles.filter(pa.array(profile_kinds == kind))
        if subset.num_rows:
            parts.append((kind, column(subset, "user_id", np.uint32), vectors(subset, "embedding")))
    if interests.num_rows:
        parts.append(
            (INTEREST_KIND, column(interests, "user_id", np.uint32), vectors(interests, "embedding"))
        )
    return parts


def _clip_queries(clips: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    with_embedding = clips.filter(pa.array(column(clips, "has_embedding", bool)))
    order = np.argsort(column(with_embedding, "item_id", np.uint32), kind="stable")
    return column(with_embedding, "item_id", np.uint32)[order], vectors(with_embedding, "embedding")[order]


def build_user_hnsw_index(
    profiles: pa.Table,
    interests: pa.Table,
    clips: pa.Table,
    *,
    k: int,
    params: hnsw.HnswParams,
    artifacts_dir: Path,
) -> pa.Table:
    """For every as-of week of `clips` (int_as_of_clips), index the user vectors of that week (profiles of
    `params.profile_kinds` and multi-interest vectors, both as of the week) with hnswlib, plan the search
    (`hnsw.plan_search`: ef raised until the recall at the query depth k * overfetch on up to
    `params.recall_queries` of the week's clips reaches `params.target_recall`, else exact search), save
    the index, the vectors and their label -> user map, and describe it all in one row per week."""
    unknown = sorted(set(params.profile_kinds) - set(PROFILE_WEIGHTS))
    if unknown:
        raise VklsvdError(
            f"hnsw_params.profile_kinds has unknown kind(s) {unknown}; use some of {list(PROFILE_WEIGHTS)}"
        )
    plan = _IndexPlan(k, params, Path(artifacts_dir))
    weeks = sorted(set(column(clips, "as_of_week", np.int64).tolist()))
    return pa.concat_tables(
        [
            _index_one_week(
                week, _of_week(profiles, week), _of_week(interests, week), _of_week(clips, week), plan
            )
            for week in weeks
        ]
    )


@dataclass(frozen=True)
class _IndexPlan:
    k: int
    params: hnsw.HnswParams
    directory: Path


def _index_one_week(
    week: int, profiles: pa.Table, interests: pa.Table, clips: pa.Table, plan: _IndexPlan
) -> pa.Table:
    k, params, directory = plan.k, plan.params, plan.directory
    kinds = list(params.profile_kinds)
    users, vector_kinds, base = stack_user_vectors(_user_vector_parts(profiles, interests, kinds))
    built = hnsw.build_index(base, params)
    fetch = min(k * params.overfetch, base.shape[0])
    query_ids, queries = _clip_queries(clips)
    sample = queries[seeded_subsample(query_ids.size, params.recall_queries, params.seed)]
    with budgeted_threads():
        search = hnsw.plan_search(
            built.index,
            base,
            sample,
            fetch,
            first_ef=params.ef_for(fetch),
            target_recall=params.target_recall,
            max_ef=params.max_ef_for(fetch, base.shape[0]),
        )
    index_path = directory / HNSW_INDEX_FILE.format(week=week)
    labels_path = directory / HNSW_LABELS_FILE.format(week=week)
    index_sha = hnsw.save_index(built.index, index_path)
    labels_sha = write_npz_atomically(labels_path, {"user_id": users, "kind": vector_kinds, "vectors": base})
    return one_row(
        {
            "as_of_week": (week, pa.int32()),
            "index_path": (str(index_path), pa.string()),
            "index_sha256": (index_sha, pa.string()),
            "labels_path": (str(labels_path), pa.string()),
            "labels_sha256": (labels_sha, pa.string()),
            "vector_kinds": (",".join([*kinds, INTEREST_KIND]), pa.string()),
            "n_vectors": (int(base.shape[0]), pa.int64()),
            "n_users": (int(np.unique(users).size), pa.int64()),
            "dim": (int(base.shape[1]), pa.int32()),
            "space": ("cosine", pa.string()),
            "m": (params.m, pa.int32()),
            "ef_construction": (params.ef_construction, pa.int32()),
            "search": ("exact" if search.exact else "hnsw", pa.string()),
            "ef_search": (search.ef, pa.int32()),
            "efs_tried": (",".join(map(str, search.efs_tried)), pa.string()),
            "query_k": (fetch, pa.int32()),
            "candidates_k": (k, pa.int32()),
            "seed": (params.seed, pa.int64()),
            "recall_queries": (int(sample.shape[0]), pa.int32()),
            "target_recall": (params.target_recall, pa.float64()),
            "hnsw_recall_at_k": (search.hnsw_recall, pa.float64()),
            "recall_at_k": (1.0 if search.exact else search.hnsw_recall, pa.float64()),
            "build_seconds": (built.build_seconds, pa.float64()),
        }
    )


def hnsw_candidates(index_description: pa.Table, clips: pa.Table) -> pa.Table:
    """For every as-of week's clips with an embedding, the `candidates_k` users whose vectors (as of that
    week) are nearest, by the search `build_user_hnsw_index` planned for the week (HNSW at its ef, or
    exact); score = best cosine of the user."""
    found = {
        int(row["as_of_week"]): _search_week(row, _of_week(clips, int(row["as_of_week"])))
        for row in index_description.to_pylist()
    }
    return _candidate_table("hnsw", found)


def _candidate_table(source: str, found: dict[int, Candidates]) -> pa.Table:
    """The rows of candidate source `source` (as_of_week, item_id, user_id, source, score, source_rank)
    from its candidates of each as-of week."""
    parts = list(found.values())
    weeks = [np.full(part.item_id.size, week, dtype=np.int32) for week, part in found.items()]
    n_rows = sum(part.item_id.size for part in parts)
    return pa.table(
        {
            "as_of_week": pa.array(np.concatenate([np.empty(0, np.int32), *weeks]), pa.int32()),
            "item_id": pa.array(_stacked(parts, "item_id", np.uint32), pa.uint32()),
            "user_id": pa.array(_stacked(parts, "user_id", np.uint32), pa.uint32()),
            "source": pa.array([source] * n_rows, pa.string()),
            "score": pa.array(_stacked(parts, "score", np.float32), pa.float64()),
            "source_rank": pa.array(_stacked(parts, "source_rank", np.int32), pa.int32()),
        }
    )


def _stacked(parts: list[Candidates], name: str, dtype: type) -> np.ndarray:
    return np.concatenate([np.empty(0, dtype), *(getattr(part, name) for part in parts)])


def _search_week(row: dict[str, Any], clips: pa.Table) -> Candidates:
    labels = load_npz(row["labels_path"], row["labels_sha256"])
    query_ids, queries = _clip_queries(clips)
    progress = Progress(
        f"{row['search']} user search, as of week {row['as_of_week']}", "clips", query_ids.size
    )
    with budgeted_threads() as threads:
        hits = sims = None
        if row["search"] == "hnsw":
            index = hnsw.load_index(row["index_path"], row["index_sha256"], row["dim"], row["n_vectors"])
            try:
                hits, sims = hnsw.query(index, queries, row["query_k"], row["ef_search"], threads)
            except hnsw.IncompleteResults as error:
                logger().info("%s; these candidates come from exact search", error)
        if hits is None or sims is None:
            base = labels["vectors"]
            _, flat_hits, flat_sims, _ = exact_top_k(
                query_ids, queries, np.arange(base.shape[0], dtype=np.uint32), base, row["query_k"],
                threads=threads,
            )  # fmt: skip
            hits = flat_hits.astype(np.int64).reshape(query_ids.size, -1)
            sims = flat_sims.reshape(query_ids.size, -1)
    progress.advance(query_ids.size)
    found = users_from_vector_hits(query_ids, hits, sims, labels["user_id"], row["candidates_k"])
    progress.finish()
    return found


def collaborative_candidates(
    factors: pa.Table,
    *,
    k: int,
    params: hnsw.HnswParams,
    max_exact_products: int,
) -> pa.Table:
    """For every as-of week, the k users whose ALS factor has the largest inner product with each clip's
    predicted factor (ml_user_clip_factors: sides `user` and `clip`, both as of the week), by
    `inner_product.planned_top_k_inner_product`: exact up to `max_exact_products` clip x user products,
    else HNSW over the augmented user factors at a planned ef (the build log gives each week's choice)."""
    found = {}
    for week in sorted(set(column(factors, "as_of_week", np.int64).tolist())):
        of_week = _of_week(factors, week)
        users = of_week.filter(pc.equal(of_week["side"], "user"))
        clips = of_week.filter(pc.equal(of_week["side"], "clip"))
        if not users.num_rows or not clips.num_rows:
            continue
        with budgeted_threads() as threads:
            hits, search = planned_top_k_inner_product(
                column(clips, "entity_id", np.uint32),
                vectors(clips, "factors"),
                column(users, "entity_id", np.uint32),
                vectors(users, "factors"),
                k,
                params=params,
                max_exact_products=max_exact_products,
                threads=threads,
            )
        found[week] = Candidates(*hits)
        if search.exact and np.isnan(search.hnsw_recall):
            how = f"exact search (at most var cf_params.exact_search_max_products = {max_exact_products:,})"
        elif search.exact:
            how = (
                f"exact search: HNSW fell short (sampled recall {search.hnsw_recall:.3f} at best, "
                f"ef {search.ef})"
            )
        else:
            how = (
                f"HNSW at ef {search.ef} (sampled recall {search.hnsw_recall:.3f}, index built in "
                f"{search.build_seconds:.1f} s)"
            )
        logger().info(
            f"collaborative candidates as of week {week}: {clips.num_rows:,} clips x {users.num_rows:,} "
            f"users, {how}"
        )
    return _candidate_table("collaborative", found)
