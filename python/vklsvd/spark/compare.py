"""Table-by-table equality of a Spark build and a DuckDB build of the same data.

Two engines give the same rows in another order, and floats may differ in the last bits where they
compute a function differently; types differ too (Spark has no unsigned integers). Each table is
compared as a set of rows: both sides sorted by their exact columns (integers, strings, booleans) and
then by their floats rounded, after which exact columns must be equal and float columns (and float
lists) equal within single-precision tolerance. The report also counts the floats within the tolerance
but not bit for bit the same: the SQL computes its floats the same way on both engines, so a count
there says where a function differs.

What no two builds share is not compared: timings (`*_seconds`) and file locations (`*path`), and the
provenance tables `run_vars` and `run_config` (they hold those). Artefact hashes are compared: the same
fit on the same rows writes the same bytes (the submission file's included).

A model fitted on floats (the ranker) may split a tree on the other side of a feature value that differs
in the 7th digit, and a score rounded differently by the two engines may order a near-tie the other way:
what follows can then differ by more than rounding. Every table is compared and reported; the builds
agree when every table is equal, or else when the validation NDCG@k of every ranking in `eval_summary`
is within :data:`NDCG_TOLERANCE` (:func:`ndcg_agreement`, :func:`comparison_report`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: |a - b| <= ABSOLUTE + RELATIVE * |b|, as numpy.isclose: single precision's rounding.
RELATIVE = 1e-5
ABSOLUTE = 1e-6
#: Columns whose values belong to one build: timings and file locations.
VOLATILE_COLUMN = re.compile(r"(.*_)?(seconds|path)")
#: Tables that describe a build rather than the data (its vars, versions, paths).
PROVENANCE_TABLES = frozenset({"run_vars", "run_config"})
#: How far the two builds' validation NDCG@k may be apart where a fitted model's scores differ.
NDCG_TOLERANCE = 0.001


@dataclass(frozen=True)
class TableComparison:
    """One table's verdict: `difference` is empty when the two builds agree."""

    table: str
    rows: int
    difference: str = ""
    #: float values within the tolerance but not bit for bit the same
    inexact_floats: int = 0

    @property
    def equal(self) -> bool:
        return not self.difference


def _is_float(data_type: pa.DataType) -> bool:
    if (
        pa.types.is_list(data_type)
        or pa.types.is_large_list(data_type)
        or pa.types.is_fixed_size_list(data_type)
    ):
        return _is_float(data_type.value_type)
    return pa.types.is_floating(data_type) or pa.types.is_decimal(data_type)


def _normalised(table: pa.Table) -> pa.Table:
    """Integers as int64, floats and decimals as float64, lists as lists of those; names lower case."""
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        data_type = column.type
        if pa.types.is_fixed_size_list(data_type) or pa.types.is_large_list(data_type):
            column = column.cast(pa.list_(data_type.value_type))
            data_type = column.type
        if pa.types.is_list(data_type):
            value_type = data_type.value_type
            if pa.types.is_integer(value_type):
                column = column.cast(pa.list_(pa.int64()))
            elif _is_float(value_type):
                column = column.cast(pa.list_(pa.float64()))
        elif pa.types.is_integer(data_type):
            column = column.cast(pa.int64())
        elif _is_float(data_type):
            column = column.cast(pa.float64())
        columns[name.lower()] = column
    return pa.table(columns)


def _sorted(table: pa.Table) -> pa.Table:
    exact = [name for name in table.column_names if not _is_float(table.schema.field(name).type)]
    exact = [name for name in exact if not pa.types.is_list(table.schema.field(name).type)]
    rounded = [
        name
        for name in table.column_names
        if name not in exact and not pa.types.is_list(table.schema.field(name).type)
    ]
    keys = {name: table[name] for name in exact}
    keys.update({f"__rounded_{name}": pc.round(table[name], 6) for name in rounded})
    if not keys:
        return table
    order = pc.sort_indices(pa.table(keys), sort_keys=[(name, "ascending") for name in keys])
    return table.take(order)


def _float_difference(left: np.ndarray, right: np.ndarray) -> tuple[int, int]:
    """How many values differ beyond the tolerance, and how many within it but not bit for bit."""
    close = np.isclose(left, right, rtol=RELATIVE, atol=ABSOLUTE, equal_nan=True)
    identical = (left == right) | (np.isnan(left) & np.isnan(right))
    return int((~close).sum()), int((close & ~identical).sum())


def compare_tables(name: str, spark_table: pa.Table, duckdb_table: pa.Table) -> TableComparison:
    """Whether two tables hold the same rows (see the module's docstring)."""
    left, right = _normalised(spark_table), _normalised(duckdb_table)
    left = left.drop_columns([name for name in left.column_names if VOLATILE_COLUMN.fullmatch(name)])
    right = right.drop_columns([name for name in right.column_names if VOLATILE_COLUMN.fullmatch(name)])
    if sorted(left.column_names) != sorted(right.column_names):
        return TableComparison(
            name,
            right.num_rows,
            f"columns differ: Spark {sorted(left.column_names)}, DuckDB {sorted(right.column_names)}",
        )
    left = left.select(right.column_names)
    if left.num_rows != right.num_rows:
        return TableComparison(
            name, right.num_rows, f"{left.num_rows:,} rows on Spark, {right.num_rows:,} on DuckDB"
        )
    left, right = _sorted(left), _sorted(right)
    problems = []
    inexact_floats = 0
    for column in right.column_names:
        a, b = left[column], right[column]
        if a.type != b.type and _is_float(a.type) != _is_float(b.type):
            a, b = a.cast(pa.float64()), b.cast(pa.float64())  # a sum of integers: bigint or double
        if a.type != b.type:
            problems.append(f"{column}: type {a.type} on Spark, {b.type} on DuckDB")
        elif pa.types.is_list(b.type) and _is_float(b.type):
            if pc.list_value_length(a).to_pylist() != pc.list_value_length(b).to_pylist():
                problems.append(f"{column}: list lengths differ")
            else:
                values_a = pc.list_flatten(a).to_numpy(zero_copy_only=False).astype(float)
                values_b = pc.list_flatten(b).to_numpy(zero_copy_only=False).astype(float)
                count, inexact = _float_difference(values_a, values_b)
                inexact_floats += inexact
                if count > 0:
                    problems.append(f"{column}: {count:,} list values differ beyond tolerance")
        elif _is_float(b.type):
            values_a = a.to_numpy(zero_copy_only=False).astype(float)
            values_b = b.to_numpy(zero_copy_only=False).astype(float)
            count, inexact = _float_difference(values_a, values_b)
            inexact_floats += inexact
            if count > 0:
                problems.append(f"{column}: {count:,} values differ beyond tolerance")
        elif not a.equals(b):
            mismatched = sum(x != y for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True))
            problems.append(f"{column}: {mismatched:,} values differ")
    return TableComparison(name, right.num_rows, "; ".join(problems), inexact_floats)


def compare_builds(
    session: SparkSession, schema: str, warehouse: Path, tables: Iterable[str], scratch: Path
) -> list[TableComparison]:
    """Every table of `tables` but the provenance tables as the Spark build made it (in `schema`, read
    through parquet files under `scratch`, emptied afterwards) against the DuckDB warehouse."""
    import shutil

    import pyarrow.parquet as pq

    from vklsvd.spark.python_steps import export_parquet

    comparisons = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for table in tables:
            if table in PROVENANCE_TABLES:
                continue
            folder = export_parquet(session, f"{schema}.{table}", scratch / table)
            try:
                spark_table = pq.read_table(folder)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            duckdb_table = connection.execute(f'select * from "{table}"').to_arrow_table()
            comparisons.append(compare_tables(table, spark_table, duckdb_table))
    return comparisons


def ndcg_agreement(session: SparkSession, schema: str, warehouse: Path) -> list[tuple[str, float, float]]:
    """(ranking, Spark NDCG, DuckDB NDCG) of every ranking in either build's `eval_summary`
    (NaN where one build lacks it)."""
    spark_rows = {row["ranking"]: row["ndcg"] for row in session.table(f"{schema}.eval_summary").collect()}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        duckdb_rows = dict(connection.execute("select ranking, ndcg from eval_summary").fetchall())
    nan = float("nan")
    return [
        (
            ranking,
            nan if spark_rows.get(ranking) is None else float(spark_rows[ranking]),
            nan if duckdb_rows.get(ranking) is None else float(duckdb_rows[ranking]),
        )
        for ranking in sorted(set(spark_rows) | set(duckdb_rows))
    ]


def comparison_report(
    comparisons: Iterable[TableComparison],
    fit_dependent: Iterable[str],
    ndcg: Iterable[tuple[str, float, float]],
    against: str,
) -> tuple[list[str], bool]:
    """The lines that report a comparison, and whether the builds agree: every table equal, or (where
    floats rounded differently moved a near-tie, and all after it) every ranking's validation NDCG within
    NDCG_TOLERANCE. Without NDCG (a partial build) only equal tables agree."""
    downstream = set(fit_dependent)
    comparisons = list(comparisons)
    lines = []
    for comparison in comparisons:
        if comparison.equal and comparison.inexact_floats:
            verdict = f"equal ({comparison.inexact_floats:,} floats within tolerance, not bit for bit)"
        elif comparison.equal:
            verdict = "equal"
        elif comparison.table in downstream:
            verdict = f"differs after the fit: {comparison.difference}"
        else:
            verdict = f"DIFFERENT: {comparison.difference}"
        lines.append(f"  {comparison.table:<40} {comparison.rows:>12,} rows  {verdict}")
    different = [comparison.table for comparison in comparisons if not comparison.equal]
    equal = len(comparisons) - len(different)
    identical = sum(1 for comparison in comparisons if comparison.equal and not comparison.inexact_floats)
    lines.append(
        f"{equal} of {len(comparisons)} tables equal to the DuckDB build {against} ({identical} bit for bit)"
    )
    ndcg = list(ndcg)
    ndcg_close = bool(ndcg)
    for ranking, spark_ndcg, duckdb_ndcg in ndcg:
        close = abs(spark_ndcg - duckdb_ndcg) <= NDCG_TOLERANCE
        ndcg_close = ndcg_close and close
        lines.append(
            f"  NDCG {ranking:<28} Spark {spark_ndcg:.4f}  DuckDB {duckdb_ndcg:.4f}  "
            + ("within" if close else "BEYOND")
            + f" {NDCG_TOLERANCE}"
        )
    if not different:
        lines.append("the Spark build agrees with the DuckDB build: every table equal")
    elif ndcg_close:
        lines.append(
            f"the Spark build agrees with the DuckDB build within the NDCG tolerance {NDCG_TOLERANCE}; "
            f"{len(different)} tables differ, first {different[0]}"
        )
    else:
        lines.append("the builds DISAGREE")
    return lines, not different or ndcg_close
