"""`warehouse verify postgres`: execute the Redshift-compiled project on PostgreSQL 15 and compare with DuckDB.

1. Compile the project for the redshift target offline (as `warehouse verify redshift` does, without its
   sqlfluff and compatibility checks) into --target-path, unless --skip-compile.
2. Start the local PostgreSQL 15 cluster if needed and create a throwaway role and database (or use --dsn).
3. Create the shim schema (shim.sql) and load every bronze source from the lake of --data-dir as Spectrum
   and Kinesis would return it (sources.py, spectrum_reader.py).
4. Build every seed, model and snapshot in DAG order from the compiled SQL, then run every data test.
5. Compare every gold model and every bronze quarantine model with the DuckDB warehouse built from the same
   lake (`warehouse build` with WAREHOUSE_DATA_DIR=<data dir>; --build-duckdb runs it first).

Exit status 0 when everything executes, every test passes and gold and quarantine equal DuckDB's, else 1;
2 when it cannot run at all (no PostgreSQL, no lake, no DuckDB warehouse).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse import log
from warehouse.config import Settings

_log = log.get("verify.postgres")


@dataclass(frozen=True)
class PostgresCheckConfig:
    project_dir: Path
    data_dir: Path
    target_path: Path
    compile: bool = True
    compare: bool = True
    build_duckdb: bool = False
    dsn: str | None = None
    keep_database: bool = False
    report_path: Path | None = None
    progress: bool = True

    @property
    def lake_root(self) -> Path:
        return self.data_dir / "lake"

    @property
    def duckdb_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"


class CheckCannotRun(Exception):
    """Something the check needs is missing; the message says what."""


def config_from_args(args: argparse.Namespace) -> PostgresCheckConfig:
    project = Path(args.project_dir).resolve()
    data_dir = Path(args.data_dir).resolve() if args.data_dir else Settings.from_env().data_dir
    target = Path(args.target_path).resolve() if args.target_path else project / "target" / "postgres" / "redshift"
    return PostgresCheckConfig(
        project_dir=project,
        data_dir=data_dir,
        target_path=target,
        compile=not args.skip_compile,
        compare=not args.no_compare,
        build_duckdb=args.build_duckdb,
        dsn=args.dsn,
        keep_database=args.keep_database,
        report_path=args.report,
        progress=not args.no_progress and sys.stderr.isatty(),
    )


def run_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from warehouse.verify.postgres.report import print_report
    from warehouse.verify.postgres.server import PostgresUnavailable
    from warehouse.verify.redshift.errors import RedshiftCheckError

    config = config_from_args(args)
    try:
        report = run_check(config)
    except (CheckCannotRun, PostgresUnavailable, RedshiftCheckError) as exc:
        _log.error("%s", exc)
        return 2
    print_report(report, Console(highlight=False))
    if config.report_path is not None:
        report.write_json(config.report_path)
    return 0 if report.ok else 1


def build_duckdb(config: PostgresCheckConfig) -> None:
    env = dict(
        os.environ,
        WAREHOUSE_DATA_DIR=str(config.data_dir),
        WAREHOUSE_LAKE_ROOT=str(config.lake_root),
        # dbt's artifacts (and the build summary) beside the data, never in the repository's target/.
        DBT_TARGET_PATH=str(config.data_dir / "target"),
        DBT_LOG_PATH=str(config.data_dir / "logs"),
    )
    env.pop("WAREHOUSE_TARGET", None)
    command = [sys.executable, "-m", "warehouse.cli", "build", "--no-progress"]
    _log.info("building the DuckDB side: WAREHOUSE_DATA_DIR=%s warehouse build", config.data_dir)
    result = subprocess.run(command, env=env, cwd=config.project_dir, check=False)
    if result.returncode != 0:
        raise CheckCannotRun(f"warehouse build failed on {config.data_dir} (exit {result.returncode})")


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[label]}", style="dim"),
        console=log.console,
        transient=True,
    ) as progress:
        yield progress


def run_check(config: PostgresCheckConfig) -> Any:
    """Compile, execute on PostgreSQL, compare; the report. Raises CheckCannotRun/PostgresUnavailable."""
    import duckdb

    from warehouse.verify.postgres import compare, execute, server
    from warehouse.verify.postgres.compile import compile_with_postgres
    from warehouse.verify.postgres.report import PostgresReport
    from warehouse.verify.redshift.check import load_manifest

    started = time.perf_counter()
    if not config.lake_root.is_dir():
        raise CheckCannotRun(
            f"no lake at {config.lake_root}: WAREHOUSE_DATA_DIR={config.data_dir} warehouse generate --scale tiny"
        )
    if config.compare and config.build_duckdb:
        build_duckdb(config)
    if config.compare and not config.duckdb_path.is_file():
        raise CheckCannotRun(
            f"no DuckDB warehouse at {config.duckdb_path} to compare with: run "
            f"`WAREHOUSE_DATA_DIR={config.data_dir} warehouse build` first, pass --build-duckdb, or --no-compare"
        )
    with server.database_for(config.dsn, keep=config.keep_database) as database, _progress(config.progress) as bars:
        if config.keep_database:
            _log.info("PostgreSQL database kept: %s (password %s)", database.dsn, database.password)
        connection = database.connect(autocommit=False)
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int, label: str) -> None:
            if bars is None:
                return
            if phase not in tasks:
                tasks[phase] = bars.add_task(phase, total=total, label="")
            bars.update(tasks[phase], completed=done, total=total, label=label)

        try:
            executor = execute.Executor(connection, None)
            executor.setup(())
            if config.compile:
                _log.info("compiling for the redshift target, offline, into %s", config.target_path)
                answered = compile_with_postgres(config.project_dir, config.target_path, connection)
                _log.info("compiled; %d compile-time constant queries answered by PostgreSQL", len(answered))
            manifest = load_manifest(config.target_path / "manifest.json")
            executor.target_database = next(
                (
                    str(n["database"])
                    for n in (manifest.get("nodes") or {}).values()
                    if n.get("resource_type") == "model"
                ),
                None,
            )
            run = execute.run_all(executor, manifest, config.lake_root, None, progress)
            report = PostgresReport(run=run, compared=config.compare)
            if config.compare:
                targets = compare.comparison_targets(manifest)
                normaliser = compare.Normaliser(str(config.lake_root), _s3_lake_root(manifest))
                duck = duckdb.connect(str(config.duckdb_path), read_only=True)
                unavailable = {r.unique_id: r.status for r in run.nodes if r.status != execute.OK}
                try:
                    report.diffs = compare.compare_all(
                        connection,
                        duck,
                        targets,
                        normaliser,
                        unavailable,
                        lambda done, total, label: progress("comparing", done, total, label),
                    )
                finally:
                    duck.close()
        finally:
            connection.close()
    report.seconds = time.perf_counter() - started
    return report


def _s3_lake_root(manifest: Any) -> str:
    """The S3 lake root the "$path" values start with (the DDL's location minus the dataset's)."""
    from warehouse.verify.postgres import sources

    tables, _ = sources.source_tables(manifest)
    for table in tables:
        if isinstance(table, sources.ExternalTable) and table.s3_location.rstrip("/").endswith(table.location):
            return table.s3_location.rstrip("/")[: -len(table.location)].rstrip("/")
    return os.environ.get("WAREHOUSE_S3_LAKE_ROOT") or sources.DEFAULT_S3_LAKE_ROOT


__all__ = ["CheckCannotRun", "PostgresCheckConfig", "run_check", "run_command"]
