"""The build summary for people (rich tables) and for programs (`target/build_summary.json`)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from warehouse.build.failures import FailingRecord
from warehouse.build.summary import BuildSummary, FailingTest, ModelResult, show_command, summary_to_json

_STATUS_STYLE = {"success": "green", "pass": "green", "error": "red", "fail": "red", "warn": "yellow"}


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f}s"
    minutes, seconds = divmod(value, 60)
    return f"{int(minutes)}m{seconds:04.1f}s"


def _rows(model: ModelResult) -> str:
    if model.rows is not None:
        return f"{model.rows:,}"
    return "[dim]?[/]" if model.status == "success" else "[dim]-[/]"


def _message(text: str, max_lines: int = 6) -> str:
    lines = text.strip().splitlines()
    more = f"\n[dim]... {len(lines) - max_lines} more lines in logs/dbt.log[/]" if len(lines) > max_lines else ""
    return escape("\n".join(lines[:max_lines])) + more


def _status(status: str) -> str:
    label = "ok" if status == "success" else status
    return f"[{_STATUS_STYLE.get(status, 'yellow')}]{escape(label)}[/]"


def models_table(summary: BuildSummary) -> Table:
    table = Table(title="Models", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    table.add_column("layer", style="bold")
    table.add_column("model")
    if summary.rows_counted:
        table.add_column("rows", justify="right")
    table.add_column("time", justify="right")
    table.add_column("status")
    if not summary.rows_counted:
        table.caption = f"rows are counted on the local DuckDB target only (this was {summary.target})"
    for index, model in enumerate(summary.models):
        previous: ModelResult | None = summary.models[index - 1] if index else None
        following = summary.models[index + 1] if index + 1 < len(summary.models) else None
        cells = [model.layer if previous is None or previous.layer != model.layer else "", escape(model.name)]
        if summary.rows_counted:
            cells.append(_rows(model))
        cells += [_seconds(model.seconds), _status(model.status)]
        table.add_row(*cells, end_section=following is not None and following.layer != model.layer)
    return table


def quarantine_table(summary: BuildSummary) -> Table:
    table = Table(title="Quarantined rows", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    table.add_column("source", style="bold")
    table.add_column("rejection_reason")
    table.add_column("rows", justify="right")
    for item in summary.quarantine:
        if not item.reasons:
            table.add_row(escape(item.source), "[dim]nothing rejected[/]", "0", end_section=True)
            continue
        for index, (reason, rows) in enumerate(item.reasons):
            last = index == len(item.reasons) - 1
            table.add_row(escape(item.source) if index == 0 else "", escape(reason), f"{rows:,}", end_section=last)
    return table


def tests_line(summary: BuildSummary) -> str:
    tests = summary.tests
    parts = [
        f"[green]{tests.passed} passed[/]",
        f"[red]{tests.failed} failed[/]" if tests.failed else "0 failed",
        f"[yellow]{tests.warned} warned[/]" if tests.warned else "0 warned",
        f"[red]{tests.errored} errored[/]" if tests.errored else "0 errored",
        f"[yellow]{tests.skipped} skipped[/]" if tests.skipped else "0 skipped",
    ]
    return "[bold]Tests[/]  " + " · ".join(parts)


def failing_tests_table(summary: BuildSummary) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("status")
    longest = max((len(failure.name) for failure in summary.tests.failing), default=4)
    table.add_column("test", min_width=min(longest, 60), overflow="fold")
    table.add_column("on", overflow="fold")
    table.add_column("failures", justify="right")
    table.add_column("message", overflow="fold")
    for failure in summary.tests.failing:
        table.add_row(
            _status(failure.status),
            escape(failure.name),
            escape(failure.tested or ""),
            "" if failure.failures is None else f"{failure.failures:,}",
            _message(failure.message),
        )
    return table


def _pairs(values: Mapping[str, object]) -> str:
    return ", ".join(f"{name}={'null' if value is None else value}" for name, value in values.items())


def _record_lines(record: FailingRecord) -> list[RenderableType]:
    """The file on one line, then the record in it, its key and the model it was found in."""
    if record.source_file is None:
        return [Text(f"    {_pairs(record.key) or '(no columns)'}")]
    details = [f"record {_pairs(record.record)}"]
    if record.key:
        details.append(f"key {_pairs(record.key)}")
    if record.model:
        details.append(f"in {record.model}")
    return [Text(f"    {record.source_file}", style="bold"), Text(f"      {'; '.join(details)}")]


def failing_records_block(summary: BuildSummary) -> Group:
    """For each failed test: the lake file and record of up to 5 failing rows, with their key values."""
    parts: list[RenderableType] = [Text("Failing records", style="bold red")]
    for failure in summary.tests.failing:
        if failure.has_rows:
            parts += _failure_lines(failure, summary.target)
    return Group(*parts, Text())


def _failure_lines(failure: FailingTest, target: str) -> list[RenderableType]:
    on = f" on {failure.tested}" + (f" ({failure.column})" if failure.column else "") if failure.tested else ""
    count = failure.failures
    rows = "" if count is None else f": {count:,} failing row{'s' if count != 1 else ''}"
    lines: list[RenderableType] = [Text.from_markup(f"  [bold]{escape(failure.name)}[/]{escape(on)}{escape(rows)}")]
    lookup = failure.lookup
    if lookup is None:
        lines.append(Text("    not looked up (too many failed tests in this build)", style="yellow"))
    elif lookup.error:
        lines.append(Text(f"    the failing records could not be looked up: {lookup.error}", style="yellow"))
    else:
        if lookup.note:
            lines.append(Text(f"    no lake file named: {lookup.note}", style="yellow"))
        for record in lookup.records:
            lines += _record_lines(record)
        if lookup.more:
            lines.append(Text(f"    ... more; the first {len(lookup.records)} shown", style="dim"))
    lines.append(Text(f"    all failing rows: {show_command(failure.name, target, failure.failures)}", style="dim"))
    return lines


def errors_block(summary: BuildSummary) -> Group:
    """Each node dbt could not build, with the start of its message (the rest is in logs/dbt.log)."""
    parts: list[RenderableType] = [Text("Errors", style="bold red")]
    for error in summary.errors:
        parts.append(Text.from_markup(f"  [bold]{error.resource_type} {escape(error.name)}[/]"))
        parts.append(Padding(Text.from_markup(_message(error.message)), (0, 0, 0, 4)))
    return Group(*parts, Text())


def timing_table(summary: BuildSummary) -> Table:
    table = Table(title="Time", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold", show_footer=True)
    node_seconds = sum(timing.seconds for timing in summary.layers)
    table.add_column("layer", style="bold", footer="all nodes")
    table.add_column("build", justify="right", footer=_seconds(sum(t.build_seconds for t in summary.layers)))
    table.add_column("tests", justify="right", footer=_seconds(sum(t.test_seconds for t in summary.layers)))
    table.add_column("total", justify="right", footer=_seconds(node_seconds))
    for timing in summary.layers:
        table.add_row(
            timing.layer,
            _seconds(timing.build_seconds),
            _seconds(timing.test_seconds),
            _seconds(timing.seconds),
        )
    return table


def render(summary: BuildSummary, console: Console, summary_path: Path | None = None) -> None:
    if summary.models:
        console.print(models_table(summary))
    if summary.quarantine:
        console.print(quarantine_table(summary))
    if summary.tests.total:
        console.print(tests_line(summary))
        if summary.tests.failing:
            console.print(failing_tests_table(summary))
            if any(failure.has_rows for failure in summary.tests.failing):
                console.print(failing_records_block(summary))
        else:
            console.print()
    if summary.errors:
        console.print(errors_block(summary))
    if summary.layers:
        console.print(timing_table(summary))
        console.print("[dim]Node times add up across threads; the wall clock below also covers parsing.[/]")
    verdict = "[bold green]Build succeeded[/]" if summary.success else "[bold red]Build failed[/]"
    console.print(f"{verdict} on {summary.target} in {_seconds(summary.total_seconds)} (wall clock)")
    if summary_path is not None:
        console.print(f"[dim]summary written to {escape(str(summary_path))}[/]")


def summary_console() -> Console:
    """stdout; 120 columns when it is not a terminal (CI logs, pipes) and COLUMNS does not say otherwise."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=120)
    return console


def write_json(summary: BuildSummary, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary_to_json(summary), indent=2) + "\n", encoding="utf-8")
    return path
