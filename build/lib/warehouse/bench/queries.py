"""The benchmark's queries on DuckDB: raw-scan floor, Spectrum vs native windows, export, executive YoY.

The raw and native window queries, the scan floors and the executive YoY queries are dbt analyses
(analyses/bench/*.sql), compiled once with COMPILE_VARS; the windows' placeholder values are replaced here for
each window.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse import log
from warehouse.aws.unload import EXPORTS, export_duckdb
from warehouse.bench.stats import Timing, ratio, timed
from warehouse.config import duckdb_memory_limit
from warehouse.lake_format.duckdb_plugin import register_readers

logger = log.get("bench")

# Values given to the analyses' vars at compile time, replaced per query.
PLACEHOLDERS = {
    "bench_from": "1901-01-01",
    "bench_to": "1901-01-02",
    "bench_dt_to": "1901-01-03",
    "bench_category": "__bench_category__",
    "bench_region": "__bench_region__",
}
WINDOW_DAYS = {"day": 1, "week": 7}
VERSION_LAG_DAYS = 14  # a late record or a new version arrives at most this many days after the order


@dataclass(frozen=True)
class Window:
    name: str  # day, week, month (+ "filtered")
    start: dt.date
    end: dt.date  # exclusive
    category: str = ""
    region: str = ""

    @property
    def label(self) -> str:
        suffix = f" · {self.category} / {self.region}" if self.category else ""
        return f"{self.name}{suffix}"

    def variables(self) -> dict[str, str]:
        return {
            "bench_from": self.start.isoformat(),
            "bench_to": self.end.isoformat(),
            "bench_dt_to": (self.end + dt.timedelta(days=VERSION_LAG_DAYS)).isoformat(),
            "bench_category": self.category,
            "bench_region": self.region,
        }


@dataclass(frozen=True)
class Profile:
    """What DuckDB's profiler says of one run: rows and bytes scanned, and the EXPLAIN ANALYZE file."""

    rows_scanned: int
    bytes_read: int
    rows_returned: int
    plan_file: str
    files_read: int = 0  # the "Total Files Read" of every file scan in the plan


def _files_read(node: dict[str, Any]) -> int:
    """The files the plan's scans opened (DuckDB's profile: "Total Files Read" of each table function scan)."""
    info = node.get("extra_info") or {}
    own = int(info.get("Total Files Read") or 0) if isinstance(info, dict) else 0
    return own + sum(_files_read(child) for child in node.get("children") or [])


@dataclass(frozen=True)
class QueryResult:
    name: str
    timing: Timing
    result: tuple[Any, ...]
    profile: Profile | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seconds": self.timing.to_json(),
            "result": [_json_value(v) for v in self.result],
            "rows_scanned": self.profile.rows_scanned if self.profile else None,
            "bytes_read": self.profile.bytes_read if self.profile else None,
            "files_read": self.profile.files_read if self.profile else None,
            "plan_file": self.profile.plan_file if self.profile else None,
        }


@dataclass(frozen=True)
class Comparison:
    """One question asked of the raw lake and of native storage."""

    window: Window
    raw: QueryResult
    native: QueryResult

    @property
    def speedup(self) -> float:
        return ratio(self.raw.timing.median, self.native.timing.median)

    def to_json(self) -> dict[str, Any]:
        return {
            "window": self.window.label,
            "start": self.window.start.isoformat(),
            "end": self.window.end.isoformat(),
            "category": self.window.category or None,
            "region": self.window.region or None,
            "raw": self.raw.to_json(),
            "native": self.native.to_json(),
            "speedup": self.speedup,
        }


def _json_value(value: Any) -> Any:
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


def render(sql: str, window: Window) -> str:
    """A compiled analysis with the placeholders replaced by the window's values."""
    values = window.variables()
    for key, placeholder in PLACEHOLDERS.items():
        sql = sql.replace(placeholder, values[key].replace("'", "''"))
    return sql


def strip_comments(sql: str) -> str:
    return re.sub(r"/\*.*?\*/", "", sql, flags=re.S).strip()


def connect(database: Path | None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse (in-memory without one) with the lake readers, and the builds'
    memory limit (`WAREHOUSE_DUCKDB_MEMORY_LIMIT`, as profiles.yml), so a query spills where DuckDB's default
    would take 80% of the machine."""
    config = {"memory_limit": duckdb_memory_limit()}
    if database is None:
        con = duckdb.connect(":memory:", config=config)
    else:
        con = duckdb.connect(str(database), read_only=True, config=config)
    # The raw side reads the lake through the sources' external_location, as the build does.
    register_readers(con)
    return con


def run_query(database: Path | None, sql: str, repeat: int) -> tuple[Timing, tuple[Any, ...]]:
    con = connect(database)
    try:
        timing, row = timed(lambda: con.execute(sql).fetchone() or (), repeat)
    finally:
        con.close()
    return timing, tuple(row)


def profile_query(database: Path | None, sql: str, plan_path: Path) -> Profile:
    """Run once under DuckDB's profiler: rows and bytes scanned; EXPLAIN ANALYZE text kept in `plan_path`."""
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    profile_json = plan_path.with_suffix(".profile.json")
    con = connect(database)
    try:
        con.execute("set enable_profiling = 'json'")
        con.execute("set profiling_mode = 'detailed'")
        con.execute(f"set profiling_output = '{profile_json}'")
        con.execute(sql).fetchall()
        con.execute("set enable_profiling = 'no_output'")
        con.execute("set profiling_mode = 'standard'")
        plan = con.execute(f"explain analyze {sql}").fetchall()
    finally:
        con.close()
    text = "\n".join(str(row[-1]) for row in plan)
    plan_path.write_text(f"-- query\n{sql}\n\n-- explain analyze\n{text}\n", encoding="utf-8")
    data = json.loads(profile_json.read_text(encoding="utf-8"))
    profile_json.unlink(missing_ok=True)
    return Profile(
        rows_scanned=int(data.get("cumulative_rows_scanned") or 0),
        bytes_read=int(data.get("total_bytes_read") or 0),
        rows_returned=int(data.get("rows_returned") or 0),
        plan_file=plan_path.name,
        files_read=_files_read(data),
    )


@dataclass(frozen=True)
class Dataset:
    name: str  # source.table
    files: str  # the pattern of its files under the lake root
    records: int
    bytes: int


@dataclass(frozen=True)
class LakeFloor:
    """Every raw dataset the build reads, read once through its own source (the bronze reader)."""

    timing: Timing
    datasets: tuple[Dataset, ...]
    profile: Profile

    @property
    def records(self) -> int:
        return sum(d.records for d in self.datasets)

    @property
    def bytes(self) -> int:
        return sum(d.bytes for d in self.datasets)

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": self.timing.to_json(),
            "records": self.records,
            "bytes": self.bytes,
            "bytes_read": self.profile.bytes_read,
            "files_read": self.profile.files_read,
            "plan_file": self.profile.plan_file,
            "datasets": [
                {"dataset": d.name, "files": d.files, "records": d.records, "bytes": d.bytes} for d in self.datasets
            ],
        }


def _files_bytes(lake: Path, pattern: str) -> int:
    return sum(path.stat().st_size for path in lake.glob(pattern) if path.is_file())


def run_lake_floor(sql: str, lake: Path, repeat: int, plan_path: Path) -> LakeFloor:
    """The whole-lake floor (analyses/bench/raw_scan_floor_lake.sql): timed, profiled, with each dataset's
    records and the bytes of its files."""
    con = connect(None)
    try:
        timing, rows = timed(lambda: con.execute(sql).fetchall(), repeat)
    finally:
        con.close()
    profile = profile_query(None, sql, plan_path)
    datasets = tuple(
        Dataset(str(name), str(files), int(records), _files_bytes(lake, str(files))) for name, files, records in rows
    )
    return LakeFloor(timing, datasets, profile)


def pick_windows(database: Path, last_business_day: dt.date) -> list[Window]:
    """One day, one week and one month well inside the data (45 days before its end), each also with the
    busiest category and region of that month."""
    day = last_business_day - dt.timedelta(days=45)
    month_start = day.replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1)
    con = connect(database)
    try:
        row = con.execute(
            "select category, region from gold.fct_sales where sales_source = 'online' and sold_at >= ? "
            "and sold_at < ? group by all order by count(*) desc, category, region limit 1",
            [month_start, month_end],
        ).fetchone()
    finally:
        con.close()
    category, region = (str(row[0]), str(row[1])) if row else ("", "")
    plain = [
        Window("day", day, day + dt.timedelta(days=1)),
        Window("week", day, day + dt.timedelta(days=7)),
        Window("month", month_start, month_end),
    ]
    return plain + [Window(w.name, w.start, w.end, category, region) for w in plain]


def compare_windows(
    database: Path, analyses: dict[str, str], windows: Sequence[Window], repeat: int, plans: Path
) -> list[Comparison]:
    results = []
    for window in windows:
        slug = window.name + ("_filtered" if window.category else "")
        raw_sql = strip_comments(render(analyses["orders_window_raw"], window))
        native_sql = strip_comments(render(analyses["orders_window_native"], window))
        raw_timing, raw_row = run_query(database, raw_sql, repeat)
        native_timing, native_row = run_query(database, native_sql, repeat)
        raw_profile = profile_query(database, raw_sql, plans / f"raw_{slug}.txt")
        native_profile = profile_query(database, native_sql, plans / f"native_{slug}.txt")
        comparison = Comparison(
            window,
            QueryResult("raw lake (Spectrum analogue)", raw_timing, raw_row, raw_profile),
            QueryResult("native gold.fct_sales", native_timing, native_row, native_profile),
        )
        logger.info(
            "%s: raw %s, native %s: %.0fx", window.label, raw_timing.text(), native_timing.text(), comparison.speedup
        )
        results.append(comparison)
    return results


@dataclass(frozen=True)
class Export:
    rows: int
    files: int
    partitions: tuple[str, ...]
    timing: Timing
    destination: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "files": self.files,
            "partitions": list(self.partitions),
            "seconds": self.timing.to_json(),
            "destination": self.destination,
        }


def run_export(database: Path, destination: Path, repeat: int) -> Export:
    """The daily revenue UNLOAD-equivalent (`warehouse unload --target local`), timed."""
    timing, report = timed(lambda: export_duckdb(database, EXPORTS["daily_revenue"], str(destination)), repeat)
    return Export(report.rows, report.files, report.partitions, timing, str(destination))


# --- INV-EXECUTIVE-YOY: the executive YoY inventory question -------------------------------------------

EXECUTIVE_GOLD = "fct_inventory_monthly_snapshot"
EXECUTIVE_HISTORY = "int_inventory_movements_history"
EXECUTIVE_TREND_MONTHS = 36
# The two sides (analyses/bench/executive_yoy_from_*.sql): from the gold snapshot, and recomputed from the
# movement history as an analyst would without it.
EXECUTIVE_ANALYSES = ("executive_yoy_from_gold", "executive_yoy_from_history")

# The vars the bench analyses are compiled with: the windows' placeholders and the executive trend's months.
COMPILE_VARS: dict[str, str] = {**PLACEHOLDERS, "bench_executive_months": str(EXECUTIVE_TREND_MONTHS)}


@dataclass(frozen=True)
class Executive:
    """The YoY inventory trend (INV-EXECUTIVE-YOY) from the gold snapshot and recomputed from the movement history."""

    available: bool
    note: str
    from_gold: QueryResult | None = None
    from_history: QueryResult | None = None
    history_rows: int = 0

    @property
    def speedup(self) -> float:
        if self.from_gold is None or self.from_history is None:
            return float("nan")
        return ratio(self.from_history.timing.median, self.from_gold.timing.median)

    def to_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "note": self.note,
            "from_gold": self.from_gold.to_json() if self.from_gold else None,
            "from_history": self.from_history.to_json() if self.from_history else None,
            "history_rows": self.history_rows,
            "speedup": self.speedup if self.available else None,
        }


def run_executive(database: Path, analyses: dict[str, str], repeat: int) -> Executive:
    """Both sides (the compiled EXECUTIVE_ANALYSES), when the inventory models exist; otherwise a "not available"
    entry saying what is missing."""
    con = connect(database)
    try:
        found = {
            (str(schema), str(name))
            for schema, name in con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        }
        history_rows = 0
        missing = [
            f"{schema}.{name}"
            for schema, name in (("gold", EXECUTIVE_GOLD), ("silver", EXECUTIVE_HISTORY), ("gold", "dim_product"))
            if (schema, name) not in found
        ]
        if not missing:
            history_rows = int(con.execute(f"select count(*) from silver.{EXECUTIVE_HISTORY}").fetchone()[0])
    finally:
        con.close()
    if missing:
        return Executive(False, f"not available: {', '.join(missing)} not built (the inventory domain)")
    try:
        gold_sql, history_sql = (strip_comments(analyses[name]) for name in EXECUTIVE_ANALYSES)
        # Each side's answer summarised in one row (its rows, and their total value), so they can be compared.
        gold_timing, gold_row = run_query(database, f"select count(*), sum(inventory_value) from ({gold_sql})", repeat)
        history_timing, history_row = run_query(
            database, f"select count(*), sum(inventory_value) from ({history_sql})", max(1, repeat)
        )
    except duckdb.Error as exc:
        return Executive(False, f"not available: the query failed ({str(exc).splitlines()[0]})")
    return Executive(
        True,
        f"{EXECUTIVE_TREND_MONTHS} months x categories, from gold.{EXECUTIVE_GOLD} and recomputed as of each "
        f"month end from silver.{EXECUTIVE_HISTORY} ({history_rows:,} movements)",
        QueryResult(f"gold.{EXECUTIVE_GOLD}", gold_timing, gold_row),
        QueryResult(f"silver.{EXECUTIVE_HISTORY}", history_timing, history_row),
        history_rows,
    )


# --- where the orders path's time goes -------------------------------------------------------------------


@dataclass(frozen=True)
class OperatorTime:
    operator: str  # the operator and the start of what it computes
    seconds: float  # DuckDB's operator timing (summed over threads)


@dataclass(frozen=True)
class ModelProfile:
    """One model's compiled full-refresh SQL run under the profiler on a sample of its lake files, next to
    one plain read of the same files: which operators take the time."""

    model: str
    files: str  # the sample's file pattern
    seconds: float
    floor_seconds: float
    records: int
    operators: tuple[OperatorTime, ...]  # largest first
    plan_file: str

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "files": self.files,
            "seconds": self.seconds,
            "floor_seconds": self.floor_seconds,
            "over_floor": ratio(self.seconds, self.floor_seconds),
            "records": self.records,
            "operators": [{"operator": o.operator, "seconds": o.seconds} for o in self.operators],
            "plan_file": self.plan_file,
        }


def _items(node: dict[str, Any], key: str) -> list[str]:
    info = node.get("extra_info") or {}
    value = info.get(key) if isinstance(info, dict) else None
    if not value:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _input_columns(node: dict[str, Any]) -> list[str]:
    """The columns a node passes up: its own projection list, or that of the nearest projections below it."""
    own = _items(node, "Projections")
    if own or node.get("operator_name") == "PROJECTION":
        return own
    return [item for child in node.get("children") or [] for item in _input_columns(child)]


def _operator_times(node: dict[str, Any]) -> list[OperatorTime]:
    """Each operator's time, labelled by what it computes: a projection by the columns it adds to its input
    (its calls, or the names of the new columns, such as `rejection_reason`), others by their function,
    aggregates or expression."""
    children = node.get("children") or []
    detail: list[str] = []
    if node.get("operator_name") == "PROJECTION":
        items = _items(node, "Projections")
        below = {item for child in children for item in _input_columns(child)}
        detail = [item for item in items if "(" in item] or [item for item in items if item not in below]
    else:
        for key in ("Function", "Aggregates", "Expression", "Join Type", "Projections"):
            detail = _items(node, key)
            if detail:
                break
    own = []
    if node.get("operator_name"):
        text = " ".join(", ".join(detail).split())[:90]
        label = f"{node['operator_name']}: {text}" if text else str(node["operator_name"])
        own.append(OperatorTime(label, float(node.get("operator_timing") or 0.0)))
    return own + [t for child in children for t in _operator_times(child)]


def profile_model_sample(
    compiled_sql: str, model: str, files_pattern: str, sample_pattern: str, plan_path: Path
) -> ModelProfile:
    """`compiled_sql` (a model reading `files_pattern` through the lake readers) run on `sample_pattern`'s
    files instead, into a temporary table, under DuckDB's profiler; and one plain read of those files."""
    if files_pattern not in compiled_sql:
        raise ValueError(f"{model}: the compiled SQL does not read {files_pattern}")
    sql = compiled_sql.replace(files_pattern, sample_pattern)
    floor_sql = f"select count(*), sum(length(raw_record)) from lake_text_lines('{sample_pattern}')"
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    profile_json = plan_path.with_suffix(".profile.json")
    con = connect(None)
    try:
        floor_timing, _ = timed(lambda: con.execute(floor_sql).fetchall(), 3)
        con.execute("set enable_profiling = 'json'")
        con.execute("set profiling_mode = 'detailed'")
        con.execute(f"set profiling_output = '{profile_json}'")
        con.execute(f"create temp table model_sample as {sql}")
        con.execute("set enable_profiling = 'no_output'")
        records = int(con.execute("select count(*) from model_sample").fetchone()[0])
    finally:
        con.close()
    data = json.loads(profile_json.read_text(encoding="utf-8"))
    profile_json.unlink(missing_ok=True)
    operators = sorted(_operator_times(data), key=lambda o: -o.seconds)
    lines = [f"{o.seconds:9.3f} s  {o.operator}" for o in operators]
    plan_path.write_text(
        f"-- {model} on {sample_pattern}: operator timings (summed over threads), largest first\n"
        + "\n".join(lines)
        + f"\n\n-- query\n{sql}\n",
        encoding="utf-8",
    )
    return ModelProfile(
        model=model,
        files=sample_pattern,
        seconds=float(data.get("latency") or 0.0),
        floor_seconds=floor_timing.median,
        records=records,
        operators=tuple(operators[:12]),
        plan_file=plan_path.name,
    )
