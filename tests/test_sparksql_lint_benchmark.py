"""The Spark SQL lint lists every unparsable section with its file, line and likely cause."""

from __future__ import annotations

import pytest

from harness import load_benchmark


@pytest.fixture(scope="module")
def sparksql_lint():
    return load_benchmark("sparksql_lint")


def _violation(code: str, line: int, section: str) -> dict:
    description = f"Line {line}: Found unparsable section: '{section}'"
    return {"code": code, "start_line_no": line, "description": description}


def test_every_parse_error_is_a_row_with_its_cause(sparksql_lint) -> None:
    report = [
        {"filepath": "models/a.sql", "violations": [_violation("PRS", 3, "cast(x as uinteger) as x,\\n  y"),
                                                    _violation("LT12", 9, "")]},
        {"filepath": "models/b.sql", "violations": [_violation("PRS", 7, "group by all"),
                                                    _violation("PRS", 2, "lateral view explode(x)")]},
        {"filepath": "models/c.sql", "violations": []},
    ]  # fmt: skip
    rows = sparksql_lint.unparsable(report)
    assert rows == [
        ("models/a.sql", 3, "cast(x as uinteger) as x, y", "unsigned integer types (uinteger, utinyint)"),
        ("models/b.sql", 2, "lateral view explode(x)", "other"),
        ("models/b.sql", 7, "group by all", "`group by all`"),
    ]
    text = sparksql_lint.markdown(rows, files=len(report))
    assert "3 unparsable sections in 2 of 3 files" in text
    assert "| `group by all` | 1 |" in text
    assert "| models/b.sql | 7 | `group by all` | `group by all` |" in text
