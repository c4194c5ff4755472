"""What a build did, from dbt's artifacts: pure functions over `manifest.json` and `run_results.json` dicts.

Nothing here touches dbt, DuckDB or the disk; row counts come in as plain mappings keyed by `unique_id`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from warehouse.build.failures import FailureLookup
from warehouse.build.manifest import (
    TEST_TYPES,
    Json,
    find_node,
    layer_of,
    layer_sort_key,
    node_layer,
    quarantine_source,
    resource_type_of,
    results,
    tested_node,
)

SUMMARY_FILE = "build_summary.json"  # in the dbt target folder, written by `warehouse build`

TEST_STATUS_FIELDS: Mapping[str, str] = {
    "pass": "passed",
    "fail": "failed",
    "warn": "warned",
    "error": "errored",
    "skipped": "skipped",
}


@dataclass(frozen=True)
class Relation:
    """A model's table or view in the warehouse, as the manifest names it."""

    unique_id: str
    name: str
    layer: str
    database: str | None
    schema: str
    alias: str
    quarantine_source: str | None = None

    @property
    def sql_name(self) -> str:
        parts = (self.database, self.schema, self.alias)
        return ".".join('"' + part.replace('"', '""') + '"' for part in parts if part)


@dataclass(frozen=True)
class ModelResult:
    name: str
    layer: str
    status: str
    seconds: float
    rows: int | None


@dataclass(frozen=True)
class QuarantineSource:
    """Rows a source's quarantine models rejected, by `rejection_reason` (most frequent first)."""

    source: str
    reasons: tuple[tuple[str, int], ...]

    @property
    def rows(self) -> int:
        return sum(rows for _, rows in self.reasons)


@dataclass(frozen=True)
class FailingTest:
    name: str
    status: str
    failures: int | None
    message: str
    tested: str | None
    unique_id: str = ""
    column: str | None = None  # the tested column(s), comma-separated; None for a model-level test
    # The failing lake records (build/failures.py); None when they were not looked up.
    lookup: FailureLookup | None = None

    @property
    def has_rows(self) -> bool:
        """A failed or warned test (an errored one has no failing rows: its SQL did not run)."""
        return self.status in {"fail", "warn"}


@dataclass(frozen=True)
class DataTests:
    passed: int = 0
    failed: int = 0
    warned: int = 0
    errored: int = 0
    skipped: int = 0
    failing: tuple[FailingTest, ...] = ()

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.warned + self.errored + self.skipped


@dataclass(frozen=True)
class NodeError:
    """A model, seed or snapshot that dbt could not build."""

    name: str
    resource_type: str
    message: str


@dataclass(frozen=True)
class LayerTiming:
    layer: str
    build_seconds: float
    test_seconds: float

    @property
    def seconds(self) -> float:
        return self.build_seconds + self.test_seconds


@dataclass(frozen=True)
class BuildSummary:
    target: str
    success: bool
    total_seconds: float
    rows_counted: bool
    models: tuple[ModelResult, ...]
    quarantine: tuple[QuarantineSource, ...]
    tests: DataTests
    layers: tuple[LayerTiming, ...]
    errors: tuple[NodeError, ...]


def relations_to_count(manifest: Json, run_results: Json) -> tuple[Relation, ...]:
    """The models this build created successfully as a table or view (ephemeral models have no relation)."""
    relations = []
    for result in results(run_results):
        node = find_node(manifest, result["unique_id"])
        if node is None or node.get("resource_type") != "model" or result.get("status") != "success":
            continue
        if (node.get("config") or {}).get("materialized") == "ephemeral":
            continue
        relations.append(
            Relation(
                unique_id=result["unique_id"],
                name=str(node["name"]),
                layer=layer_of(node),
                database=node.get("database"),
                schema=str(node["schema"]),
                alias=str(node.get("alias") or node["name"]),
                quarantine_source=quarantine_source(node),
            )
        )
    return tuple(relations)


def model_results(manifest: Json, run_results: Json, row_counts: Mapping[str, int | None]) -> tuple[ModelResult, ...]:
    models = []
    for result in results(run_results):
        node = find_node(manifest, result["unique_id"])
        if node is None or node.get("resource_type") != "model":
            continue
        models.append(
            ModelResult(
                name=str(node["name"]),
                layer=layer_of(node),
                status=str(result.get("status")),
                seconds=float(result.get("execution_time") or 0.0),
                rows=row_counts.get(result["unique_id"]),
            )
        )
    return tuple(sorted(models, key=lambda model: (layer_sort_key(model.layer), model.name)))


def group_quarantine(
    relations: Iterable[Relation], rejections: Mapping[str, Mapping[str, int]]
) -> tuple[QuarantineSource, ...]:
    """Sum each source's quarantine models by reason; a source that rejected nothing is kept, empty."""
    by_source: dict[str, dict[str, int]] = {}
    for relation in relations:
        if relation.quarantine_source is None:
            continue
        reasons = by_source.setdefault(relation.quarantine_source, {})
        for reason, rows in rejections.get(relation.unique_id, {}).items():
            reasons[reason] = reasons.get(reason, 0) + rows
    return tuple(
        QuarantineSource(source, tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))))
        for source, reasons in sorted(by_source.items())
    )


def tally_tests(manifest: Json, run_results: Json) -> DataTests:
    counts = dict.fromkeys(TEST_STATUS_FIELDS.values(), 0)
    failing = []
    for result in results(run_results):
        unique_id = result["unique_id"]
        if resource_type_of(manifest, unique_id) not in TEST_TYPES:
            continue
        status = str(result.get("status"))
        counts[TEST_STATUS_FIELDS.get(status, "skipped")] += 1
        if status in {"fail", "warn", "error"}:
            node = find_node(manifest, unique_id) or {}
            tested = tested_node(manifest, node) if node else None
            failing.append(
                FailingTest(
                    name=str(node.get("name", unique_id)),
                    status=status,
                    failures=result.get("failures"),
                    message=str(result.get("message") or ""),
                    tested=str(tested["name"]) if tested else None,
                    unique_id=unique_id,
                    column=tested_columns(node),
                )
            )
    failing.sort(key=lambda failure: ({"error": 0, "fail": 1, "warn": 2}[failure.status], failure.name))
    return DataTests(**counts, failing=tuple(failing))


def tested_columns(test: Json) -> str | None:
    """The column a test tests, or the columns of a combination test, comma-separated."""
    if test.get("column_name"):
        return str(test["column_name"])
    kwargs = (test.get("test_metadata") or {}).get("kwargs") or {}
    columns = kwargs.get("combination_of_columns")
    return ", ".join(str(column) for column in columns) if columns else None


def show_command(test_name: str, target: str, failures: int | None) -> str:
    """The command that prints every failing row of a test (dbt runs the test's query again)."""
    limit = max(failures or 0, 100)
    target_flag = "" if target == "local" else f" --target {target}"
    return f"dbt show --select {test_name} --limit {limit}{target_flag}"


def node_errors(manifest: Json, run_results: Json) -> tuple[NodeError, ...]:
    errors = []
    for result in results(run_results):
        unique_id = result["unique_id"]
        resource_type = resource_type_of(manifest, unique_id)
        if resource_type in TEST_TYPES or result.get("status") != "error":
            continue
        node = find_node(manifest, unique_id) or {}
        errors.append(NodeError(str(node.get("name", unique_id)), resource_type, str(result.get("message") or "")))
    return tuple(errors)


def layer_timings(manifest: Json, run_results: Json) -> tuple[LayerTiming, ...]:
    build: dict[str, float] = defaultdict(float)
    tests: dict[str, float] = defaultdict(float)
    for result in results(run_results):
        unique_id = result["unique_id"]
        seconds = float(result.get("execution_time") or 0.0)
        bucket = tests if resource_type_of(manifest, unique_id) in TEST_TYPES else build
        bucket[node_layer(manifest, unique_id)] += seconds
    layers = sorted(set(build) | set(tests), key=layer_sort_key)
    return tuple(LayerTiming(layer, build.get(layer, 0.0), tests.get(layer, 0.0)) for layer in layers)


def summarize(
    manifest: Json,
    run_results: Json,
    *,
    target: str,
    success: bool,
    total_seconds: float,
    row_counts: Mapping[str, int | None] | None = None,
    rejections: Mapping[str, Mapping[str, int]] | None = None,
) -> BuildSummary:
    """The whole summary.

    `row_counts`/`rejections` are None when rows were not counted (Redshift): the models are then listed
    without rows, and the quarantine is left empty rather than shown as "nothing rejected".
    """
    quarantine = (
        group_quarantine(relations_to_count(manifest, run_results), rejections) if rejections is not None else ()
    )
    return BuildSummary(
        target=target,
        success=success,
        total_seconds=total_seconds,
        rows_counted=row_counts is not None,
        models=model_results(manifest, run_results, row_counts or {}),
        quarantine=quarantine,
        tests=tally_tests(manifest, run_results),
        layers=layer_timings(manifest, run_results),
        errors=node_errors(manifest, run_results),
    )


def with_lookups(summary: BuildSummary, lookups: Mapping[str, FailureLookup]) -> BuildSummary:
    """The summary with each failed test's looked-up records attached."""
    failing = tuple(
        replace(failure, lookup=lookups.get(failure.unique_id, failure.lookup)) for failure in summary.tests.failing
    )
    return replace(summary, tests=replace(summary.tests, failing=failing))


def summary_to_json(summary: BuildSummary) -> dict[str, Any]:
    tests = summary.tests
    return {
        "target": summary.target,
        "success": summary.success,
        "rows_counted": summary.rows_counted,
        "total_seconds": round(summary.total_seconds, 3),
        "models": {
            model.name: {
                "layer": model.layer,
                "rows": model.rows,
                "seconds": round(model.seconds, 3),
                "status": model.status,
            }
            for model in summary.models
        },
        "quarantine": {item.source: dict(item.reasons) for item in summary.quarantine},
        "tests": {
            "passed": tests.passed,
            "failed": tests.failed,
            "warned": tests.warned,
            "errored": tests.errored,
            "skipped": tests.skipped,
            "total": tests.total,
            "failing": [
                {
                    "name": failure.name,
                    "status": failure.status,
                    "failures": failure.failures,
                    "tested": failure.tested,
                    "column": failure.column,
                    "message": failure.message,
                    **_failure_records_json(failure, summary.target),
                }
                for failure in tests.failing
            ],
        },
        "layers": {timing.layer: round(timing.seconds, 3) for timing in summary.layers},
        "errors": [
            {"name": error.name, "resource_type": error.resource_type, "message": error.message}
            for error in summary.errors
        ],
    }


def _failure_records_json(failure: FailingTest, target: str) -> dict[str, Any]:
    """`failing_records` (lake file, record, key), `show_all`, and why records are missing when they are.

    (`failures` is dbt's count of failing rows, kept under its name.)
    """
    if not failure.has_rows:
        return {}
    lookup = failure.lookup
    data: dict[str, Any] = {
        "failing_records": [
            {
                "source_file": record.source_file,
                "record": dict(record.record),
                "key": dict(record.key),
                "model": record.model,
            }
            for record in (lookup.records if lookup else ())
        ],
        "more_failing_records": bool(lookup and lookup.more),
        "show_all": show_command(failure.name, target, failure.failures),
    }
    if lookup is None:
        data["lookup_error"] = "not looked up (too many failed tests in this build)"
    elif lookup.error:
        data["lookup_error"] = lookup.error
    elif lookup.note:
        data["lookup_note"] = lookup.note
    return data
