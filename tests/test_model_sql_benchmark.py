"""The one-model benchmark: runs compiled SQL against a warehouse read-only, compares the versions' rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from harness import load_benchmark


@pytest.fixture(scope="module")
def model_sql():
    return load_benchmark("model_sql")


def test_versions_are_run_measured_and_compared_row_for_row(model_sql, tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table pairs as select range as id, range * 0.5 as score from range(1000)")
    versions = {
        "old": "select id, score from vklsvd.main.pairs",
        "same": "select id, score from vklsvd.main.pairs order by score desc",
        "changed": "select id, case when id = 7 then 0.0 else score end as score from vklsvd.main.pairs",
        "retyped": "select id, cast(score as float) as score from vklsvd.main.pairs",
        "broken": "select missing_column from vklsvd.main.pairs",
    }
    arguments = ["model_sql.py", "--warehouse", str(warehouse), "--workdir", str(tmp_path)]
    for name, sql in versions.items():
        path = tmp_path / f"{name}.sql"
        path.write_text(sql)
        arguments += ["--compiled", f"{name}={path}"]
    output = tmp_path / "report" / "one_model.md"
    monkeypatch.setattr("sys.argv", [*arguments, "--output", str(output), "--note", "1,000 rows"])
    model_sql.main()
    report = output.read_text()
    assert "| old | 1,000 |" in report and "| same | 1,000 |" in report
    assert "same vs old: 0 rows only in old, 0 only in same (equal row for row)" in report
    assert "changed vs old: 1 rows only in old, 1 only in changed" in report
    assert "retyped vs old: different columns or types" in report
    assert "| broken |" in report and "missing_column" in report
    # the warehouse was only read, and the scratch folder is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["warehouse.duckdb", "report", *(f"{name}.sql" for name in versions)]
    )


def test_a_version_is_name_equals_existing_file(model_sql, tmp_path: Path) -> None:
    existing = tmp_path / "a.sql"
    existing.write_text("select 1")
    assert model_sql.parse_version(f"a={existing}") == ("a", existing)
    for bad in ["a.sql", f"={existing}", "a=" + str(tmp_path / "missing.sql")]:
        with pytest.raises(Exception, match="--compiled"):
            model_sql.parse_version(bad)
