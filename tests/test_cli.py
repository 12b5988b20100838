"""The command line: generate, --if-missing, and one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import vklsvd.io.download as download
from vklsvd.cli import REGISTRARS, main

SUBCOMMANDS = ("generate", "download", "report", "plot-ablation", "spark-build")
SMALL = ["--users", "80", "--authors", "12", "--items-per-week", "10", "--topics", "6"]


def test_generate_writes_the_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synthetic"
    assert main(["generate", "--out", str(out), *SMALL, "--weeks", "27", "--seed", "5"]) == 0
    assert (out / "interactions" / "validation" / "week_25.parquet").is_file()
    assert (out / "interactions" / "test" / "week_26.parquet").is_file()
    assert pq.read_table(out / "metadata" / "users_metadata.parquet").num_rows == 80
    assert "interactions" in capsys.readouterr().out


def test_generate_a_shape_at_a_scale_with_overrides(tmp_path: Path) -> None:
    out = tmp_path / "dense"
    argv = ["generate", "--out", str(out), "--shape", "dense", "--scale", "0.01", "--weeks", "2"]
    assert main([*argv, "--items-per-week", "30"]) == 0
    users = pq.read_table(out / "metadata" / "users_metadata.parquet")
    items = pq.read_table(out / "metadata" / "items_metadata.parquet")
    assert users.num_rows == 100  # 10,000 dense users x 0.01
    assert items.num_rows == 30 * (2 + 3)  # the override, over 2 weeks and the 3 backlog weeks
    week = pq.read_table(out / "interactions" / "train" / "week_01.parquet")
    assert week.num_rows / users.num_rows > 20  # dense: many impressions per user-week


def test_generate_an_author_driven_world(tmp_path: Path) -> None:
    argv = ["generate", *SMALL, "--weeks", "3", "--seed", "2"]
    assert main([*argv, "--out", str(tmp_path / "default")]) == 0
    authored = [*argv, "--out", str(tmp_path / "authors"), "--author-exposure", "0.45"]
    assert main([*authored, "--favourite-author-weight", "3"]) == 0
    weeks = [
        pq.read_table(tmp_path / name / "interactions" / "train" / "week_02.parquet")
        for name in ("default", "authors")
    ]
    assert weeks[0].num_rows > 0 and not weeks[0].equals(weeks[1])  # the flags reach the generator


def test_if_missing_skips_an_existing_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synthetic"
    assert main(["generate", "--out", str(out), *SMALL, "--weeks", "3", "--if-missing"]) == 0
    marker = out / "metadata" / "items_metadata.parquet"
    before = marker.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["generate", "--out", str(out), *SMALL, "--weeks", "3", "--seed", "9", "--if-missing"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert marker.stat().st_mtime_ns == before


def _fail(**kwargs: Any) -> str:
    # what the hub client raises when the host cannot be resolved: a multi-line transport message
    raise ConnectionError("Max retries exceeded with url\n(Caused by NameResolutionError)")


def test_download_error_prints_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(download, "hf_hub_download", _fail)
    status = main(["download", "--target", str(tmp_path), "--subsample", "up0.001_ip0.001", "--weeks", "0-1"])
    assert status == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot download subsamples/up0.001_ip0.001/train/week_00.parquet")
    assert "Traceback" not in captured.err


def test_download_full_data_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requested: list[str] = []

    def fake(**kwargs: Any) -> str:
        requested.append(kwargs["filename"])
        path = Path(kwargs["local_dir"]) / kwargs["filename"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        return str(path)

    monkeypatch.setattr(download, "hf_hub_download", fake)
    args = ["download", "--target", str(tmp_path), "--subsample", "full", "--weeks", "24-26", "--no-metadata"]
    assert main(args) == 0
    assert requested == [
        "interactions/train/week_24.parquet",
        "interactions/validation/week_25.parquet",
        "interactions/test/week_26.parquet",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["download", "--target", "x", "--subsample", "up0.001_zz0.1"],
        ["download", "--target", "x", "--subsample", "full", "--weeks", "0-30"],
        ["generate", "--out", "x", "--weeks", "28"],
        ["generate", "--out", "x", "--author-exposure", "0.9"],
    ],
)
def test_user_errors_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(download, "hf_hub_download", _fail)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert len(err.splitlines()) == 1


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "generate" in capsys.readouterr().err


def test_every_registered_subcommand_is_reachable_with_help(capsys: pytest.CaptureFixture[str]) -> None:
    """The parser offers exactly the registered subcommands, and each answers --help."""
    assert len(REGISTRARS) == len(SUBCOMMANDS)
    for name in SUBCOMMANDS:
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: vklsvd {name}" in capsys.readouterr().out


def test_python_m_vklsvd() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vklsvd", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "download" in result.stdout


def test_world_options_name_every_option_of_the_world_in_order() -> None:
    import argparse

    from vklsvd.cli import WORLD_OPTIONS, add_world_arguments, world_option_words

    parser = argparse.ArgumentParser()
    add_world_arguments(parser)
    args = parser.parse_args(["--shape", "sparse", "--author-exposure", "0.45"])
    assert tuple(name for name in vars(args)) == WORLD_OPTIONS
    assert world_option_words(args) == [
        "--shape sparse",
        "--scale 1.0",
        "--author-exposure 0.45",
        "--seed 0",
    ]


def test_a_benchmark_refuses_a_missing_warehouse_with_what_to_do(tmp_path: Path, capsys) -> None:
    import argparse

    from vklsvd.cli import existing_warehouse

    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", type=existing_warehouse, required=True)
    built = tmp_path / "vklsvd.duckdb"
    built.write_bytes(b"")
    assert parser.parse_args(["--warehouse", str(built)]).warehouse == built
    with pytest.raises(SystemExit):
        parser.parse_args(["--warehouse", str(tmp_path / "missing.duckdb")])
    error = capsys.readouterr().err
    assert f"no warehouse at {tmp_path / 'missing.duckdb'}" in error and "make demo" in error
