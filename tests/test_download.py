"""The hub downloader requests the right files, skips present ones and fails in one line (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
import requests
from huggingface_hub.errors import LocalEntryNotFoundError

import vklsvd.io.download as download
from vklsvd.errors import DownloadError, InvalidArgumentError, VklsvdError

METADATA = [
    "metadata/users_metadata.parquet",
    "metadata/items_metadata.parquet",
    "metadata/item_embeddings.npz",
    "metadata/submission.parquet",
]


class FakeHub:
    """Stands in for ``hf_hub_download``: records calls and writes the file like the hub would."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def __call__(self, **kwargs: Any) -> str:
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        path = Path(kwargs["local_dir"]) / kwargs["filename"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"data")
        return str(path)

    @property
    def filenames(self) -> list[str]:
        return [call["filename"] for call in self.calls]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    fake = FakeHub()
    monkeypatch.setattr(download, "hf_hub_download", fake)
    return fake


def test_subsample_filenames(tmp_path: Path, hub: FakeHub) -> None:
    paths = download.download_dataset(tmp_path, subsample="up0.001_ip0.001", weeks=[0, 1, 24, 25, 26])
    assert hub.filenames == [
        "subsamples/up0.001_ip0.001/train/week_00.parquet",
        "subsamples/up0.001_ip0.001/train/week_01.parquet",
        "subsamples/up0.001_ip0.001/train/week_24.parquet",
        "subsamples/up0.001_ip0.001/validation/week_25.parquet",
        "subsamples/up0.001_ip0.001/test/week_26.parquet",
        *METADATA,
    ]
    for call in hub.calls:
        assert call["repo_id"] == "deepvk/VK-LSVD"
        assert call["repo_type"] == "dataset"
        assert Path(call["local_dir"]) == tmp_path
    assert paths == [tmp_path / name for name in hub.filenames]
    assert all(path.is_file() for path in paths)


def test_full_data_filenames_without_metadata(tmp_path: Path, hub: FakeHub) -> None:
    download.download_dataset(tmp_path, subsample=None, weeks=[25, 3, 3], include_metadata=False)
    assert hub.filenames == [
        "interactions/train/week_03.parquet",
        "interactions/validation/week_25.parquet",
    ]


def test_existing_files_are_skipped(tmp_path: Path, hub: FakeHub) -> None:
    present = [
        tmp_path / "subsamples/ur0.01_ir0.01/train/week_00.parquet",
        tmp_path / "metadata/item_embeddings.npz",
    ]
    for path in present:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"already here")
    paths = download.download_dataset(tmp_path, subsample="ur0.01_ir0.01", weeks=[0, 1])
    assert "subsamples/ur0.01_ir0.01/train/week_00.parquet" not in hub.filenames
    assert "metadata/item_embeddings.npz" not in hub.filenames
    assert hub.filenames == [
        "subsamples/ur0.01_ir0.01/train/week_01.parquet",
        "metadata/users_metadata.parquet",
        "metadata/items_metadata.parquet",
        "metadata/submission.parquet",
    ]
    assert len(paths) == 6
    assert present[0].read_bytes() == b"already here"
    # Everything present now: a second run does not contact the hub at all.
    hub.calls.clear()
    download.download_dataset(tmp_path, subsample="ur0.01_ir0.01", weeks=[0, 1])
    assert hub.calls == []


@pytest.mark.parametrize(
    "error",
    [
        LocalEntryNotFoundError("An error happened while trying to locate the file.\nCheck your connection."),
        requests.ConnectionError("Max retries exceeded\nwith url"),
        httpx2.ConnectError("[Errno -2] Name or service not known"),
        OSError("network is unreachable"),
        TimeoutError("timed out"),
    ],
)
def test_unreachable_hub_raises_one_line_download_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    monkeypatch.setattr(download, "hf_hub_download", FakeHub(error))
    with pytest.raises(DownloadError) as info:
        download.download_dataset(tmp_path, subsample="up0.001_ip0.001", weeks=[2])
    message = str(info.value)
    assert isinstance(info.value, VklsvdError)
    assert "\n" not in message
    assert "subsamples/up0.001_ip0.001/train/week_02.parquet" in message
    assert "HF_ENDPOINT" in message
    assert "network" in message
    assert info.value.__cause__ is error


@pytest.mark.parametrize(
    ("spec", "weeks"),
    [
        ("0-24,25", list(range(26))),
        ("3", [3]),
        ("26, 0-2 ,1", [0, 1, 2, 26]),
        ("5-5", [5]),
    ],
)
def test_parse_weeks(spec: str, weeks: list[int]) -> None:
    assert download.parse_weeks(spec) == weeks


@pytest.mark.parametrize("spec", ["", "0-27", "27", "a", "3-1", "1,,2", "-1", "0-24;25"])
def test_parse_weeks_rejects(spec: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        download.parse_weeks(spec)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "name", ["up0.001_ip0.001", "ur0.01_ir0.01", "ur0.5", "ip-0.9", "ur1_ir0.25", "up.5_ir-1"]
)
def test_valid_subsample_names(name: str) -> None:
    assert download.validate_subsample(name) == name


@pytest.mark.parametrize(
    "name", ["", "up", "xx0.1", "up0.001-ip0.001", "up0_ip0.1", "ur2", "ur0.1_ur0.2", "../etc", "up0.1/x"]
)
def test_invalid_subsample_names(tmp_path: Path, hub: FakeHub, name: str) -> None:
    with pytest.raises(InvalidArgumentError):
        download.download_dataset(tmp_path, subsample=name, weeks=[0])
    assert hub.calls == []


def test_invalid_weeks_are_rejected_before_any_download(tmp_path: Path, hub: FakeHub) -> None:
    with pytest.raises(InvalidArgumentError):
        download.download_dataset(tmp_path, subsample=None, weeks=[0, 27])
    assert hub.calls == []
