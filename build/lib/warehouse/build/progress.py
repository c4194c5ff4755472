"""Follow dbt's structured events: a progress bar, failures printed as they happen, the artifacts written.

dbt calls the callback for every event from its worker threads, at every level (debug events included),
whatever the console log level. Events used (dbt-core 1.11): `NodeStart`/`NodeFinished` (every node,
skipped ones too; `NodeFinished.run_result` carries status, message and failure count), `LogStartLine`
and `SkippingDetails` (the number of nodes to run), `ArtifactWritten` (paths of manifest.json and
run_results.json from this invocation), and any other warn-level event (printed as a warning).
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from warehouse import log

if TYPE_CHECKING:
    from dbt_common.events.base_types import EventMsg

logger = log.get("build")

# Warn-level events about a node's result: reported from NodeFinished instead, or repeats at the run's end.
_RESULT_EVENTS = frozenset(
    {
        "LogTestResult",
        "LogModelResult",
        "LogSeedResult",
        "LogSnapshotResult",
        "LogNodeResult",
        "RunResultWarning",
        "RunResultWarningMessage",
        "RunResultFailure",
        "RunResultError",
        "RunResultErrorNoMessage",
    }
)


def describe_problem(resource_type: str, name: str, status: str, message: str, failures: int) -> str | None:
    """One line of rich markup for a node that did not succeed, or None when it did (or was skipped)."""
    name = escape(name)
    if resource_type in {"test", "unit_test"}:
        if status == "fail":
            return f"[bold red]FAIL[/] {name}: {failures} failing row{'s' if failures != 1 else ''}"
        if status == "warn":
            return f"[bold yellow]WARN[/] {name}: {failures} failing row{'s' if failures != 1 else ''}"
    if status == "error":
        detail = escape(message.strip()) or "(dbt gave no message)"
        return f"[bold red]ERROR[/] {resource_type} {name}\n{detail}"
    return None


class BuildEvents:
    """The dbt callback; use it as a context manager around the dbt call (the bar needs `show_progress`)."""

    def __init__(self, console: Console, show_progress: bool) -> None:
        self.console = console
        self.show_progress = show_progress
        self.artifacts: dict[str, Path] = {}
        self.total: int | None = None
        self.done = 0
        self.problems = 0
        self._running: dict[str, str] = {}
        self._lock = threading.Lock()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}", style="dim"),
            console=console,
            disable=not show_progress,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> BuildEvents:
        self._task = self._progress.add_task("dbt build: parsing", total=None, current="")
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def __call__(self, msg: EventMsg) -> None:
        try:
            self._handle(msg)
        except Exception:  # a display problem must never fail the build
            logger.debug("could not handle dbt event %s", msg.info.name, exc_info=True)

    def _handle(self, msg: EventMsg) -> None:
        name = msg.info.name
        if name == "ArtifactWritten":
            path = Path(msg.data.artifact_path)
            self.artifacts[path.name] = path
        elif name in {"LogStartLine", "SkippingDetails"} and msg.data.total:
            with self._lock:
                self.total = int(msg.data.total)
            self._refresh()
        elif name == "NodeStart":
            node = msg.data.node_info
            with self._lock:
                self._running[node.unique_id] = node.node_name
            self._refresh()
        elif name == "NodeFinished":
            self._finished(msg)
        elif msg.info.level == "warn" and name not in _RESULT_EVENTS and self.show_progress:
            logger.warning("%s", msg.info.msg)

    def _finished(self, msg: EventMsg) -> None:
        node, result = msg.data.node_info, msg.data.run_result
        with self._lock:
            self._running.pop(node.unique_id, None)
            self.done += 1
        line = describe_problem(
            node.resource_type, node.node_name, result.status, result.message, int(result.num_failures)
        )
        if line is not None:
            with self._lock:
                self.problems += 1
            if self.show_progress:  # without the bar, dbt's own console log reports it
                self.console.print(line)
        self._refresh()

    def _refresh(self) -> None:
        if self._task is None:
            return
        with self._lock:
            running = ", ".join(sorted(self._running.values()))
            description = "dbt build" if self.problems == 0 else f"dbt build [red]({self.problems} failed)[/]"
            self._progress.update(
                self._task, total=self.total, completed=self.done, description=description, current=running
            )
