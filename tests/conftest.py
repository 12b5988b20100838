"""Shared fixtures: a tiny generated dataset and a helper that runs `dbt build` on it in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness import Build, failure_text
from vklsvd.synthetic import generate_dataset
from vklsvd.synthetic.shapes import shape_config

#: Fixtures that build a warehouse with dbt: a test using one (directly or through another fixture) is a
#: `warehouse` test; `pytest -m "not warehouse"` runs the package tests alone.
WAREHOUSE_FIXTURES = frozenset({"validation_build", "make_build", "manifest", "original", "changed"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if WAREHOUSE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.warehouse)


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
    """The warehouse built once on the tiny dataset with default vars (target week 25) and the research
    reports switched on (`make evaluate`'s var feature_ablation), which the default build leaves out."""
    build = Build(tmp_path_factory.mktemp("validation_build"))
    result = build.run("build", {"data_root": str(tiny_dataset), "feature_ablation": True})
    assert result.success, failure_text(result)
    return build
