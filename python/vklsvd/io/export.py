"""Atomic export of the submission in the challenge's parquet format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vklsvd.errors import VklsvdError
from vklsvd.io.artifacts import write_atomically

SUBMISSION_SCHEMA = pa.schema([("item_id", pa.uint32()), ("user_id", pa.list_(pa.uint32()))])


def validate_submission(table: pa.Table, list_size: int, capacity: int) -> pa.Table:
    """Cast to the challenge schema and check every rule; raise instead of writing an invalid file."""
    try:
        table = table.select(["item_id", "user_id"]).cast(SUBMISSION_SCHEMA)
    except (KeyError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise VklsvdError(f"submission must have item_id uint32 and user_id list<uint32>: {error}") from error
    if table.num_rows == 0:
        raise VklsvdError(
            "submission has no clips: the target week has no target clips; check var target_week"
        )
    if table.column("item_id").null_count or table.column("user_id").null_count:
        raise VklsvdError("submission has null item_id or user_id lists")
    items = table.column("item_id").to_numpy()
    if np.unique(items).size != items.size:
        raise VklsvdError("submission lists some item_id more than once")
    lists = table.column("user_id").combine_chunks()
    lengths = pc.list_value_length(lists).to_numpy(zero_copy_only=False)
    if table.num_rows and (lengths != list_size).any():
        raise VklsvdError(f"every clip needs exactly {list_size} users; found lengths {sorted(set(lengths))}")
    users = lists.flatten().to_numpy(zero_copy_only=False)
    if users.size and (users == 0).any():
        raise VklsvdError("submission contains user_id 0, which is not a valid id")
    pair_key = np.repeat(items.astype(np.uint64), list_size) << np.uint64(32) | users.astype(np.uint64)
    if np.unique(pair_key).size != pair_key.size:
        raise VklsvdError("a clip lists the same user twice")
    if users.size and np.unique(users, return_counts=True)[1].max() > capacity:
        raise VklsvdError(f"a user appears more than {capacity} times in the submission")
    return table


def write_parquet_atomically(table: pa.Table, path: Path) -> str:
    """Write the table as zstd parquet beside `path`, then rename it over `path` (see
    `vklsvd.io.artifacts.write_atomically`): a crash leaves the previous file or the new one, never a
    partial file. Returns the file's sha256."""
    return write_atomically(path, lambda target: pq.write_table(table, target, compression="zstd"))


def export_submission(table: pa.Table, path: Path, *, list_size: int, capacity: int) -> pa.Table:
    """Validate and atomically write the submission; returns a one-row description of the file (its
    absolute path: a relative `path` is taken from the working directory of the build)."""
    path = Path(path).resolve()
    valid = validate_submission(table, list_size, capacity).sort_by("item_id")
    digest = write_parquet_atomically(valid, path)
    return pa.table(
        {
            "path": pa.array([str(path)]),
            "clips": pa.array([valid.num_rows], pa.int64()),
            "sha256": pa.array([digest]),
        }
    )
