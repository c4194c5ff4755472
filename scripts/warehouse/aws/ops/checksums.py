"""Row counts and order-independent checksums of Redshift tables, computed in SQL.

The same idea as warehouse/commands/checksums.py (DuckDB): the checksum is the sum of a hash of each whole row, so
it does not depend on row order and a duplicated row changes it. In Redshift the row hash is the first 15
hex digits of md5 over the row's columns as text (NULL written as <NULL>, columns separated by |), turned
into a bigint with strtol and summed as decimal(38, 0) so it cannot overflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warehouse.aws.command_support import quote_ident, quote_literal
from warehouse.aws.data_api import DataApiRunner

NULL_MARKER = "'<NULL>'"


@dataclass(frozen=True)
class TableChecksum:
    table: str
    rows: int
    checksum: str


def tables_sql(schema: str) -> str:
    return (
        "select table_name from svv_tables "
        f"where table_schema = {quote_literal(schema)} and table_type = 'BASE TABLE' order by table_name"
    )


def columns_sql(schema: str, table: str) -> str:
    return (
        "select column_name from svv_columns "
        f"where table_schema = {quote_literal(schema)} and table_name = {quote_literal(table)} "
        "order by ordinal_position"
    )


def checksum_sql(schema: str, table: str, columns: Sequence[str]) -> str:
    parts = [f"coalesce(cast({quote_ident(column)} as varchar(65535)), {NULL_MARKER})" for column in columns]
    row_text = " || '|' || ".join(parts) if parts else "''"
    return (
        "select count(*) as row_count, "
        f"coalesce(sum(cast(strtol(left(md5({row_text}), 15), 16) as decimal(38, 0))), 0) as checksum "
        f"from {quote_ident(f'{schema}.{table}')}"
    )


def table_checksums(runner: DataApiRunner, schema: str = "gold") -> dict[str, TableChecksum]:
    result: dict[str, TableChecksum] = {}
    for (table,) in runner.execute(tables_sql(schema)).rows:
        columns = [str(row[0]) for row in runner.execute(columns_sql(schema, str(table))).rows]
        row = runner.execute(checksum_sql(schema, str(table), columns)).dicts()[0]
        result[str(table)] = TableChecksum(str(table), int(row["row_count"]), str(row["checksum"]))
    return result
