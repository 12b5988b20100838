"""Conversions between Arrow tables (what dbt Python models exchange) and numpy arrays."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from vklsvd.errors import VklsvdError


def to_arrow(relation: Any) -> pa.Table:
    """Arrow table from a DuckDB relation (dbt.ref in a Python model) or an Arrow table."""
    if isinstance(relation, pa.Table):
        return relation
    return relation.to_arrow_table()


def stream_batches(relation: Any, rows_per_batch: int) -> Iterator[pa.RecordBatch]:
    """Record batches of at most `rows_per_batch` rows from a DuckDB relation (or an Arrow table), read
    lazily: the query starts at the first batch, so a step reads its small inputs first (one connection
    holds one open result) and the large one as a stream that never sits in memory whole."""
    if rows_per_batch < 1:
        raise VklsvdError(f"stream_batch_rows must be at least 1, got {rows_per_batch}")
    if isinstance(relation, pa.Table):
        yield from relation.to_batches(max_chunksize=rows_per_batch)
        return
    yield from relation.to_arrow_reader(rows_per_batch)


def arrow_schema(relation: Any) -> pa.Schema:
    """The Arrow schema of a DuckDB relation (or an Arrow table) without reading its rows."""
    if isinstance(relation, pa.Table):
        return relation.schema
    return relation.limit(0).to_arrow_table().schema


def row_count(relation: Any) -> int:
    """Rows of a DuckDB relation (or an Arrow table)."""
    if isinstance(relation, pa.Table):
        return relation.num_rows
    return int(relation.aggregate("count(*)").fetchone()[0])


def column(table: pa.Table | pa.RecordBatch, name: str, dtype: type | np.dtype) -> np.ndarray:
    """A column as a numpy array of `dtype` that owns its memory; nulls are an error because they would be
    silently coerced. (A zero-copy view would keep its whole record batch alive: DuckDB exports every
    column of a batch in one allocation, so keeping the keys of a stream kept all its features.)"""
    if name not in table.schema.names:
        raise VklsvdError(f"expected column '{name}' in input with columns {table.schema.names}")
    values = table.column(name)
    if values.null_count:
        raise VklsvdError(f"column '{name}' has {values.null_count} null value(s); expected none")
    return np.array(values.to_numpy(zero_copy_only=False), dtype=dtype, copy=True)


def vectors(table: pa.Table, name: str) -> np.ndarray:
    """A list / fixed-size-list column of equal-length float vectors as a 2-d float32 array."""
    chunked = table.column(name).combine_chunks()
    if len(chunked) == 0:
        return np.empty((0, 0), dtype=np.float32)
    if chunked.null_count:
        raise VklsvdError(f"column '{name}' has {chunked.null_count} null vector(s); expected none")
    flat = np.asarray(chunked.flatten().to_numpy(zero_copy_only=False), dtype=np.float32)
    if flat.size % len(chunked):
        raise VklsvdError(f"column '{name}' holds vectors of different lengths")
    return flat.reshape(len(chunked), -1)


def vector_array(matrix: np.ndarray) -> pa.FixedSizeListArray:
    """2-d float array as an Arrow fixed-size list column (DuckDB reads it as FLOAT[n])."""
    flat = pa.array(np.ascontiguousarray(matrix, dtype=np.float32).reshape(-1))
    return pa.FixedSizeListArray.from_arrays(flat, matrix.shape[1] if matrix.ndim == 2 else 0)


def vector_type(matrix: np.ndarray) -> pa.DataType:
    """The fixed-size list type of the rows of `matrix` (length 1 for an empty matrix, as Arrow needs)."""
    return pa.list_(pa.float32(), max(matrix.shape[1], 1) if matrix.ndim == 2 else 1)


def one_row(values: dict[str, tuple[object, pa.DataType]]) -> pa.Table:
    """A one-row table (a fitted model's description) from column name -> (value, Arrow type)."""
    return pa.table({name: pa.array([value], kind) for name, (value, kind) in values.items()})
