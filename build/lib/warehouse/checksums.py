"""Row counts and order-independent content checksums of warehouse tables, on either engine.

One definition: a table's checksum is the sum over its rows of a hash of the whole row, so it does not depend
on row order and (unlike XOR) a duplicated row changes it. Two builds of the same lake must give identical
gold tables, and a restored cluster must match its source (`warehouse ops dr verify`).

Each engine hashes a row its own way, so checksums compare tables of one engine:
- DuckDB: `hash(row)` of the whole row, summed as hugeint.
- Redshift: the first 15 hex digits of md5 over the row's columns as text (NULL written as <NULL>, columns
  separated by |), turned into a bigint with strtol and summed as decimal(38, 0) so it cannot overflow.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import duckdb

from warehouse.config import ConfigError
from warehouse.sql_quoting import InvalidIdentifierError, quote_ident, quote_literal

if TYPE_CHECKING:
    from warehouse.aws.data_api import DataApiRunner

NULL_MARKER = "'<NULL>'"


@dataclass(frozen=True)
class TableChecksum:
    table: str
    rows: int
    checksum: str


class Engine(Protocol):
    """Where the tables are: lists a schema's tables and checksums one of them."""

    def tables(self, schema: str) -> list[str]: ...

    def checksum(self, schema: str, table: str) -> tuple[int, str]: ...


def table_checksums(source: str | os.PathLike[str] | DataApiRunner, schema: str = "gold") -> dict[str, TableChecksum]:
    """Every base table of `schema`, by name: its row count and checksum. `source` is a DuckDB file (a path)
    or a Redshift Data API runner."""
    if isinstance(source, (str, os.PathLike)):
        with DuckDBFile(Path(source)) as engine:
            return checksums_of(engine, schema)
    return checksums_of(RedshiftDataApi(source), schema)


def checksums_of(engine: Engine, schema: str) -> dict[str, TableChecksum]:
    result: dict[str, TableChecksum] = {}
    for table in engine.tables(schema):
        rows, checksum = engine.checksum(schema, table)
        result[table] = TableChecksum(table=table, rows=rows, checksum=checksum)
    return result


class DuckDBFile:
    """A DuckDB warehouse file, opened read-only for as long as the `with` block lasts."""

    def __init__(self, database: Path) -> None:
        if not database.exists():
            raise ConfigError(f"no warehouse at {database}: run `warehouse build` first")
        self.database = database
        self._con: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> DuckDBFile:
        self._con = duckdb.connect(str(self.database), read_only=True)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise RuntimeError("DuckDBFile must be used inside a `with` block")
        return self._con

    def tables(self, schema: str) -> list[str]:
        rows = self.con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [schema],
        ).fetchall()
        return [str(row[0]) for row in rows]

    def checksum(self, schema: str, table: str) -> tuple[int, str]:
        try:
            relation = f"{_part(schema)}.{_part(table)}"
        except InvalidIdentifierError as exc:
            raise ConfigError(str(exc)) from None
        found = self.con.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar from {relation} as t"
        ).fetchone()
        assert found is not None
        return int(found[0]), str(found[1])


def _part(name: str) -> str:
    """One quoted identifier, dots and all (DuckDB allows a table named `a.b`)."""
    if '"' in name or "\x00" in name or not name:
        raise InvalidIdentifierError(f"invalid SQL identifier {name!r}")
    return f'"{name}"'


class RedshiftDataApi:
    """A Redshift cluster or workgroup, through the Data API."""

    def __init__(self, runner: DataApiRunner) -> None:
        self.runner = runner

    def tables(self, schema: str) -> list[str]:
        return [str(row[0]) for row in self.runner.execute(tables_sql(schema)).rows]

    def checksum(self, schema: str, table: str) -> tuple[int, str]:
        columns = [str(row[0]) for row in self.runner.execute(columns_sql(schema, table)).rows]
        row = self.runner.execute(checksum_sql(schema, table, columns)).dicts()[0]
        return int(row["row_count"]), str(row["checksum"])


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
