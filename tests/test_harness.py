"""The test harness's own machinery: the folder shared by every xdist worker of a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import SharedFolderFailed, shared_folder


def test_a_shared_folder_is_made_once_and_a_failure_is_not_repeated(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    calls: list[Path] = []

    def create(folder: Path) -> None:
        calls.append(folder)
        (folder / "made.txt").write_text("once")

    first = shared_folder(tmp_path_factory, "harness_made_once", create)
    assert shared_folder(tmp_path_factory, "harness_made_once", create) == first
    assert calls == [first] and (first / "made.txt").read_text() == "once"

    def failing(folder: Path) -> None:
        calls.append(folder)
        (folder / "build.log").write_text("what went wrong")
        raise AssertionError("the build failed: see build.log")

    with pytest.raises(AssertionError, match="the build failed"):
        shared_folder(tmp_path_factory, "harness_fails", failing)
    with pytest.raises(SharedFolderFailed, match=r"the build failed: see build\.log") as raised:
        shared_folder(tmp_path_factory, "harness_fails", failing)
    assert len(calls) == 2, "the failed making ran once"
    folder = calls[1]
    assert str(folder) in str(raised.value) and (folder / "build.log").read_text() == "what went wrong"
