from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vklsvd.errors import VklsvdError
from vklsvd.io.embeddings import embeddings_to_arrow, load_item_embeddings
from vklsvd.io.export import export_submission, write_parquet_atomically


def _submission(n_items: int, list_size: int) -> pa.Table:
    users = [list(range(1 + i, 1 + i + list_size)) for i in range(n_items)]
    return pa.table({"item_id": pa.array(range(10, 10 + n_items), pa.int64()), "user_id": users})


def test_export_writes_challenge_schema(tmp_path: Path) -> None:
    path = tmp_path / "out" / "submission.parquet"
    description = export_submission(_submission(3, 4), path, list_size=4, capacity=3)
    table = pq.read_table(path)
    assert table.schema.field("item_id").type == pa.uint32()
    assert table.schema.field("user_id").type == pa.list_(pa.uint32())
    assert description.column("clips").to_pylist() == [3]
    assert len(description.column("sha256")[0].as_py()) == 64


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_submission(2, 3), "exactly 4 users"),
        (pa.table({"item_id": [1], "user_id": [[1, 1, 2, 3]]}), "same user twice"),
        (pa.table({"item_id": [1, 2], "user_id": [[1, 2, 3, 4], [1, 5, 6, 7]]}), "more than 1 times"),
        (pa.table({"item_id": [1], "user_id": [[0, 2, 3, 4]]}), "user_id 0"),
        (pa.table({"item": [1]}), "item_id uint32"),
    ],
)
def test_invalid_submission_is_refused_and_old_file_kept(
    tmp_path: Path, table: pa.Table, message: str
) -> None:
    path = tmp_path / "submission.parquet"
    export_submission(_submission(1, 4), path, list_size=4, capacity=1)
    before = path.read_bytes()
    with pytest.raises(VklsvdError, match=message):
        export_submission(table, path, list_size=4, capacity=1)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["submission.parquet"]


def test_atomic_write_leaves_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "file.parquet"
    write_parquet_atomically(pa.table({"a": [1]}), path)
    before = path.read_bytes()

    def crash_mid_write(table: pa.Table, where: Path, **kwargs) -> None:
        Path(where).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", crash_mid_write)
    with pytest.raises(OSError, match="disk full"):
        write_parquet_atomically(pa.table({"a": [2]}), path)
    assert path.read_bytes() == before
    assert len(list(tmp_path.iterdir())) == 1


def _write_npz(path: Path, item_id: np.ndarray, embedding: np.ndarray) -> Path:
    np.savez(path, item_id=item_id, embedding=embedding)
    return path


def test_load_embeddings_accepts_float16_and_float32(tmp_path: Path) -> None:
    ids = np.array([3, 1], dtype=np.uint32)
    for dtype in (np.float16, np.float32):
        path = _write_npz(tmp_path / f"e_{np.dtype(dtype).name}.npz", ids, np.ones((2, 64), dtype=dtype))
        item_id, vectors = load_item_embeddings(path)
        assert item_id.dtype == np.uint32 and vectors.dtype == np.float32 and vectors.shape == (2, 64)
    table = embeddings_to_arrow(item_id, vectors)
    assert table.schema.field("embedding").type == pa.list_(pa.float32(), 64)


@pytest.mark.parametrize(
    ("item_id", "embedding", "message"),
    [
        (np.array([1, 2], dtype=np.uint32), np.ones((2, 32), dtype=np.float16), "expected 64"),
        (np.array([1, 2], dtype=np.uint32), np.ones((3, 64), dtype=np.float16), "expected \\(N,\\)"),
        (np.array([1, 2], dtype=np.uint32), np.full((2, 64), np.nan, dtype=np.float16), "NaN or inf"),
        (np.array([1, 1], dtype=np.uint32), np.ones((2, 64), dtype=np.float16), "duplicates"),
        (np.array([0, 1], dtype=np.uint32), np.ones((2, 64), dtype=np.float16), "0 is not an id"),
        (np.array([1, 2], dtype=np.uint32), np.ones((2, 64), dtype=np.int8), "expected float16"),
    ],
)
def test_bad_embeddings_are_refused(
    tmp_path: Path, item_id: np.ndarray, embedding: np.ndarray, message: str
) -> None:
    path = _write_npz(tmp_path / "bad.npz", item_id, embedding)
    with pytest.raises(VklsvdError, match=message):
        load_item_embeddings(path)


def test_missing_embeddings_file(tmp_path: Path) -> None:
    with pytest.raises(VklsvdError, match="not found"):
        load_item_embeddings(tmp_path / "absent.npz")
