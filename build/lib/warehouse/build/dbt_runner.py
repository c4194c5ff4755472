"""dbt run in this process through `dbtRunner`: `dbt build`, `dbt run-operation` and `dbt show`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse import log
from warehouse.build.volume import ACCEPT_VAR

if TYPE_CHECKING:  # dbt takes a second or two to import: only `warehouse build` pays for it, when it runs
    from dbt.cli.main import dbtRunnerResult
    from dbt_common.events.base_types import EventMsg

logger = log.get("build")

EventCallback = Callable[["EventMsg"], None]


@dataclass(frozen=True)
class BuildOptions:
    """What `warehouse build` was asked for. `project_dir`/`profiles_dir` of None mean the repository's."""

    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    full_refresh: bool = False
    # Build although lake folders hold fewer files than at the last build (their removal was meant).
    accept_fewer_files: bool = False
    # Let the volume guard pass although a silver model holds far fewer rows than at the last build.
    accept_volume_drop: bool = False
    target: str = "local"
    progress: bool = True
    project_dir: Path | None = None
    profiles_dir: Path | None = None
    # Slim CI: production's state folder (its manifest.json); with `changed`, build only what differs from
    # it and its children, reading unchanged parents from production (--defer --favor-state).
    state: Path | None = None
    changed: bool = False


def dbt_args(options: BuildOptions, project_dir: Path, profiles_dir: Path) -> list[str]:
    """The `dbt build` command line.

    With a progress bar, dbt's console log is off (`--log-level none`); `--log-level-file debug` must then
    be given too, because an explicit `--log-level` also sets the file log's level in dbt 1.11.
    """
    args = ["build", "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir)]
    args += ["--target", options.target]
    if options.changed:
        args += ["--select", "state:modified+"]
    elif options.select:
        args += ["--select", *options.select]
    if options.state is not None:
        args += ["--state", str(options.state)]
        if options.changed:
            args += ["--defer", "--favor-state"]
    if options.exclude:
        args += ["--exclude", *options.exclude]
    if options.full_refresh:
        args.append("--full-refresh")
    if options.accept_volume_drop:
        args += ["--vars", json.dumps({ACCEPT_VAR: True})]
    if options.progress:
        args += ["--log-level", "none", "--log-level-file", "debug"]
    elif not sys.stdout.isatty():
        # dbt colours its log lines even when they go to a file or a pipe; a log read later needs none.
        args.append("--no-use-colors")
    return args


def invoke_dbt(args: Sequence[str], callbacks: Sequence[EventCallback]) -> dbtRunnerResult:
    from dbt.cli.main import dbtRunner

    logger.debug("dbt %s", " ".join(args))
    try:
        return dbtRunner(callbacks=list(callbacks)).invoke(list(args))
    finally:
        release_duckdb()


def run_operation(name: str, arguments: Mapping[str, Any], project_dir: Path, target: str) -> dbtRunnerResult:
    """`dbt run-operation <name> --args <arguments>` in-process on `target` (the project is its own profiles
    directory); the caller judges `result.success`."""
    args = ["run-operation", name, "--args", json.dumps(dict(arguments))]
    args += ["--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--target", target]
    return invoke_dbt(args, [])


class QueryError(Exception):
    """dbt could not run a query (its message says why)."""


def show_query(
    sql: str, limit: int, options: BuildOptions, project_dir: Path, profiles_dir: Path
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one query through dbt's adapter for the build's target (`dbt show --inline`): columns and rows.

    `sql` is plain SQL (wrapped in `raw` so dbt does not render it again). dbt's console log is off and
    `--no-write-json` keeps the build's manifest.json and run_results.json as the build wrote them.
    """
    from dbt.cli.main import dbtRunner

    args = ["show", "--inline", "{% raw %}" + sql + "{% endraw %}", "--limit", str(limit)]
    args += ["--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir), "--target", options.target]
    args += ["--no-write-json", "--log-level", "none", "--log-level-file", "debug"]
    try:
        result = dbtRunner().invoke(args)
    finally:
        release_duckdb()
    if not result.success or result.result is None:
        raise QueryError(str(result.exception or "dbt show failed (see logs/dbt.log)"))
    table = result.result.results[0].agate_table
    return [str(name) for name in table.column_names], [tuple(row) for row in table.rows]


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process (`keep_open` defaults to true).

    Until it is closed, this process cannot open the same file read-only to count rows, and the file stays
    locked for other processes.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed: nothing to release
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        try:
            environment.close()
        except Exception as exc:  # closing is best effort; dbt's own atexit hook drops it too
            logger.debug("closing dbt-duckdb's environment: %s", exc)
    DuckDBConnectionManager.close_all_connections()
