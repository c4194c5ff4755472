"""`warehouse verify`: offline checks of the warehouse code. `warehouse verify redshift` is the first.

It compiles the project for the redshift target without a connection, parses every compiled model with
sqlfluff's redshift dialect, checks the SQL for functions and constructs Redshift lacks, and checks the
dist/sort design in the manifest. Then it runs the real dbt-redshift adapter against a recording connection
(build twice, snapshot, source freshness, the CLI's run-operation) and checks every statement it would send
against rules taken from AWS's documented limits. Exit status 0 when everything passes, 1 when a check fails.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from warehouse import log
from warehouse.commands import Subparsers
from warehouse.config import PROJECT_DIR


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("verify", help="offline checks of the warehouse code")
    targets = parser.add_subparsers(dest="verify_target", required=True, metavar="TARGET")
    redshift = targets.add_parser(
        "redshift",
        help="compile for Redshift offline and check the SQL and dist/sort design",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    redshift.add_argument(
        "--project-dir",
        type=Path,
        default=PROJECT_DIR,
        help="dbt project to verify (default: this repository)",
    )
    redshift.add_argument(
        "--target-path",
        type=Path,
        default=None,
        help="where dbt writes the redshift artifacts (default: <project>/target/redshift)",
    )
    redshift.add_argument(
        "--skip-dbt",
        action="store_true",
        help="check what an earlier run compiled instead of running dbt again",
    )
    redshift.add_argument(
        "--no-incremental",
        action="store_true",
        help="do not compile incremental models a second time as incremental runs",
    )
    redshift.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="processes for the sqlfluff parse, the slow part (default: one per CPU)",
    )
    redshift.add_argument(
        "--no-record",
        action="store_true",
        help="do not record the statements dbt-redshift sends (build, snapshot, freshness, run-operation) nor "
        "check them with the statement rules",
    )
    redshift.add_argument(
        "--check-sql",
        type=Path,
        action="append",
        default=None,
        metavar="PATH",
        help="also check this SQL file, folder or Python module (its SQL literals) with the SQL-text rules "
        "(repeatable; scripts/warehouse/aws and checksums.py are always checked)",
    )
    redshift.add_argument(
        "--write-docs",
        action="store_true",
        help="rewrite the generated DDL block of docs/redshift.md from what the code generates",
    )
    redshift.set_defaults(func=run_redshift)
    _add_postgres_parser(targets)


def _add_postgres_parser(targets: Subparsers) -> None:
    from warehouse.verify.postgres import check

    parser = targets.add_parser(
        "postgres",
        help="run the Redshift-compiled models and tests on PostgreSQL 15 and compare gold with DuckDB",
        description=check.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help="dbt project (default: this repo)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="holds the lake (lake/) and the DuckDB build (warehouse.duckdb); default: WAREHOUSE_DATA_DIR",
    )
    parser.add_argument(
        "--target-path",
        type=Path,
        default=None,
        help="where the redshift compile is written (default: <project>/target/postgres/redshift)",
    )
    parser.add_argument("--skip-compile", action="store_true", help="use what an earlier run compiled there")
    parser.add_argument("--no-compare", action="store_true", help="execute only; do not compare with DuckDB")
    parser.add_argument(
        "--build-duckdb", action="store_true", help="run `warehouse build` on the data dir first (DuckDB side)"
    )
    parser.add_argument("--dsn", default=None, help="use this PostgreSQL database (its schemas are replaced)")
    parser.add_argument("--keep-database", action="store_true", help="keep the throwaway database and print it")
    parser.add_argument("--report", type=Path, default=None, help="also write the report as JSON here")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=check.run_command)


def run_redshift(args: argparse.Namespace) -> int:
    from warehouse.verify.redshift import RedshiftCheckError, VerifyConfig, run
    from warehouse.verify.redshift.report import print_report

    config = VerifyConfig.for_project(
        args.project_dir,
        target_path=args.target_path,
        incremental=not args.no_incremental,
        run_dbt=not args.skip_dbt,
        verbose=bool(getattr(args, "verbose", False)),
        jobs=args.jobs,
        write_docs=args.write_docs,
        record=not getattr(args, "no_record", False),
        sql_paths=tuple(getattr(args, "check_sql", None) or ()),
    )
    try:
        report = run(config)
    except RedshiftCheckError as exc:
        log.get("verify").error("%s", exc)
        return 1
    print_report(report, Console(highlight=False))
    return 0 if report.ok else 1
