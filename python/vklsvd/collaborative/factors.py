"""Implicit-feedback matrix factorisation (the `implicit` library's ALS) and fold-in ("one ALS step").

`fit_factors` factorises a sparse matrix of confidences (rows: users; columns: authors or clips) into
row and column factors with Hu, Koren and Volinsky's weighted least squares, as the `implicit` library
implements it. A fit can start from an earlier fit's factors (`warm_start`): a week's factorisation
differs from the previous week's by one week of interactions, so a few iterations from the previous
optimum reach what a cold fit needs all its iterations for. `fold_in_rows` maps any other group of
interactions (a user's recent weeks, one interest of a user's history) into the same space: one exact
least-squares solve per row against the fixed column factors, which is the step ALS itself alternates.
`fold_in_columns` does the same for columns (an author from the users of their clips) against fixed
row factors.

Determinism: the factors start from a seeded random draw and every per-row solve is independent of the
others, so the result does not depend on the thread count; BLAS is held to one thread while fitting, as
the library recommends (its own threads do the parallel work).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from scipy import sparse
from threadpoolctl import threadpool_limits

from vklsvd.errors import VklsvdError
from vklsvd.id_map import IdMap
from vklsvd.resources import thread_budget


@dataclass(frozen=True)
class AlsParams:
    """The ALS part of var `cf_params` (`CollaborativeParams.als`)."""

    factors: int
    regularization: float
    alpha: float
    iterations: int
    seed: int
    warm_iterations: int  # iterations of a fit started from an earlier fit's factors; 0 = never warm

    def __post_init__(self) -> None:
        if self.warm_iterations < 0:
            raise VklsvdError(f"cf_params.warm_iterations must be >= 0, got {self.warm_iterations}")
        if self.factors < 1:
            raise VklsvdError(f"cf_params.factors must be at least 1, got {self.factors}")
        if self.iterations < 1:
            raise VklsvdError(f"cf_params.iterations must be at least 1, got {self.iterations}")
        if self.regularization < 0:
            raise VklsvdError(f"cf_params.regularization must be >= 0, got {self.regularization}")
        if self.alpha <= 0:
            raise VklsvdError(f"cf_params.alpha must be > 0, got {self.alpha}")


@dataclass(frozen=True)
class CollaborativeParams:
    """Var `cf_params` (vklsvd.settings.stage_settings). SQL reads `watch_weight` and `positive_weight`
    (the engagement of a user with a clip or an author, int_user_*_engagement); the ALS fits read `als`;
    a user's recent vector folds in `recent_weeks` weeks; the content bridge is a ridge of strength
    `bridge_regularization`; the clip x user search is exact up to `exact_search_max_products` products
    per as-of week, HNSW beyond."""

    watch_weight: float
    positive_weight: float
    factors: int
    regularization: float
    alpha: float
    iterations: int
    warm_iterations: int
    seed: int
    recent_weeks: int
    bridge_regularization: float
    exact_search_max_products: int

    def __post_init__(self) -> None:
        if self.recent_weeks < 1:
            raise VklsvdError(f"cf_params.recent_weeks must be at least 1, got {self.recent_weeks}")

    @property
    def als(self) -> AlsParams:
        return AlsParams(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            seed=self.seed,
            warm_iterations=self.warm_iterations,
        )


@dataclass(frozen=True)
class Factors:
    """Row and column factors of one factorisation (float32; row i of `rows` is matrix row i)."""

    rows: np.ndarray
    columns: np.ndarray
    fit_seconds: float
    iterations: int  # ALS iterations run (0: not fitted, e.g. a warm start or an empty matrix)


def confidence_matrix(
    rows: np.ndarray, columns: np.ndarray, confidence: np.ndarray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """CSR matrix of confidences; repeated (row, column) entries are summed. Confidences must be positive
    (ALS reads alpha * confidence as the weight of an observed entry, against 1 for an unobserved one)."""
    if not (rows.size == columns.size == confidence.size):
        raise VklsvdError("rows, columns and confidence must have the same length")
    if confidence.size and not np.all(np.isfinite(confidence) & (confidence > 0)):
        raise VklsvdError("every confidence must be finite and > 0")
    matrix = sparse.csr_matrix(
        (confidence.astype(np.float32), (rows.astype(np.int64), columns.astype(np.int64))), shape=shape
    )
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def _model(params: AlsParams, iterations: int | None = None) -> AlternatingLeastSquares:
    return AlternatingLeastSquares(
        factors=params.factors,
        regularization=params.regularization,
        alpha=params.alpha,
        iterations=params.iterations if iterations is None else iterations,
        random_state=params.seed,
        num_threads=thread_budget(),
    )


def warm_start(
    earlier_row_ids: np.ndarray,
    earlier_column_ids: np.ndarray,
    earlier: Factors,
    row_ids: np.ndarray,
    column_ids: np.ndarray,
    params: AlsParams,
) -> Factors:
    """Starting factors for a fit of rows `row_ids` x columns `column_ids` (sorted): an id the earlier
    fit knew (its ids sorted) starts from its factor there, a new one from the seeded small random draw
    a cold fit starts from."""
    rng = np.random.default_rng(params.seed)

    def started(ids: np.ndarray, known_ids: np.ndarray, known: np.ndarray) -> np.ndarray:
        drawn = (rng.random((ids.size, params.factors), dtype=np.float32) * 0.01).astype(np.float32)
        return IdMap.of_sorted(known_ids).gather(known.astype(np.float32), ids, fill=drawn)

    rows = started(row_ids, earlier_row_ids, earlier.rows)
    return Factors(rows, started(column_ids, earlier_column_ids, earlier.columns), 0.0, 0)


def fit_factors(matrix: sparse.csr_matrix, params: AlsParams, start: Factors | None = None) -> Factors:
    """ALS factors of `matrix` (rows x columns of confidences): `params.iterations` iterations from a
    seeded random draw, or `params.warm_iterations` from the factors `start` (one row per matrix row
    and column, `warm_start`)."""
    started = time.perf_counter()
    if matrix.nnz == 0:
        empty_rows = np.zeros((matrix.shape[0], params.factors), np.float32)
        return Factors(empty_rows, np.zeros((matrix.shape[1], params.factors), np.float32), 0.0, 0)
    if start is not None and (
        start.rows.shape != (matrix.shape[0], params.factors)
        or start.columns.shape != (matrix.shape[1], params.factors)
    ):
        raise VklsvdError(
            f"starting factors {start.rows.shape} x {start.columns.shape} do not fit a {matrix.shape} "
            f"matrix with {params.factors} factors"
        )
    with threadpool_limits(limits=1, user_api="blas"):
        model = _model(params, None if start is None else params.warm_iterations)
        if start is not None:  # the library starts from factors already set (copies: it updates in place)
            model.user_factors = np.array(start.rows, dtype=np.float32)
            model.item_factors = np.array(start.columns, dtype=np.float32)
        model.fit(matrix, show_progress=False)
    return Factors(
        np.ascontiguousarray(model.user_factors, dtype=np.float32),
        np.ascontiguousarray(model.item_factors, dtype=np.float32),
        time.perf_counter() - started,
        int(model.iterations),
    )


def _solve_against(
    fixed: np.ndarray, matrix: sparse.csr_matrix, params: AlsParams, *, rows_side: bool
) -> np.ndarray:
    if matrix.shape[1] != fixed.shape[0]:
        raise VklsvdError(
            f"fold-in matrix has {matrix.shape[1]} columns, the fixed factors {fixed.shape[0]} rows"
        )
    if fixed.shape[1] != params.factors:
        raise VklsvdError(
            f"fixed factors have {fixed.shape[1]} dimensions, cf_params.factors is {params.factors}"
        )
    if matrix.shape[0] == 0:
        return np.zeros((0, fixed.shape[1]), np.float32)
    with threadpool_limits(limits=1, user_api="blas"):
        model = _model(params)
        if rows_side:
            model.item_factors = np.ascontiguousarray(fixed, dtype=np.float32)
            solve = model.recalculate_user
        else:
            model.user_factors = np.ascontiguousarray(fixed, dtype=np.float32)
            solve = model.recalculate_item
        solved = solve(np.arange(matrix.shape[0]), matrix.astype(np.float32))
    return np.asarray(solved, dtype=np.float32).reshape(matrix.shape[0], fixed.shape[1])


def fold_in_rows(column_factors: np.ndarray, matrix: sparse.csr_matrix, params: AlsParams) -> np.ndarray:
    """Row vectors for the rows of `matrix` (any group of interactions over the same columns) by one
    least-squares step against the fixed `column_factors`: x = (YᵀY + Yᵀ(C - I)Y + λI)⁻¹ Yᵀ C p with
    C = alpha * confidence on the observed columns (1 elsewhere, where p = 0), the library's convention.
    A row with no entries gets the zero vector."""
    return _solve_against(column_factors, matrix, params, rows_side=True)


def fold_in_columns(row_factors: np.ndarray, matrix: sparse.csr_matrix, params: AlsParams) -> np.ndarray:
    """Column vectors for the rows of `matrix` (columns x rows of confidences, e.g. authors x users) by one
    least-squares step against the fixed `row_factors`."""
    return _solve_against(row_factors, matrix, params, rows_side=False)
