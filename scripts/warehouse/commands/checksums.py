"""Row counts and order-independent content checksums of warehouse tables.

Two builds of the same lake must give identical gold tables; a restored warehouse must match its source.
`warehouse checksums` prints them, and the tests compare them.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from warehouse.commands import Subparsers
from warehouse.config import ConfigError, Settings


@dataclass(frozen=True)
class TableChecksum:
    table: str
    rows: int
    checksum: str


def table_checksums(database: Path, schema: str = "gold") -> dict[str, TableChecksum]:
    """Every table of `schema` in a DuckDB file: its row count and the sum of its rows' hashes.

    The checksum sums a hash of each whole row, so it does not depend on row order, and (unlike XOR)
    a duplicated row changes it.
    """
    if not database.exists():
        raise ConfigError(f"no warehouse at {database}: run `warehouse build` first")
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
                [schema],
            ).fetchall()
        ]
        result: dict[str, TableChecksum] = {}
        for table in tables:
            rows, checksum = con.execute(
                f'select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar from "{schema}"."{table}" as t'
            ).fetchone()
            result[table] = TableChecksum(table=table, rows=int(rows), checksum=str(checksum))
        return result
    finally:
        con.close()


def _run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    database = Path(args.database) if args.database else settings.duckdb_path
    checksums = table_checksums(database, args.schema)
    if not checksums:
        raise ConfigError(f"{database} has no table in schema {args.schema!r} (a typo, or a warehouse not built yet)")
    if args.json:
        print(json.dumps({name: asdict(value) for name, value in checksums.items()}, indent=2))
    else:
        width = max((len(name) for name in checksums), default=5)
        for name, value in checksums.items():
            print(f"{name:<{width}}  {value.rows:>12,}  {value.checksum}")
    return 0


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "checksums",
        help="row counts and content checksums of the warehouse's tables",
        description="Row counts and order-independent checksums of every table in a schema (DuckDB).",
    )
    parser.add_argument("--schema", default="gold", help="schema to checksum (default: gold)")
    parser.add_argument("--database", help="DuckDB file (default: the local warehouse)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_run)
