"""Arrow-in, Arrow-out entry points called by the thin dbt Python models under models/ml/.

Each function converts its inputs to numpy, calls one algorithm of the package and returns an Arrow
table with explicit types, so a dbt Python model is a few lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa

from vklsvd import bubbles, hnsw_index, semantic_ids
from vklsvd.arrow_io import column, vector_array, vectors
from vklsvd.artifacts import load_npz, write_npz_atomically
from vklsvd.assignment import assign_with_capacity
from vklsvd.candidates import stack_user_vectors, users_from_vector_hits
from vklsvd.errors import VklsvdError
from vklsvd.interests import multi_interest_profiles
from vklsvd.profiles import ProfileAccumulator
from vklsvd.progress import Progress, logger
from vklsvd.resources import budgeted_threads
from vklsvd.retrieval import exact_top_k

GMM_FILE = "gmm_bubbles.npz"
CODEBOOKS_FILE = "semantic_id_codebooks.npz"
HNSW_INDEX_FILE = "hnsw_user_index.bin"
HNSW_LABELS_FILE = "hnsw_user_labels.npz"
INTEREST_KIND = "interest"

PROFILE_WEIGHTS = {
    # kind -> how much each history event counts
    "watched": "watch_fraction",
    "timespent": "timespent",
    "positive": "is_positive",
    "negative": "is_negative",
}
#: Columns of the history stream that user_content_profiles reads.
PROFILE_HISTORY_COLUMNS = ("user_id", "item_id", "week", *PROFILE_WEIGHTS.values())


def user_content_profiles(
    history: Iterable[pa.RecordBatch],
    users: pa.Table,
    embeddings: pa.Table,
    as_of_weeks: pa.Table,
) -> pa.Table:
    """One row per (as-of week, user, profile kind): the L2-normalised weighted mean of the embeddings of
    the clips in the user's history strictly before the as-of week.

    Kinds (PROFILE_WEIGHTS): `watched` (weighted by watch fraction), `timespent` (by seconds watched),
    `positive` (clips with a positive signal), `negative` (disliked clips). `history` is a stream of
    record batches (user_id, item_id, week and the weight columns) read once, for every as-of week at
    once; memory holds the sums, not the history (see `vklsvd.profiles`).
    """
    accumulator = ProfileAccumulator(
        column(users, "user_id", np.uint32),
        column(embeddings, "item_id", np.uint32),
        vectors(embeddings, "embedding"),
        column(as_of_weeks, "as_of_week", np.int64).tolist(),
        PROFILE_WEIGHTS,
    )
    progress = Progress("user content profiles", "history rows")
    for batch in history:
        accumulator.add(batch)
        progress.advance(batch.num_rows)
    parts = [
        pa.table(
            {
                "as_of_week": pa.array(np.full(part.user_id.size, part.as_of_week, dtype=np.int32)),
                "user_id": pa.array(part.user_id, pa.uint32()),
                "profile_kind": pa.array(np.full(part.user_id.size, part.kind), pa.string()),
                "embedding": vector_array(part.embedding),
            }
        )
        for part in accumulator.profiles()
    ]
    progress.finish(f"{sum(part.num_rows for part in parts):,} profiles")
    return pa.concat_tables(parts) if parts else _empty_profiles(accumulator.dim)


def _empty_profiles(dim: int) -> pa.Table:
    return pa.table(
        {
            "as_of_week": pa.array([], pa.int32()),
            "user_id": pa.array([], pa.uint32()),
            "profile_kind": pa.array([], pa.string()),
            "embedding": pa.array([], pa.list_(pa.float32(), max(dim, 1))),
        }
    )


def capacity_assignment(
    scores: pa.Table,
    target_items: pa.Table,
    fill_users: pa.Table,
    *,
    list_size: int,
    capacity: int,
    seed: int,
) -> pa.Table:
    """Ranked lists (item_id, user_id, position) for every target clip under the per-user capacity."""
    fill = fill_users.sort_by([("priority", "ascending")])
    progress = Progress("capacity assignment", "scored pairs", scores.num_rows)
    result = assign_with_capacity(
        column(target_items, "item_id", np.uint32),
        column(scores, "item_id", np.uint32),
        column(scores, "user_id", np.uint32),
        column(scores, "score", np.float64),
        column(fill, "user_id", np.uint32),
        list_size=list_size,
        capacity=capacity,
        seed=seed,
    )
    progress.advance(scores.num_rows)
    progress.finish(f"{int(result.from_candidates.sum()):,} of {result.item_id.size:,} slots from candidates")
    return pa.table(
        {
            "item_id": pa.array(result.item_id, pa.uint32()),
            "user_id": pa.array(result.user_id, pa.uint32()),
            "position": pa.array(result.position, pa.int32()),
            "from_candidates": pa.array(result.from_candidates, pa.bool_()),
        }
    )


# --- content: multi-interest profiles, bubbles, semantic IDs --------------------------------------------


def _one_row(values: dict[str, tuple[object, pa.DataType]]) -> pa.Table:
    return pa.table({name: pa.array([value], kind) for name, (value, kind) in values.items()})


def _embedding_type(matrix: np.ndarray) -> pa.DataType:
    return pa.list_(pa.float32(), max(matrix.shape[1], 1) if matrix.ndim == 2 else 1)


def user_interest_profiles(
    history: pa.Table, embeddings: pa.Table, *, k_max: int, min_items_per_cluster: int, n_iter: int
) -> pa.Table:
    """Multi-interest vectors: spherical k-means of each user's positive clips (see `vklsvd.interests`)."""
    emb = vectors(embeddings, "embedding")
    progress = Progress("multi-interest profiles", "positive events", history.num_rows)
    result = multi_interest_profiles(
        column(history, "user_id", np.uint32),
        column(history, "item_id", np.uint32),
        column(history, "is_positive", np.float64),
        column(embeddings, "item_id", np.uint32),
        emb,
        k_max=k_max,
        min_items_per_cluster=min_items_per_cluster,
        n_iter=n_iter,
    )
    progress.advance(history.num_rows)
    progress.finish(f"{result.size:,} interest vectors")
    return pa.table(
        {
            "user_id": pa.array(result.user_id, pa.uint32()),
            "interest_id": pa.array(result.interest_id, pa.int32()),
            "weight": pa.array(result.weight, pa.float32()),
            "n_items": pa.array(result.n_items, pa.int32()),
            "embedding": vector_array(result.embedding)
            if result.size
            else pa.array([], _embedding_type(emb)),
        }
    )


def fit_gmm_bubbles(
    fit_items: pa.Table,
    *,
    n_components: int,
    covariance_type: str,
    seed: int,
    max_fit_items: int,
    artifacts_dir: Path,
) -> pa.Table:
    """Fit the interest-bubble mixture on `fit_items` (clips known before the target week), save it to
    `artifacts_dir`, and describe it in one row (parameters, fit quality, path, sha256)."""
    progress = Progress("interest-bubble mixture fit", "clips", fit_items.num_rows)
    fit = bubbles.fit_mixture(
        vectors(fit_items, "embedding"),
        n_components=n_components,
        covariance_type=covariance_type,
        seed=seed,
        max_fit_items=max_fit_items,
    )
    progress.advance(fit_items.num_rows)
    progress.finish(f"{fit.n_fit_items:,} fitted, {int(fit.model.n_iter_)} EM iterations")
    path = Path(artifacts_dir) / GMM_FILE
    digest = bubbles.save_mixture(fit.model, path)
    return _one_row(
        {
            "artefact_path": (str(path), pa.string()),
            "sha256": (digest, pa.string()),
            "n_components": (int(fit.model.n_components), pa.int32()),
            "requested_components": (n_components, pa.int32()),
            "covariance_type": (covariance_type, pa.string()),
            "dim": (int(fit.model.means_.shape[1]), pa.int32()),
            "n_items": (fit_items.num_rows, pa.int64()),
            "n_fit_items": (fit.n_fit_items, pa.int64()),
            "converged": (bool(fit.model.converged_), pa.bool_()),
            "n_iter": (int(fit.model.n_iter_), pa.int32()),
            "mean_log_likelihood": (fit.mean_log_likelihood, pa.float64()),
            "min_component_weight": (float(fit.model.weights_.min()), pa.float64()),
            "seed": (seed, pa.int64()),
            "fit_seconds": (fit.fit_seconds, pa.float64()),
        }
    )


def item_bubbles(description: pa.Table, embeddings: pa.Table, *, top: int) -> pa.Table:
    """Each clip's `top` most probable mixture components (item_id, component, probability, rank)."""
    model = bubbles.load_mixture(
        description.column("artefact_path")[0].as_py(), description.column("sha256")[0].as_py()
    )
    item_ids = column(embeddings, "item_id", np.uint32)
    rows, comp, prob, rank = bubbles.top_components(model, vectors(embeddings, "embedding"), top)
    return pa.table(
        {
            "item_id": pa.array(item_ids[rows], pa.uint32()),
            "component": pa.array(comp, pa.int32()),
            "probability": pa.array(prob, pa.float32()),
            "component_rank": pa.array(rank, pa.int32()),
        }
    )


def fit_semantic_codebooks(
    fit_items: pa.Table, *, sizes: list[int], seed: int, max_fit_items: int, artifacts_dir: Path
) -> pa.Table:
    """Fit residual-quantisation codebooks on `fit_items`, save them, one row per level describing them
    (size, codes used, share of the squared norm left after the level, path, sha256)."""
    emb = vectors(fit_items, "embedding")
    progress = Progress("semantic-ID codebooks fit", "clips", fit_items.num_rows)
    books = semantic_ids.fit_codebooks(
        emb, tuple(int(s) for s in sizes), seed=seed, max_fit_items=max_fit_items
    )
    progress.advance(fit_items.num_rows)
    progress.finish(f"{books.n_fit_items:,} fitted, levels {list(books.sizes)}")
    path = Path(artifacts_dir) / CODEBOOKS_FILE
    digest = semantic_ids.save_codebooks(books, path)
    codes, residual = semantic_ids.encode(emb, books)
    keys = semantic_ids.prefix_keys(codes, books.sizes)
    levels = len(books.sizes)
    return pa.table(
        {
            "level": pa.array(np.arange(1, levels + 1), pa.int32()),
            "codebook_size": pa.array(books.sizes, pa.int32()),
            "requested_size": pa.array([int(s) for s in sizes], pa.int32()),
            "codes_used": pa.array([np.unique(codes[:, i]).size for i in range(levels)], pa.int32()),
            "prefixes_used": pa.array([np.unique(keys[:, i]).size for i in range(levels)], pa.int32()),
            "residual_share": pa.array(
                residual.mean(axis=0) if emb.shape[0] else [np.nan] * levels, pa.float64()
            ),
            "n_fit_items": pa.array([books.n_fit_items] * levels, pa.int64()),
            "fit_seconds": pa.array([books.fit_seconds] * levels, pa.float64()),
            "artefact_path": pa.array([str(path)] * levels, pa.string()),
            "sha256": pa.array([digest] * levels, pa.string()),
        }
    )


def item_semantic_ids(codebooks_description: pa.Table, embeddings: pa.Table) -> pa.Table:
    """Every clip's code in long form: (item_id, level, code, prefix); `prefix` identifies the code's
    first `level` entries, so clips sharing a prefix share their coarse content."""
    books = semantic_ids.load_codebooks(
        codebooks_description.column("artefact_path")[0].as_py(),
        codebooks_description.column("sha256")[0].as_py(),
    )
    item_ids = column(embeddings, "item_id", np.uint32)
    codes, _ = semantic_ids.encode(vectors(embeddings, "embedding"), books)
    keys = semantic_ids.prefix_keys(codes, books.sizes)
    levels = codes.shape[1]
    return pa.table(
        {
            "item_id": pa.array(np.repeat(item_ids, levels), pa.uint32()),
            "level": pa.array(np.tile(np.arange(1, levels + 1), item_ids.size), pa.int32()),
            "code": pa.array(codes.reshape(-1), pa.int32()),
            "prefix": pa.array(keys.reshape(-1), pa.int64()),
        }
    )


# --- retrieval: HNSW over user vectors -------------------------------------------------------------------


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


def _target_queries(target_items: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    with_embedding = target_items.filter(pa.array(column(target_items, "has_embedding", bool)))
    order = np.argsort(column(with_embedding, "item_id", np.uint32), kind="stable")
    return column(with_embedding, "item_id", np.uint32)[order], vectors(with_embedding, "embedding")[order]


def build_user_hnsw_index(
    profiles: pa.Table,
    interests: pa.Table,
    target_items: pa.Table,
    *,
    kinds: list[str],
    k: int,
    overfetch: int,
    params: hnsw_index.HnswParams,
    recall_queries: int,
    artifacts_dir: Path,
) -> pa.Table:
    """Index every user vector (profiles of `kinds` and multi-interest vectors) with hnswlib, plan the
    search (`hnsw_index.plan_search`: ef raised until the recall at the query depth k * overfetch on up
    to `recall_queries` target clips reaches `params.target_recall`, else exact search), save the index,
    the vectors and their label -> user map, and describe it all in one row."""
    unknown = sorted(set(kinds) - set(PROFILE_WEIGHTS))
    if unknown:
        raise VklsvdError(
            f"hnsw_profile_kinds has unknown kind(s) {unknown}; use some of {list(PROFILE_WEIGHTS)}"
        )
    users, vector_kinds, base = stack_user_vectors(_user_vector_parts(profiles, interests, kinds))
    built = hnsw_index.build_index(base, params)
    fetch = min(k * overfetch, base.shape[0])
    query_ids, queries = _target_queries(target_items)
    sample = queries[bubbles.seeded_subsample(query_ids.size, recall_queries, params.seed)]
    with budgeted_threads():
        plan = hnsw_index.plan_search(
            built.index,
            base,
            sample,
            fetch,
            first_ef=params.ef_for(fetch),
            target_recall=params.target_recall,
            max_ef=params.max_ef_for(fetch, base.shape[0]),
        )
    directory = Path(artifacts_dir)
    index_sha = hnsw_index.save_index(built.index, directory / HNSW_INDEX_FILE)
    labels_sha = write_npz_atomically(
        directory / HNSW_LABELS_FILE, {"user_id": users, "kind": vector_kinds, "vectors": base}
    )
    return _one_row(
        {
            "index_path": (str(directory / HNSW_INDEX_FILE), pa.string()),
            "index_sha256": (index_sha, pa.string()),
            "labels_path": (str(directory / HNSW_LABELS_FILE), pa.string()),
            "labels_sha256": (labels_sha, pa.string()),
            "vector_kinds": (",".join([*kinds, INTEREST_KIND]), pa.string()),
            "n_vectors": (int(base.shape[0]), pa.int64()),
            "n_users": (int(np.unique(users).size), pa.int64()),
            "dim": (int(base.shape[1]), pa.int32()),
            "space": ("cosine", pa.string()),
            "m": (params.m, pa.int32()),
            "ef_construction": (params.ef_construction, pa.int32()),
            "search": ("exact" if plan.exact else "hnsw", pa.string()),
            "ef_search": (plan.ef, pa.int32()),
            "efs_tried": (",".join(map(str, plan.efs_tried)), pa.string()),
            "query_k": (fetch, pa.int32()),
            "candidates_k": (k, pa.int32()),
            "seed": (params.seed, pa.int64()),
            "recall_queries": (int(sample.shape[0]), pa.int32()),
            "target_recall": (params.target_recall, pa.float64()),
            "hnsw_recall_at_k": (plan.hnsw_recall, pa.float64()),
            "recall_at_k": (1.0 if plan.exact else plan.hnsw_recall, pa.float64()),
            "build_seconds": (built.build_seconds, pa.float64()),
        }
    )


def hnsw_candidates(index_description: pa.Table, target_items: pa.Table) -> pa.Table:
    """For every target clip with an embedding, the `candidates_k` users whose vectors are nearest, by the
    search `build_user_hnsw_index` planned (HNSW at its ef, or exact); score = best cosine of the user."""
    row = index_description.to_pylist()[0]
    labels = load_npz(row["labels_path"], row["labels_sha256"])
    query_ids, queries = _target_queries(target_items)
    progress = Progress(f"{row['search']} user search", "target clips", query_ids.size)
    with budgeted_threads() as threads:
        hits = sims = None
        if row["search"] == "hnsw":
            index = hnsw_index.load_index(
                row["index_path"], row["index_sha256"], row["dim"], row["n_vectors"]
            )
            try:
                hits, sims = hnsw_index.query(index, queries, row["query_k"], row["ef_search"], threads)
            except hnsw_index.IncompleteResults as error:
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
    return pa.table(
        {
            "item_id": pa.array(found.item_id, pa.uint32()),
            "user_id": pa.array(found.user_id, pa.uint32()),
            "source": pa.array(["hnsw"] * found.item_id.size, pa.string()),
            "score": pa.array(found.score, pa.float64()),
            "source_rank": pa.array(found.source_rank, pa.int32()),
        }
    )
