"""`warehouse copy`: the command line of the COPY load into Redshift (aws/copy.py)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from warehouse.aws import copy as _service
from warehouse.aws.command_support import (
    make_runner,
    print_table,
    reports_errors,
    require_settings,
)
from warehouse.aws.copy import CopyFormat, CopyRequest, SystemViews, format_for, run_copy, source_uri, system_views_for
from warehouse.aws.datasets import load_datasets
from warehouse.aws.errors import AwsSettingsError
from warehouse.aws.settings import AwsSettings
from warehouse.commands import Subparsers
from warehouse.config import PROJECT_DIR
from warehouse.doctor.registry import Use


@reports_errors
def _command(args: argparse.Namespace) -> int:
    require_settings(Use.COPY, frozenset({"source"} if args.source else ()))
    settings = AwsSettings.from_env()
    runner = make_runner(settings, name="copy")
    dataset = load_datasets(args.project_dir, [args.dataset])[0] if args.dataset else None
    if dataset is None and not args.source:
        raise AwsSettingsError("name a DATASET, or give --source s3://...")
    source = args.source or source_uri(settings, dataset, args.dt)  # type: ignore[arg-type]
    file_format = CopyFormat(args.format) if args.format else format_for(dataset)  # type: ignore[arg-type]
    views = system_views_for(args.system_views, serverless=runner.target.serverless)
    request = CopyRequest(
        table=args.table,
        source=source,
        file_format=file_format,
        iam_role=settings.require("copy_unload_role_arn"),
        max_errors=args.max_errors,
        compupdate=args.compupdate,
        statupdate=args.statupdate == "on",
        replace=not args.append,
        region=args.region,
    )
    report = run_copy(runner, request, views)
    print_table(
        f"COPY into {report.table}",
        ("source", "query id", "rows loaded", f"rows in {views.value} load views", "files", "rows rejected"),
        [(report.source, report.query_id, report.rows_loaded, report.rows_scanned, report.files, report.rows_rejected)],
    )
    return 0


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "copy",
        help="COPY a lake dataset from S3 into a Redshift table and report rows loaded and rejected",
        description=_service.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", nargs="?", help="lake dataset (a source table with `external:`), e.g. orders")
    parser.add_argument("--table", required=True, help="target table, schema.table (must exist)")
    parser.add_argument("--dt", type=dt.date.fromisoformat, help="load one arrival day only (YYYY-MM-DD)")
    parser.add_argument("--source", help="an s3:// prefix instead of the dataset's folder")
    parser.add_argument("--format", choices=[f.value for f in CopyFormat], help="default: from the dataset")
    parser.add_argument("--max-errors", type=int, default=0, help="rows COPY may reject before failing (default 0)")
    parser.add_argument("--compupdate", choices=("on", "off", "preset"), default="preset")
    parser.add_argument("--statupdate", choices=("on", "off"), default="on")
    parser.add_argument("--append", action="store_true", help="keep existing rows (default: replace them atomically)")
    parser.add_argument("--region", help="the bucket's region, when it differs from Redshift's (not for Parquet)")
    parser.add_argument(
        "--system-views",
        choices=[v.value for v in SystemViews],
        help="stl (provisioned) or sys views for load stats (default: sys on Serverless, stl on a cluster)",
    )
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    parser.set_defaults(func=_command)
