"""The warehouse's storage footprint: the DuckDB file, every table's blocks, and the orders load table's
bytes per column next to what its values need at the least."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.bench.stats import ratio
from warehouse.bench.targets import FULL_ORDERS, MB, SEED_000_NATIVE_MB

ORDERS_LOAD_TABLE = "bronze.stg_orders__orders_typed"


@dataclass(frozen=True)
class ColumnBytes:
    """One column of a table: the bytes its persistent segments take, the compressions DuckDB chose, and
    the bits per row its values need with no encoding that exploits row order or other columns
    (log2 of its distinct values, 0 for a constant; plus one bit when it has nulls)."""

    name: str
    bytes: int
    compressions: tuple[str, ...]
    distinct_values: int
    has_nulls: bool
    rows: int

    @property
    def bits_needed_per_row(self) -> float:
        bits = math.log2(self.distinct_values) if self.distinct_values > 1 else 0.0
        return bits + (1.0 if self.has_nulls else 0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "bytes": self.bytes,
            "bytes_per_row": ratio(self.bytes, self.rows),
            "compressions": list(self.compressions),
            "distinct_values": self.distinct_values,
            "has_nulls": self.has_nulls,
            "bytes_per_row_needed": self.bits_needed_per_row / 8,
        }


@dataclass(frozen=True)
class Storage:
    database_file_bytes: int
    database_used_bytes: int
    raw_orders_bytes: int
    raw_lake_bytes: int
    orders: int
    order_lines_native: int
    table_bytes: dict[str, int]  # approximate: each used block split evenly between the tables in it
    orders_columns: tuple[ColumnBytes, ...] = ()

    @property
    def orders_load_bytes(self) -> int:
        """The native table the raw orders are loaded into: what PERF-STORAGE's 2,332 MB reference measures."""
        return self.table_bytes.get(ORDERS_LOAD_TABLE, 0)

    @property
    def bytes_per_order(self) -> float:
        return ratio(self.orders_load_bytes, self.orders)

    @property
    def native_mb_at_30m(self) -> float:
        return self.orders_load_bytes * FULL_ORDERS / max(1, self.orders) / MB

    @property
    def warehouse_mb_at_30m(self) -> float:
        return self.database_used_bytes * FULL_ORDERS / max(1, self.orders) / MB

    @property
    def needed_mb_at_30m(self) -> float:
        """The orders load table at 30M orders if every column took only the bits its values need."""
        rows = max((c.rows for c in self.orders_columns), default=0)
        bits = sum(c.bits_needed_per_row for c in self.orders_columns)
        return bits / 8 * rows * FULL_ORDERS / max(1, self.orders) / MB

    def to_json(self) -> dict[str, Any]:
        return {
            "database_file_bytes": self.database_file_bytes,
            "database_used_bytes": self.database_used_bytes,
            "raw_orders_ndjson_bytes": self.raw_orders_bytes,
            "raw_lake_bytes": self.raw_lake_bytes,
            "orders": self.orders,
            "order_lines_native": self.order_lines_native,
            "orders_load_table": ORDERS_LOAD_TABLE,
            "orders_load_bytes": self.orders_load_bytes,
            "native_bytes_per_order": self.bytes_per_order,
            "warehouse_bytes_per_order": ratio(self.database_used_bytes, self.orders),
            "raw_orders_bytes_per_order": ratio(self.raw_orders_bytes, self.orders),
            "native_vs_raw_orders": ratio(self.orders_load_bytes, self.raw_orders_bytes),
            "native_mb_at_30m_orders": self.native_mb_at_30m,
            "needed_mb_at_30m_orders": self.needed_mb_at_30m,
            "warehouse_mb_at_30m_orders": self.warehouse_mb_at_30m,
            "seed_000_native_mb_at_30m_orders": SEED_000_NATIVE_MB,
            "native_vs_seed_000": ratio(self.native_mb_at_30m, SEED_000_NATIVE_MB),
            "orders_load_columns": [column.to_json() for column in self.orders_columns],
            "table_bytes": dict(sorted(self.table_bytes.items(), key=lambda item: -item[1])),
        }


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def measure(database: Path, lake: Path, orders: int) -> Storage:
    con = duckdb.connect(str(database))
    try:
        con.execute("checkpoint")
        block_size, used_blocks = con.execute("select block_size, used_blocks from pragma_database_size()").fetchone()
        lines = int(con.execute("select count(*) from gold.fct_sales where sales_source = 'online'").fetchone()[0])
        table_bytes = _table_bytes(con, int(block_size))
        columns = column_bytes(con, ORDERS_LOAD_TABLE, int(block_size))
    finally:
        con.close()
    return Storage(
        database_file_bytes=database.stat().st_size,
        database_used_bytes=int(block_size) * int(used_blocks),
        raw_orders_bytes=_folder_bytes(lake / "raw" / "orders"),
        raw_lake_bytes=_folder_bytes(lake / "raw"),
        orders=orders,
        order_lines_native=lines,
        table_bytes=table_bytes,
        orders_columns=columns,
    )


def _table_bytes(con: duckdb.DuckDBPyConnection, block_size: int) -> dict[str, int]:
    """Bytes of each base table: the persistent blocks it uses, a block shared by n tables counting 1/n."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
    ).fetchall()
    users: dict[int, list[str]] = {}
    for schema, table in tables:
        name = f"{schema}.{table}"
        blocks = con.execute(
            "select distinct block_id from pragma_storage_info(?) where persistent and block_id >= 0", [name]
        ).fetchall()
        for (block,) in blocks:
            users.setdefault(int(block), []).append(name)
    sizes: dict[str, float] = {}
    for names in users.values():
        for name in names:
            sizes[name] = sizes.get(name, 0.0) + block_size / len(names)
    return {name: round(size) for name, size in sizes.items()}


def column_bytes(con: duckdb.DuckDBPyConnection, table: str, block_size: int) -> tuple[ColumnBytes, ...]:
    """Bytes per column of `table`, largest first. A segment spans from its offset to the next segment's
    offset in its block (the last one to the block's end), plus the whole blocks it continues into; its
    validity mask counts with its column."""
    segments = con.execute(
        "select column_name, compression, block_id, block_offset, coalesce(len(additional_block_ids), 0) "
        "from pragma_storage_info(?) where persistent and block_id >= 0",
        [table],
    ).fetchall()
    by_block: dict[int, list[tuple[int, str]]] = defaultdict(list)
    sizes: dict[str, int] = defaultdict(int)
    compressions: dict[str, set[str]] = defaultdict(set)
    for column, compression, block, offset, extra_blocks in segments:
        by_block[int(block)].append((int(offset), str(column)))
        sizes[str(column)] += int(extra_blocks) * block_size
        compressions[str(column)].add(str(compression))
    for entries in by_block.values():
        entries.sort()
        for index, (offset, column) in enumerate(entries):
            end = entries[index + 1][0] if index + 1 < len(entries) else block_size
            sizes[column] += end - offset
    quoted = ", ".join(f'approx_count_distinct("{name}"), bool_or("{name}" is null)' for name in sizes)
    row = con.execute(f"select count(*), {quoted} from {table}").fetchone() if sizes else (0,)
    rows = int(row[0])
    result = [
        ColumnBytes(
            name, sizes[name], tuple(sorted(compressions[name])), int(row[1 + 2 * i]), bool(row[2 + 2 * i]), rows
        )
        for i, name in enumerate(sizes)
    ]
    return tuple(sorted(result, key=lambda column: -column.bytes))
