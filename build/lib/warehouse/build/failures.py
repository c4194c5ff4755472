"""Which lake records make a failed data test fail: file, record and key, for the build summary.

dbt says only "Got 1 result, configured to fail if != 0". After the build, for each failed (or warned) test
the wrapper runs the test's own compiled SQL again (`compiled_code` in this build's manifest), joined to a
model that carries the lake file (`_source_file`) and a record locator (`_record_number` for lake files,
`shard_id` + `sequence_number` for stream records): the tested model when it carries them, else the
nearest models upstream of it that do and that have the test's key columns (bronze models, by the same
column names: silver and gold keep bronze's names for keys). The query is one Jinja template per shape
(`sql/failing_records.sql`, `sql/failing_rows.sql`) whose only inputs are the test's SQL, quoted
identifiers and the manifest's relation names, run through dbt's adapter (`dbt show`), so the same text runs
on DuckDB and Redshift.

Why not `store_failures`: it would make every one of the ~400 tests create a table on every build (on
Redshift: CREATE TABLE AS in an audit schema per test, kept between builds), to serve the rare build that
fails; and a stored `unique` failure holds the value and its count, not the record, so it would need this
join anyway. Re-running only the failed tests costs nothing when the build passes.

A lookup that fails (a dropped relation, a connection error) is reported as such for its test and never
stops the summary: dbt's own message is still printed.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from warehouse.build.manifest import Json, find_node, tested_node

SOURCE_FILE = "_source_file"
# How a record is located inside its lake file: lake files number their records; stream files keep the
# Kinesis shard and sequence number of each.
LOCATORS: tuple[tuple[str, ...], ...] = (("_record_number",), ("shard_id", "sequence_number"))
# How dbt's built-in generic tests name the tested column in their failing rows (dbt-adapters' macros).
OUTPUT_COLUMNS: Mapping[str, str] = {
    "unique": "unique_field",
    "accepted_values": "value_field",
    "relationships": "from_field",
}
NULL_TESTS = frozenset({"not_null"})  # failing rows are the rows where the column is null
COMBINATION_TESTS: Mapping[str, str] = {"unique_combination_of_columns": "combination_of_columns"}
# Tests whose failing rows are the tested model's own rows (`select * from model where ...`): they are
# joined on the model's key (the column of its `unique` test, or its unique combination).
ROW_TESTS = frozenset({"expression_is_true"})

TRACED_TYPES = frozenset({"model", "snapshot"})  # what the search walks through, up from the tested node
MAX_RECORDS = 5  # records shown per failed test
MAX_TESTS = 10  # failed tests looked up per build (each lookup is one or a few queries)
MAX_RELATIONS = 3  # upstream models searched per test

SQL_DIR = Path(__file__).with_name("sql")

# (sql, limit) -> (column names, rows); raises on any error.
RunQuery = Callable[[str, int], tuple[Sequence[str], Sequence[Sequence[Any]]]]


@dataclass(frozen=True)
class Key:
    """A key column of the tested model and the name the test's failing rows give it (None: `is null`)."""

    column: str
    output: str | None


@dataclass(frozen=True)
class Lineage:
    """A model whose rows name their lake file and record."""

    name: str
    relation: str
    locator: tuple[str, ...]


@dataclass(frozen=True)
class LookupPlan:
    unique_id: str
    test_sql: str
    keys: tuple[Key, ...]
    lineage: tuple[Lineage, ...]


@dataclass(frozen=True)
class FailingRecord:
    """One failing record: the lake file and the record in it (empty when no lineage was found), its key."""

    key: Mapping[str, Any]
    source_file: str | None = None
    record: Mapping[str, Any] = field(default_factory=dict)
    model: str | None = None


@dataclass(frozen=True)
class FailureLookup:
    records: tuple[FailingRecord, ...] = ()
    more: bool = False  # more failing records than shown
    note: str | None = None  # why no lake file is named
    error: str | None = None  # the lookup itself failed


def test_keys(manifest: Json, test: Json) -> tuple[Key, ...]:
    """The key columns a failed test's rows can be matched on, and their names in those rows."""
    metadata = test.get("test_metadata") or {}
    name = str(metadata.get("name") or "")
    kwargs = metadata.get("kwargs") or {}
    column = test.get("column_name") or kwargs.get("column_name")
    if name in NULL_TESTS and column:
        return (Key(str(column), None),)
    if name in OUTPUT_COLUMNS and column:
        return (Key(str(column), OUTPUT_COLUMNS[name]),)
    if name in COMBINATION_TESTS:
        return tuple(Key(str(c), str(c)) for c in kwargs.get(COMBINATION_TESTS[name]) or ())
    if name in ROW_TESTS:
        model = tested_node(manifest, test)
        return tuple(Key(c, c) for c in model_key(manifest, model)) if model else ()
    return ()


def model_key(manifest: Json, model: Json) -> tuple[str, ...]:
    """The column a model's `unique` test covers, else the columns of its unique combination test."""
    unique: list[str] = []
    combinations: list[tuple[str, ...]] = []
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test" or node.get("attached_node") != model.get("unique_id"):
            continue
        metadata = node.get("test_metadata") or {}
        if metadata.get("name") == "unique" and node.get("column_name"):
            unique.append(str(node["column_name"]))
        elif metadata.get("name") in COMBINATION_TESTS:
            columns = (metadata.get("kwargs") or {}).get(COMBINATION_TESTS[str(metadata["name"])]) or ()
            combinations.append(tuple(str(c) for c in columns))
    if unique:
        return (sorted(unique)[0],)
    return sorted(combinations)[0] if combinations else ()


def _columns(node: Json) -> set[str]:
    return {str(name).lower() for name in (node.get("columns") or {})}


def locator_of(node: Json) -> tuple[str, ...] | None:
    """The record locator a model carries with `_source_file`, or None."""
    columns = _columns(node)
    if SOURCE_FILE not in columns:
        return None
    return next((locator for locator in LOCATORS if set(locator) <= columns), None)


def lineage_models(manifest: Json, start: Json, columns: Iterable[str]) -> tuple[Lineage, ...]:
    """The nearest models, from `start` up its parents, that carry a lake file, a locator and `columns`.

    The search stops at a model with lineage (its parents are the raw records it was typed from).
    """
    wanted = {column.lower() for column in columns}
    level, seen = [start], {str(start.get("unique_id"))}
    while level:
        found = []
        parents: list[Json] = []
        for node in level:
            locator = locator_of(node)
            if locator is not None:
                if wanted <= _columns(node) and node.get("relation_name"):
                    found.append(Lineage(str(node["name"]), str(node["relation_name"]), locator))
                continue
            for parent_id in (node.get("depends_on") or {}).get("nodes", []):
                parent = find_node(manifest, parent_id)
                if parent is not None and parent_id not in seen and parent.get("resource_type") in TRACED_TYPES:
                    seen.add(parent_id)
                    parents.append(parent)
        if found:
            return tuple(sorted(found, key=lambda lineage: lineage.name)[:MAX_RELATIONS])
        level = parents
    return ()


def plan_lookup(manifest: Json, unique_id: str) -> LookupPlan | None:
    """How to find a failed test's records; None when this build did not compile the test."""
    test = find_node(manifest, unique_id)
    if test is None or not test.get("compiled_code"):
        return None
    keys = test_keys(manifest, test)
    model = tested_node(manifest, test)
    lineage = lineage_models(manifest, model, [key.column for key in keys]) if keys and model else ()
    return LookupPlan(unique_id, str(test["compiled_code"]), keys, lineage)


@cache
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    environment.filters["ident"] = quote_identifier
    return environment.from_string((SQL_DIR / name).read_text(encoding="utf-8"))


def quote_identifier(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def records_sql(plan: LookupPlan, lineage: Lineage) -> str:
    return _template("failing_records.sql").render(
        test_sql=plan.test_sql.strip().rstrip(";"),
        keys=plan.keys,
        relation=lineage.relation,
        source_file=SOURCE_FILE,
        locator=list(lineage.locator),
    )


def rows_sql(plan: LookupPlan) -> str:
    return _template("failing_rows.sql").render(test_sql=plan.test_sql.strip().rstrip(";"))


def json_value(value: Any) -> Any:
    """A database value as JSON: numbers stay numbers when exact, dates and times become ISO text."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _record(row: Mapping[str, Any], keys: Sequence[str], locator: Sequence[str], model: str | None) -> FailingRecord:
    return FailingRecord(
        key={column: row.get(column) for column in keys},
        source_file=None if row.get(SOURCE_FILE) is None else str(row[SOURCE_FILE]),
        record={column: row.get(column) for column in locator},
        model=model,
    )


def _rows(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    names = [str(column).lower() for column in columns]
    return [{name: json_value(value) for name, value in zip(names, row, strict=False)} for row in rows]


def lookup(plan: LookupPlan, run_query: RunQuery, model_name: str | None) -> FailureLookup:
    """The failing records of one test, or why none can be named; never raises."""
    try:
        return _lookup(plan, run_query, model_name)
    except Exception as exc:  # any failure of the lookup is reported, never raised into the summary
        return FailureLookup(error=" ".join(str(exc).split()) or type(exc).__name__)


def _lookup(plan: LookupPlan, run_query: RunQuery, model_name: str | None) -> FailureLookup:
    key_columns = [key.column.lower() for key in plan.keys]
    records: list[FailingRecord] = []
    more = False
    for lineage in plan.lineage:
        columns, rows = run_query(records_sql(plan, lineage), MAX_RECORDS + 1 - len(records))
        for row in _rows(columns, rows):
            records.append(_record(row, key_columns, [c.lower() for c in lineage.locator], lineage.name))
        if len(records) > MAX_RECORDS:
            more = True
            break
    if records:
        return FailureLookup(tuple(records[:MAX_RECORDS]), more)
    columns, rows = run_query(rows_sql(plan), MAX_RECORDS + 1)
    found = _rows(columns, rows)
    names = {str(column).lower() for column in columns}
    locator = next((loc for loc in LOCATORS if SOURCE_FILE in names and set(loc) <= names), None)
    shown: list[FailingRecord] = []
    for row in found[:MAX_RECORDS]:
        if locator is not None:
            shown.append(_record(row, key_columns or [], locator, model_name))
        elif plan.keys:
            shown.append(FailingRecord(key={k.column: row.get(k.output) if k.output else None for k in plan.keys}))
        else:
            shown.append(FailingRecord(key=row))
    note = None
    if locator is None:
        if not plan.keys:
            note = "the test's rows name no key column to trace to a lake file"
        elif plan.lineage:
            note = f"no record with this key in {', '.join(lineage.name for lineage in plan.lineage)}"
        else:
            note = (
                f"no model upstream of {model_name or 'the tested model'} carries {SOURCE_FILE} and a "
                f"record locator with {', '.join(key_columns)}"
            )
    return FailureLookup(tuple(shown), len(found) > MAX_RECORDS, note)


def look_up_failures(
    manifest: Json, tests: Sequence[tuple[str, str | None]], run_query: RunQuery
) -> dict[str, FailureLookup]:
    """The failing records of each `(test unique_id, tested model name)`, the first MAX_TESTS of them."""
    lookups: dict[str, FailureLookup] = {}
    for unique_id, model_name in tests[:MAX_TESTS]:
        plan = plan_lookup(manifest, unique_id)
        if plan is None:
            lookups[unique_id] = FailureLookup(error="this build's manifest has no compiled SQL for the test")
        else:
            lookups[unique_id] = lookup(plan, run_query, model_name)
    return lookups
