"""The feature layer's vars: windows become columns, and settings that could leak or mislead fail early."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import Build


def compile_model(build: Build, dataset: Path, model: str, variables: dict[str, Any]) -> str:
    """Compile one model; the compiled SQL, or the dbt output when compilation fails."""
    result = build.run("compile", {"data_root": str(dataset), **variables}, "--select", model)
    if not result.success:
        return result.output
    (compiled,) = (build.workdir / "target" / "compiled").rglob(f"{model}.sql")
    return compiled.read_text()


def test_windows_var_names_the_columns(tiny_dataset: Path, make_build: Callable[[str], Build]) -> None:
    sql = compile_model(
        make_build("windows"), tiny_dataset, "user_features", {"feature_windows": {"all": None, "w2": 2}}
    )
    assert "impressions_w2" in sql and "impressions_all" in sql, sql[-3000:]
    assert "impressions_w4" not in sql and "impressions_w1" not in sql
    # the finite window reads only its own weeks before the as-of week
    assert ">= a.as_of_week - 2 then" in sql and "a.as_of_week - 4" not in sql


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        # an as-of week after the target week would read the target week's interactions
        ({"feature_as_of_weeks": [26]}, "outside"),
        # a window name becomes a column suffix
        ({"feature_windows": {"last-4": 4}}, "window name"),
    ],
)
def test_invalid_settings_fail_the_build(
    tiny_dataset: Path, make_build: Callable[[str], Build], variables: dict[str, Any], message: str
) -> None:
    output = compile_model(make_build("invalid"), tiny_dataset, "user_features", variables)
    assert message in output, output[-3000:]
