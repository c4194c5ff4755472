"""Gold and quarantine, PostgreSQL (the Redshift SQL) against DuckDB (the local build), row for row.

Rows are compared as multisets (order-independent) over the columns both sides have; a column only one
side has is itself a difference. Values are normalised before comparing:

- decimals and integers as exact decimals (Decimal('1.50') == Decimal('1.5'); never through float);
- floats (a float column on either side) rounded to 12 significant digits, a tight relative tolerance;
- dates and timestamps as Python date/datetime (a timestamp never equals a date);
- `_source_file`: DuckDB's local lake path is mapped to the S3 path Spectrum's "$path" gives, and a
  micro-batch file of a stream to the `kinesis://<stream>` Redshift records (stream_records.sql);
- excluded: `_loaded_at`, the run's own start time on each engine.

Each table gets a summary (rows each side, rows only on one side) and, when a column identifies rows
(the first column that is unique on both sides), a few rows matched by it with the columns that differ.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

EXCLUDED_COLUMNS = frozenset({"_loaded_at"})
EXAMPLES = 5
_FLOAT_TYPES_PG = frozenset({"float4", "float8"})
_FLOAT_TYPES_DUCKDB = frozenset({"FLOAT", "DOUBLE", "REAL"})


@dataclass(frozen=True)
class Table:
    """One side of a comparison: column names, a per-column float flag, rows."""

    columns: tuple[str, ...]
    floats: frozenset[str]
    rows: list[tuple[Any, ...]]


@dataclass
class TableDiff:
    name: str
    pg_rows: int = 0
    duckdb_rows: int = 0
    only_pg: int = 0
    only_duckdb: int = 0
    missing_in_pg: list[str] = field(default_factory=list)
    missing_in_duckdb: list[str] = field(default_factory=list)
    examples_pg: list[dict[str, Any]] = field(default_factory=list)
    examples_duckdb: list[dict[str, Any]] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    reasons: dict[str, tuple[int, int]] = field(default_factory=dict)
    error: str | None = None

    @property
    def equal(self) -> bool:
        return (
            self.error is None
            and not self.only_pg
            and not self.only_duckdb
            and not self.missing_in_pg
            and not self.missing_in_duckdb
        )


@dataclass(frozen=True)
class Normaliser:
    """Maps DuckDB-side lineage values to what the Redshift SQL produces."""

    local_lake_root: str = ""
    s3_lake_root: str = ""

    def source_file(self, value: Any) -> Any:
        if not isinstance(value, str) or not self.local_lake_root:
            return value
        root = self.local_lake_root.rstrip("/") + "/"
        if not value.startswith(root):
            return value
        relative = value[len(root) :]
        stream = re.match(r"^stream/([^/]+)/", relative)
        if stream:
            return f"kinesis://{stream.group(1)}"
        return f"{self.s3_lake_root.rstrip('/')}/{relative}"


def _value(value: Any, is_float: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if is_float and isinstance(value, (float, int, Decimal)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return repr(number)
        return float(f"{number:.12g}")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)  # equal decimals hash equal whatever their scale: 1.50 == 1.5
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _normalised(table: Table, columns: Sequence[str], floats: frozenset[str], normaliser: Normaliser) -> Counter:
    index = {name: i for i, name in enumerate(table.columns)}
    positions = [index[name] for name in columns]
    counter: Counter = Counter()
    for row in table.rows:
        values = []
        for name, position in zip(columns, positions, strict=True):
            value = row[position]
            if name == "_source_file":
                value = normaliser.source_file(value)
            values.append(_value(value, name in floats))
        counter[tuple(values)] += 1
    return counter


def _display(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return value


def _show(value: Any) -> str:
    """A value in a difference line: numbers and times bare, text quoted, NULL as NULL."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return repr(value)
    return str(_display(value))


def _last_place_hint(a: Any, b: Any) -> str:
    """' (1 in the last place)' when two decimals differ by one unit of their last digit: a rounding tie
    decided differently, the usual sign of arithmetic done in DOUBLE on one side."""
    if not (isinstance(a, Decimal) and isinstance(b, Decimal)) or not (a.is_finite() and b.is_finite()):
        return ""
    exponent = min(int(a.as_tuple().exponent), int(b.as_tuple().exponent))
    return " (1 in the last place)" if abs(a - b) == Decimal(1).scaleb(exponent) else ""


def _unique_key(counter: Counter, position: int) -> bool:
    keys = Counter()
    for row, count in counter.items():
        keys[row[position]] += count
    return all(count == 1 for count in keys.values())


def compare_tables(name: str, pg: Table, duckdb: Table, normaliser: Normaliser | None = None) -> TableDiff:
    normaliser = normaliser or Normaliser()
    diff = TableDiff(name, pg_rows=len(pg.rows), duckdb_rows=len(duckdb.rows))
    pg_names, duck_names = set(pg.columns), set(duckdb.columns)
    diff.missing_in_duckdb = [c for c in pg.columns if c not in duck_names and c not in EXCLUDED_COLUMNS]
    diff.missing_in_pg = [c for c in duckdb.columns if c not in pg_names and c not in EXCLUDED_COLUMNS]
    columns = [c for c in pg.columns if c in duck_names and c not in EXCLUDED_COLUMNS]
    floats = pg.floats | duckdb.floats
    left = _normalised(pg, columns, floats, normaliser)
    right = _normalised(duckdb, columns, floats, normaliser)
    only_left, only_right = left - right, right - left
    diff.only_pg, diff.only_duckdb = sum(only_left.values()), sum(only_right.values())
    if "rejection_reason" in columns:
        position = columns.index("rejection_reason")
        reasons: dict[str, list[int]] = {}
        for side, counter in ((0, left), (1, right)):
            for row, count in counter.items():
                reasons.setdefault(str(row[position]), [0, 0])[side] += count
        diff.reasons = {reason: (pair[0], pair[1]) for reason, pair in sorted(reasons.items())}
    if not (only_left or only_right):
        return diff
    key = next((i for i in range(len(columns)) if _unique_key(left, i) and _unique_key(right, i)), None)
    if key is not None:
        by_key_left = {row[key]: row for row in only_left}
        by_key_right = {row[key]: row for row in only_right}
        for value in sorted(set(by_key_left) & set(by_key_right), key=str)[:EXAMPLES]:
            a, b = by_key_left[value], by_key_right[value]
            changes = [
                f"{columns[i]}: pg={_show(a[i])} duckdb={_show(b[i])}{_last_place_hint(a[i], b[i])}"
                for i in range(len(columns))
                if a[i] != b[i]
            ]
            shown = _show(value)
            diff.matched.append(f"{columns[key]}={shown[:60]}{'...' if len(shown) > 60 else ''}: " + "; ".join(changes))
    for counter, target in ((only_left, diff.examples_pg), (only_right, diff.examples_duckdb)):
        for row in sorted(counter, key=lambda r: tuple(str(v) for v in r))[:EXAMPLES]:
            target.append({column: _display(value) for column, value in zip(columns, row, strict=True)})
    return diff


def read_pg(connection: Any, schema: str, name: str) -> Table:
    with connection.cursor() as cursor:
        cursor.execute(f'select * from "{schema}"."{name}"')
        rows = cursor.fetchall()
        description = cursor.description
        oids = [column.type_code for column in description]
        cursor.execute("select oid, typname from pg_type where oid = any(%s)", (oids,))
        typnames = dict(cursor.fetchall())
    connection.rollback()
    floats = frozenset(c.name for c in description if typnames.get(c.type_code) in _FLOAT_TYPES_PG)
    return Table(tuple(c.name for c in description), floats, rows)


def read_duckdb(connection: Any, schema: str, name: str) -> Table:
    result = connection.execute(f'select * from "{schema}"."{name}"')
    description = result.description
    rows = result.fetchall()
    floats = frozenset(str(c[0]) for c in description if str(c[1]).upper() in _FLOAT_TYPES_DUCKDB)
    return Table(tuple(str(c[0]) for c in description), floats, rows)


@dataclass(frozen=True)
class Target:
    """A model to compare: its schema and relation name on both engines."""

    unique_id: str
    schema: str
    identifier: str
    kind: str  # gold | quarantine


def comparison_targets(manifest: Mapping[str, Any], built: Iterable[str] | None = None) -> list[Target]:
    """Every enabled gold model and every bronze quarantine model of the manifest."""
    targets = []
    for unique_id, node in sorted((manifest.get("nodes") or {}).items()):
        config = node.get("config") or {}
        if node.get("resource_type") != "model" or not config.get("enabled", True):
            continue
        if config.get("materialized") == "ephemeral":
            continue
        identifier = str(node.get("alias") or node.get("name"))
        if node.get("schema") == "gold":
            targets.append(Target(unique_id, "gold", identifier, "gold"))
        elif str(node.get("name", "")).endswith("_quarantine"):
            targets.append(Target(unique_id, str(node.get("schema")), identifier, "quarantine"))
    return targets


def compare_all(
    pg_connection: Any,
    duckdb_connection: Any,
    targets: Sequence[Target],
    normaliser: Normaliser,
    unavailable: Mapping[str, str],
    progress: Callable[[int, int, str], None] = lambda *_: None,
) -> list[TableDiff]:
    diffs = []
    for index, target in enumerate(targets):
        progress(index, len(targets), target.identifier)
        name = f"{target.schema}.{target.identifier}"
        if target.unique_id in unavailable:
            diffs.append(TableDiff(name, error=f"not built on PostgreSQL ({unavailable[target.unique_id]})"))
            continue
        try:
            pg = read_pg(pg_connection, target.schema, target.identifier)
        except Exception as exc:
            pg_connection.rollback()
            diffs.append(TableDiff(name, error=f"PostgreSQL: {str(exc).strip().splitlines()[0]}"))
            continue
        try:
            duck = read_duckdb(duckdb_connection, target.schema, target.identifier)
        except Exception as exc:
            diffs.append(TableDiff(name, error=f"DuckDB: {str(exc).strip().splitlines()[0]}"))
            continue
        diffs.append(compare_tables(name, pg, duck, normaliser))
    progress(len(targets), len(targets), "")
    return diffs


__all__ = [
    "EXCLUDED_COLUMNS",
    "Normaliser",
    "Table",
    "TableDiff",
    "Target",
    "compare_all",
    "compare_tables",
    "comparison_targets",
    "read_duckdb",
    "read_pg",
]
