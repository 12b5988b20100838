"""Shared fixtures: a tiny generated dataset and a helper that runs `dbt build` on it in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness import Build, failure_text
from vklsvd.synthetic import generate_dataset
from vklsvd.synthetic.shapes import shape_config


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny_dataset")
    generate_dataset(root, shape_config("tiny", seed=11))
    return root


@pytest.fixture
def make_build(tmp_path: Path) -> Callable[[str], Build]:
    def factory(name: str = "build") -> Build:
        workdir = tmp_path / name
        workdir.mkdir()
        return Build(workdir)

    return factory


@pytest.fixture(scope="session")
def validation_build(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The warehouse built once on the tiny dataset with default vars (target week 25)."""
    build = Build(tmp_path_factory.mktemp("validation_build"))
    result = build.run("build", {"data_root": str(tiny_dataset)})
    assert result.success, failure_text(result)
    return build
