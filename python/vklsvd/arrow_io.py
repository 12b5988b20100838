"""Conversions between Arrow tables (what dbt Python models exchange) and numpy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from vklsvd.errors import VklsvdError


def to_arrow(relation: Any) -> pa.Table:
    """Arrow table from a DuckDB relation (dbt.ref in a Python model) or an Arrow table."""
    if isinstance(relation, pa.Table):
        return relation
    return relation.to_arrow_table()


def column(table: pa.Table, name: str, dtype: type | np.dtype) -> np.ndarray:
    """A column as a numpy array of `dtype`; nulls are an error because they would be silently coerced."""
    if name not in table.column_names:
        raise VklsvdError(f"expected column '{name}' in input with columns {table.column_names}")
    chunked = table.column(name)
    if chunked.null_count:
        raise VklsvdError(f"column '{name}' has {chunked.null_count} null value(s); expected none")
    return np.asarray(chunked.to_numpy(), dtype=dtype)


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
