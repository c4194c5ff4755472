"""`warehouse spectrum setup`: the command line of the Glue catalog and Spectrum setup (aws/spectrum.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from warehouse.aws import spectrum as _service
from warehouse.aws.clients import client
from warehouse.aws.command_support import (
    make_runner,
    print_table,
    reports_errors,
    require_settings,
)
from warehouse.aws.datasets import load_datasets
from warehouse.aws.settings import AwsSettings
from warehouse.aws.spectrum import setup
from warehouse.commands import Subparsers
from warehouse.config import PROJECT_DIR
from warehouse.doctor.registry import Use


@reports_errors
def _setup_command(args: argparse.Namespace) -> int:
    require_settings(Use.SPECTRUM, frozenset({"catalog-only"} if args.catalog_only else ()))
    settings = AwsSettings.from_env()
    datasets = load_datasets(args.project_dir, args.datasets.split(",") if args.datasets else None)
    runner = None if args.catalog_only else make_runner(settings, name="spectrum")
    report = setup(settings, datasets, client("glue", settings), client("s3", settings), runner, args.prune)
    rows = [
        (
            t.table,
            t.change.value,
            t.partitions.created,
            t.partitions.updated,
            t.partitions.unchanged,
            t.partitions.deleted,
            len(t.partitions.stale),
        )
        for t in report.tables
    ]
    print_table(
        f"Glue database {settings.glue_database}: {report.database.value}",
        ("table", "table change", "partitions created", "updated", "unchanged", "deleted", "stale"),
        rows,
    )
    if report.external_schema_sql:
        print(f"external schema {settings.spectrum_schema} ready (Glue database {settings.glue_database})")
    return 0


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "spectrum",
        help="Glue catalog of the S3 lake and the Redshift Spectrum external schema",
        description=_service.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="spectrum_action", required=True, metavar="ACTION")
    setup_parser = actions.add_parser(
        "setup",
        help="create or update the Glue database, tables and partitions, then the external schema",
        description=_service.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    setup_parser.add_argument("--datasets", help="comma-separated datasets (default: every source with external:)")
    setup_parser.add_argument("--prune", action="store_true", help="drop Glue partitions whose S3 folder is gone")
    setup_parser.add_argument(
        "--catalog-only", action="store_true", help="Glue only; do not create the external schema in Redshift"
    )
    setup_parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    setup_parser.set_defaults(func=_setup_command)
