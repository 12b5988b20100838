"""Table-by-table equality of a Spark build and a DuckDB build of the same data.

Two engines give the same rows in another order and, where floats are summed in another order, values
that differ in the last bits; types differ too (Spark has no unsigned integers). Each table is compared
as a set of rows: both sides sorted by their exact columns (integers, strings, booleans) and then by
their floats rounded, after which exact columns must be equal and float columns (and float lists) equal
within a relative and an absolute tolerance.
"""

from __future__ import annotations

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

#: |a - b| <= ABSOLUTE + RELATIVE * |b|, as numpy.isclose.
RELATIVE = 1e-6
ABSOLUTE = 1e-9


@dataclass(frozen=True)
class TableComparison:
    """One table's verdict: `difference` is empty when the two builds agree."""

    table: str
    rows: int
    difference: str = ""

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


def _float_difference(left: np.ndarray, right: np.ndarray) -> int:
    close = np.isclose(left, right, rtol=RELATIVE, atol=ABSOLUTE, equal_nan=True)
    return int((~close).sum())


def compare_tables(name: str, spark_table: pa.Table, duckdb_table: pa.Table) -> TableComparison:
    """Whether two tables hold the same rows (see the module's docstring)."""
    left, right = _normalised(spark_table), _normalised(duckdb_table)
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
    for column in right.column_names:
        a, b = left[column], right[column]
        if a.type != b.type:
            problems.append(f"{column}: type {a.type} on Spark, {b.type} on DuckDB")
        elif pa.types.is_list(b.type) and _is_float(b.type):
            if pc.list_value_length(a).to_pylist() != pc.list_value_length(b).to_pylist():
                problems.append(f"{column}: list lengths differ")
            else:
                values_a = pc.list_flatten(a).to_numpy(zero_copy_only=False)
                values_b = pc.list_flatten(b).to_numpy(zero_copy_only=False)
                if (count := _float_difference(values_a, values_b)) > 0:
                    problems.append(f"{column}: {count:,} list values differ beyond tolerance")
        elif _is_float(b.type):
            values_a = a.to_numpy(zero_copy_only=False).astype(float)
            values_b = b.to_numpy(zero_copy_only=False).astype(float)
            if (count := _float_difference(values_a, values_b)) > 0:
                problems.append(f"{column}: {count:,} values differ beyond tolerance")
        elif not a.equals(b):
            mismatched = sum(x != y for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True))
            problems.append(f"{column}: {mismatched:,} values differ")
    return TableComparison(name, right.num_rows, "; ".join(problems))


def compare_builds(
    session: SparkSession, schema: str, warehouse: Path, tables: Iterable[str]
) -> list[TableComparison]:
    """Every table of `tables` as the Spark build made it (in `schema`) against the DuckDB warehouse."""
    comparisons = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for table in tables:
            spark_table = session.table(f"{schema}.{table}").toArrow()
            duckdb_table = connection.execute(f'select * from "{table}"').fetch_arrow_table()
            comparisons.append(compare_tables(table, spark_table, duckdb_table))
    return comparisons
