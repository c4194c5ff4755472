"""The report of `warehouse verify postgres`: problems first (one per line, greppable), then summary tables;
and the same content as JSON for CI and tests."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from warehouse.verify.postgres.compare import TableDiff
from warehouse.verify.postgres.execute import FAIL, OK, PASS, SKIPPED, RunResult


@dataclass
class PostgresReport:
    run: RunResult
    diffs: list[TableDiff] = field(default_factory=list)
    compared: bool = True
    seconds: float = 0.0

    @property
    def source_errors(self) -> list[Any]:
        return [s for s in self.run.sources if s.error]

    @property
    def node_problems(self) -> list[Any]:
        return [n for n in self.run.nodes if n.status != OK]

    @property
    def test_problems(self) -> list[Any]:
        return [t for t in self.run.tests if t.status not in (PASS, "warn")]

    @property
    def differences(self) -> list[TableDiff]:
        return [d for d in self.diffs if not d.equal]

    @property
    def ok(self) -> bool:
        return not (self.source_errors or self.node_problems or self.test_problems or self.differences)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 1),
            "sources": [asdict(s) for s in self.run.sources],
            "nodes": [asdict(n) for n in self.run.nodes],
            "tests": [asdict(t) for t in self.run.tests],
            "unit_tests_not_run": self.run.unit_tests,
            "comparison": [asdict(d) | {"equal": d.equal} for d in self.diffs],
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n", encoding="utf-8")


def _say(console: Console, text: str, style: str | None = None) -> None:
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def _print_problems(report: PostgresReport, console: Console) -> None:
    if report.source_errors:
        _say(console, "sources that could not be loaded:", "bold")
        for source in report.source_errors:
            _say(console, f"  {source.unique_id} ({source.relation}): {source.error}")
    roots = [n for n in report.node_problems if n.status != SKIPPED]
    if roots:
        _say(console, "models, seeds and snapshots that failed on PostgreSQL:", "bold")
        for node in roots:
            _say(console, f"  {node.unique_id} [{node.status}]: {node.message}")
            if node.error_line:
                _say(console, f"      at {node.error_line}", "dim")
            if node.sql_line:
                _say(console, f"      | {node.sql_line}", "dim")
    skipped = [n for n in report.node_problems if n.status == SKIPPED]
    if skipped:
        by_root = Counter(n.message.removeprefix("upstream failed: ") for n in skipped)
        _say(console, f"skipped because an upstream node failed ({len(skipped)}):", "bold")
        for root, count in sorted(by_root.items()):
            names = ", ".join(n.unique_id.rsplit(".", 1)[-1] for n in skipped if n.message.endswith(root))
            _say(console, f"  {count} below {root}: {names}")
    tests = [t for t in report.test_problems if t.status != SKIPPED]
    if tests:
        _say(console, "data tests that failed or errored on PostgreSQL:", "bold")
        for test in tests:
            _say(console, f"  {test.unique_id} [{test.status}, severity {test.severity}]: {test.message}")
            if test.error_line:
                _say(console, f"      at {test.error_line}", "dim")
            if test.status != FAIL and test.sql_line:
                _say(console, f"      | {test.sql_line}", "dim")
    warnings = [n for n in report.run.nodes if n.warnings] + [t for t in report.run.tests if t.status == "warn"]
    if warnings:
        _say(console, "warnings:", "bold")
        for item in warnings:
            text = "; ".join(item.warnings) if item.warnings else item.message
            _say(console, f"  {item.unique_id}: {text}")
    if report.differences:
        _say(console, "differences between PostgreSQL (Redshift SQL) and DuckDB:", "bold")
        for diff in report.differences:
            _print_diff(diff, console)


def _print_diff(diff: TableDiff, console: Console) -> None:
    if diff.error:
        _say(console, f"  {diff.name}: {diff.error}")
        return
    _say(
        console,
        f"  {diff.name}: {diff.pg_rows} rows on PostgreSQL, {diff.duckdb_rows} on DuckDB; "
        f"{diff.only_pg} only on PostgreSQL, {diff.only_duckdb} only on DuckDB",
    )
    if diff.missing_in_duckdb:
        _say(console, f"      columns only on PostgreSQL: {', '.join(diff.missing_in_duckdb)}")
    if diff.missing_in_pg:
        _say(console, f"      columns only on DuckDB: {', '.join(diff.missing_in_pg)}")
    for reason, (pg, duck) in diff.reasons.items():
        if pg != duck:
            _say(console, f"      rejection_reason {reason}: {pg} on PostgreSQL, {duck} on DuckDB")
    for line in diff.matched:
        _say(console, f"      ~ {line}", "dim")
    if not diff.matched:
        for row in diff.examples_pg:
            _say(console, f"      < pg     {row}", "dim")
        for row in diff.examples_duckdb:
            _say(console, f"      > duckdb {row}", "dim")


def summary_table(report: PostgresReport) -> Table:
    table = Table(title="Redshift SQL executed on PostgreSQL", title_justify="left")
    table.add_column("step")
    table.add_column("checked", justify="right")
    table.add_column("problems", justify="right")
    table.add_column("result")
    nodes = Counter(n.status for n in report.run.nodes)
    tests = Counter(t.status for t in report.run.tests)
    rows = [
        ("sources loaded", len(report.run.sources), len(report.source_errors)),
        ("models, seeds, snapshots", len(report.run.nodes), len(report.node_problems)),
        ("data tests", len(report.run.tests), len(report.test_problems)),
    ]
    if report.compared:
        rows.append(("gold + quarantine vs DuckDB", len(report.diffs), len(report.differences)))
    for step, checked, problems in rows:
        result = "[green]ok[/green]" if not problems else "[red]FAILED[/red]"
        table.add_row(step, str(checked), str(problems), result)
    table.caption = (
        "nodes: "
        + ", ".join(f"{count} {status}" for status, count in sorted(nodes.items()))
        + " | tests: "
        + ", ".join(f"{count} {status}" for status, count in sorted(tests.items()))
    )
    return table


def comparison_table(report: PostgresReport) -> Table:
    table = Table(title="gold and quarantine: PostgreSQL vs DuckDB", title_justify="left")
    for column, justify in (("table", "left"), ("PostgreSQL", "right"), ("DuckDB", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    table.add_column("only PG", justify="right")
    table.add_column("only DuckDB", justify="right")
    table.add_column("result")
    for diff in report.diffs:
        if diff.error:
            table.add_row(diff.name, "", "", "", "", "[red]not compared[/red]")
            continue
        result = "[green]equal[/green]" if diff.equal else "[red]differs[/red]"
        table.add_row(
            diff.name, str(diff.pg_rows), str(diff.duckdb_rows), str(diff.only_pg), str(diff.only_duckdb), result
        )
    return table


def print_report(report: PostgresReport, console: Console) -> None:
    _print_problems(report, console)
    if report.compared and report.diffs:
        console.print(comparison_table(report))
    console.print(summary_table(report))
    rewrites = Counter(name for item in (*report.run.nodes, *report.run.tests) for name in item.rewrites)
    if rewrites:
        applied = ", ".join(f"{name} ({count})" for name, count in sorted(rewrites.items()))
        _say(console, f"token rewrites applied (nodes and tests): {applied}")
    if report.run.unit_tests:
        _say(console, f"dbt unit tests not run here ({len(report.run.unit_tests)}): they run on DuckDB in dbt build")
    verdict = "passed" if report.ok else "failed"
    _say(
        console,
        f"PostgreSQL execution {verdict} in {report.seconds:.1f}s.",
        "green" if report.ok else "red",
    )


__all__ = ["PostgresReport", "print_report"]
