"""Reading and validating the dataset's `item_embeddings.npz` (arrays `item_id`, `embedding`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from vklsvd.errors import VklsvdError

EMBEDDING_WIDTH = 64


def load_item_embeddings(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (item_id uint32 [N], embedding float32 [N, 64]) after checking shape, dtype and values."""
    if not path.is_file():
        raise VklsvdError(
            f"{path}: item embeddings file not found; expected metadata/item_embeddings.npz in the hub "
            "layout (run `vklsvd download` or `vklsvd generate`)"
        )
    with np.load(path, allow_pickle=False) as npz:
        missing = {"item_id", "embedding"} - set(npz.files)
        if missing:
            raise VklsvdError(
                f"{path}: missing array(s) {sorted(missing)}; expected arrays 'item_id' (uint32, N) "
                "and 'embedding' (float16, N x 64)"
            )
        item_id = npz["item_id"]
        embedding = npz["embedding"]
    if item_id.ndim != 1 or embedding.ndim != 2 or embedding.shape[0] != item_id.shape[0]:
        raise VklsvdError(
            f"{path}: 'item_id' has shape {item_id.shape} and 'embedding' {embedding.shape}; expected "
            f"(N,) and (N, {EMBEDDING_WIDTH})"
        )
    if embedding.shape[1] != EMBEDDING_WIDTH:
        raise VklsvdError(f"{path}: 'embedding' has {embedding.shape[1]} columns; expected {EMBEDDING_WIDTH}")
    if not np.issubdtype(item_id.dtype, np.integer):
        raise VklsvdError(f"{path}: 'item_id' has dtype {item_id.dtype}; expected uint32")
    if item_id.size and (item_id.min() < 1 or item_id.max() > np.iinfo(np.uint32).max):
        raise VklsvdError(f"{path}: 'item_id' values must be in 1..4294967295 (uint32, 0 is not an id)")
    if embedding.dtype not in (np.float16, np.float32):
        raise VklsvdError(f"{path}: 'embedding' has dtype {embedding.dtype}; expected float16")
    vectors = embedding.astype(np.float32)
    bad_rows = ~np.isfinite(vectors).all(axis=1)
    if bad_rows.any():
        examples = item_id[bad_rows][:3].tolist()
        raise VklsvdError(
            f"{path}: {int(bad_rows.sum())} embedding row(s) contain NaN or inf (item_id {examples} ...); "
            "re-download the file or drop those items"
        )
    if np.unique(item_id).size != item_id.size:
        raise VklsvdError(f"{path}: 'item_id' has duplicates; each item needs exactly one embedding")
    return item_id.astype(np.uint32), vectors


def embeddings_to_arrow(item_id: np.ndarray, vectors: np.ndarray) -> pa.Table:
    """Arrow table (item_id uint32, embedding fixed-size list<float32>[64]) that DuckDB reads as FLOAT[64]."""
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    return pa.table(
        {
            "item_id": pa.array(item_id, type=pa.uint32()),
            "embedding": pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1]),
        }
    )
