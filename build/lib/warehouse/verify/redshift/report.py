"""Print a verification report: every finding as `subject:line: message`, then a summary table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from warehouse.verify.redshift.check import VerifyReport


def summary_table(report: VerifyReport) -> Table:
    table = Table(title="Redshift offline verification", title_justify="left")
    table.add_column("check")
    table.add_column("checked", justify="right")
    table.add_column("problems", justify="right")
    table.add_column("result")
    for summary in report.summaries:
        result = "[green]ok[/green]" if summary.passed else "[red]FAILED[/red]"
        checked = f"{summary.checked} {summary.unit}"
        table.add_row(summary.name, checked, str(len(summary.findings)), result)
    return table


def print_report(report: VerifyReport, console: Console) -> None:
    """Findings first (plain text, one per line, easy to grep), then the table and a one-line verdict."""
    for summary in report.summaries:
        if summary.passed:
            continue
        console.print(f"{summary.name}:", style="bold", markup=False, highlight=False)
        for finding in summary.findings:
            console.print(f"  {finding.render()}", markup=False, highlight=False, soft_wrap=True)
            if finding.snippet:
                console.print(f"      | {finding.snippet}", style="dim", markup=False, highlight=False, soft_wrap=True)
    console.print(summary_table(report))
    if report.ok:
        console.print("Redshift verification passed.", style="green", markup=False)
    else:
        console.print(
            f"Redshift verification failed: {len(report.findings)} problem(s). Lines refer to the compiled "
            "SQL under target/redshift/compiled (target/redshift_incremental for [incremental]); #N refers to "
            "statement N of target/redshift_recorded/statements.sql.",
            style="red",
            markup=False,
            soft_wrap=True,
        )
