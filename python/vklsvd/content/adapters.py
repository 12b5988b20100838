"""Arrow adapters of the content stage (models/3_content): Arrow tables in, one call into the package,
an Arrow table with explicit types out, so each dbt Python model is a few lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa

from vklsvd.constants import PROFILE_WEIGHTS
from vklsvd.content import bubbles, semantic_ids
from vklsvd.content.bubbles import BubbleParams
from vklsvd.content.interests import InterestParams, multi_interest_profiles
from vklsvd.content.profiles import FixedPointClips, ProfileAccumulator, Profiles
from vklsvd.content.semantic_ids import SemanticIdParams
from vklsvd.errors import VklsvdError
from vklsvd.io.arrow import column, one_row, vector_array, vector_type, vectors
from vklsvd.progress import Progress

GMM_FILE = "gmm_bubbles.npz"
CODEBOOKS_FILE = "semantic_id_codebooks.npz"
#: Columns of the history stream that user_content_profiles reads.
PROFILE_HISTORY_COLUMNS = ("user_id", "item_id", "week", *PROFILE_WEIGHTS.values())


def user_content_profiles(
    history_of_users: Callable[[int, int], Iterable[pa.RecordBatch]],
    users: pa.Table,
    embeddings: pa.Table,
    as_of_weeks: pa.Table,
    *,
    users_per_chunk: int,
) -> pa.Table:
    """One row per (as-of week, user, profile kind): the L2-normalised weighted mean of the embeddings of
    the clips in the user's history strictly before the as-of week.

    Kinds (PROFILE_WEIGHTS): `watched` (weighted by watch fraction), `timespent` (by seconds watched),
    `positive` (clips with a positive signal), `negative` (disliked clips). `history_of_users(first,
    last)` streams the record batches (user_id, item_id, week and the weight columns) of the users with
    ids from `first` to `last` (rows of other users are ignored), read once per chunk of
    `users_per_chunk` users for every as-of week at once: memory holds one chunk's sums (8 bytes per
    user x as-of week x kind x dimension: 0.8 GB for 100,000 users, 4 weeks, 4 kinds, 64 dimensions),
    never the history (see `vklsvd.content.profiles`).
    """
    if users_per_chunk < 1:
        raise VklsvdError(f"profile_users_per_chunk must be at least 1, got {users_per_chunk}")
    user_ids = np.unique(column(users, "user_id", np.uint32))
    item_embeddings = vectors(embeddings, "embedding")
    clips = FixedPointClips.of(column(embeddings, "item_id", np.uint32), item_embeddings)
    weeks = column(as_of_weeks, "as_of_week", np.int64).tolist()
    progress = Progress("user content profiles", "history rows")
    parts = []
    for first in range(0, user_ids.size, users_per_chunk):
        chunk = user_ids[first : first + users_per_chunk]
        accumulator = ProfileAccumulator(chunk, clips, weeks, PROFILE_WEIGHTS)
        for batch in history_of_users(int(chunk[0]), int(chunk[-1])):
            accumulator.add(batch)
            progress.advance(batch.num_rows)
        parts += [_profile_rows(part) for part in accumulator.profiles()]
    progress.finish(f"{sum(part.num_rows for part in parts):,} profiles")
    return pa.concat_tables(parts) if parts else _empty_profiles(item_embeddings.shape[1])


def _profile_rows(part: Profiles) -> pa.Table:
    return pa.table(
        {
            "as_of_week": pa.array(np.full(part.user_id.size, part.as_of_week, dtype=np.int32)),
            "user_id": pa.array(part.user_id, pa.uint32()),
            "profile_kind": pa.array(np.full(part.user_id.size, part.kind), pa.string()),
            "embedding": vector_array(part.embedding),
        }
    )


def _empty_profiles(dim: int) -> pa.Table:
    return pa.table(
        {
            "as_of_week": pa.array([], pa.int32()),
            "user_id": pa.array([], pa.uint32()),
            "profile_kind": pa.array([], pa.string()),
            "embedding": pa.array([], pa.list_(pa.float32(), max(dim, 1))),
        }
    )


def user_interest_profiles(
    history: pa.Table,
    embeddings: pa.Table,
    as_of_weeks: pa.Table,
    params: InterestParams,
) -> pa.Table:
    """Multi-interest vectors as of every as-of week: spherical k-means of each user's positive clips of
    the weeks strictly before it (see `vklsvd.content.interests`). `history` holds (user_id, item_id,
    week, is_positive); one row per (as-of week, user, interest)."""
    emb = vectors(embeddings, "embedding")
    embedding_ids = column(embeddings, "item_id", np.uint32)
    weeks = column(history, "week", np.int64)
    users = column(history, "user_id", np.uint32)
    items = column(history, "item_id", np.uint32)
    weights = column(history, "is_positive", np.float64)
    as_of = sorted(column(as_of_weeks, "as_of_week", np.int64).tolist())
    progress = Progress("multi-interest profiles", "positive events", history.num_rows * len(as_of))
    parts = []
    for week in as_of:
        before = weeks < week
        result = multi_interest_profiles(
            users[before], items[before], weights[before], embedding_ids, emb,
            k_max=params.max_clusters, min_items_per_cluster=params.min_items_per_cluster,
            n_iter=params.iterations,
        )  # fmt: skip
        progress.advance(history.num_rows)
        parts.append(
            pa.table(
                {
                    "as_of_week": pa.array(np.full(result.size, week, dtype=np.int32)),
                    "user_id": pa.array(result.user_id, pa.uint32()),
                    "interest_id": pa.array(result.interest_id, pa.int32()),
                    "weight": pa.array(result.weight, pa.float32()),
                    "n_items": pa.array(result.n_items, pa.int32()),
                    "embedding": vector_array(result.embedding)
                    if result.size
                    else pa.array([], vector_type(emb)),
                }
            )
        )
    table = pa.concat_tables(parts) if parts else _empty_interests(emb)
    progress.finish(f"{table.num_rows:,} interest vectors")
    return table


def _empty_interests(emb: np.ndarray) -> pa.Table:
    return pa.table(
        {
            "as_of_week": pa.array([], pa.int32()),
            "user_id": pa.array([], pa.uint32()),
            "interest_id": pa.array([], pa.int32()),
            "weight": pa.array([], pa.float32()),
            "n_items": pa.array([], pa.int32()),
            "embedding": pa.array([], vector_type(emb)),
        }
    )


def in_item_order(items: pa.Table) -> pa.Table:
    """Rows sorted by item_id: a parallel DuckDB scan returns rows in no fixed order, and a seeded
    subsample of row positions must pick the same clips on every build."""
    return items.sort_by([("item_id", "ascending")])


def fit_gmm_bubbles(fit_items: pa.Table, params: BubbleParams, *, seed: int, artifacts_dir: Path) -> pa.Table:
    """Fit the interest-bubble mixture on `fit_items` (clips known before the target week), save it to
    `artifacts_dir`, and describe it in one row (parameters, fit quality, path, sha256)."""
    progress = Progress("interest-bubble mixture fit", "clips", fit_items.num_rows)
    fit = bubbles.fit_mixture(
        vectors(in_item_order(fit_items), "embedding"),
        n_components=params.components,
        covariance_type=params.covariance,
        seed=seed,
        max_fit_items=params.max_fit_items,
        max_iter=params.max_iterations,
    )
    progress.advance(fit_items.num_rows)
    progress.finish(f"{fit.n_fit_items:,} fitted, {int(fit.model.n_iter_)} EM iterations")
    path = Path(artifacts_dir) / GMM_FILE
    digest = bubbles.save_mixture(fit.model, path)
    return one_row(
        {
            "artefact_path": (str(path), pa.string()),
            "sha256": (digest, pa.string()),
            "n_components": (int(fit.model.n_components), pa.int32()),
            "requested_components": (params.components, pa.int32()),
            "covariance_type": (params.covariance, pa.string()),
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


def clip_bubbles(description: pa.Table, embeddings: pa.Table, params: BubbleParams) -> pa.Table:
    """Each clip's `params.item_top_components` most probable mixture components (item_id, component,
    probability, rank)."""
    model = bubbles.load_mixture(
        description.column("artefact_path")[0].as_py(), description.column("sha256")[0].as_py()
    )
    item_ids = column(embeddings, "item_id", np.uint32)
    rows, comp, prob, rank = bubbles.top_components(
        model, vectors(embeddings, "embedding"), params.item_top_components
    )
    return pa.table(
        {
            "item_id": pa.array(item_ids[rows], pa.uint32()),
            "component": pa.array(comp, pa.int32()),
            "probability": pa.array(prob, pa.float32()),
            "component_rank": pa.array(rank, pa.int32()),
        }
    )


def fit_semantic_codebooks(
    fit_items: pa.Table, params: SemanticIdParams, *, seed: int, artifacts_dir: Path
) -> pa.Table:
    """Fit residual-quantisation codebooks on `fit_items`, save them, one row per level describing them
    (size, codes used, share of the squared norm left after the level, path, sha256)."""
    emb = vectors(in_item_order(fit_items), "embedding")
    progress = Progress("semantic-ID codebooks fit", "clips", fit_items.num_rows)
    books = semantic_ids.fit_codebooks(emb, params.sizes, seed=seed, max_fit_items=params.max_fit_items)
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
            "requested_size": pa.array(params.sizes, pa.int32()),
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


def clip_semantic_ids(codebooks_description: pa.Table, embeddings: pa.Table) -> pa.Table:
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
