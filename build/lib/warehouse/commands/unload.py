"""`warehouse unload`: the command line of the daily export (aws/unload.py): UNLOAD on Redshift, COPY TO on DuckDB."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from warehouse.aws import unload as _service
from warehouse.aws.clients import client
from warehouse.aws.command_support import (
    make_runner,
    print_table,
    reports_errors,
    require_settings,
)
from warehouse.aws.errors import AwsSettingsError
from warehouse.aws.settings import AwsSettings
from warehouse.aws.unload import (
    EXPORTS,
    Export,
    ExportReport,
    UnloadOptions,
    export_duckdb,
    exported_partition_values,
    folder,
    local_glue_columns,
    redshift_columns,
    register_export,
    remove_stale_partitions,
    unload_redshift,
)
from warehouse.commands import Subparsers
from warehouse.config import Settings
from warehouse.doctor.registry import Use


def _destination(args: argparse.Namespace, settings: AwsSettings, export: Export, lake_root: str) -> str:
    return folder(args.destination or f"{settings.exports_under(lake_root)}/{export.name}")


def _run_redshift(args: argparse.Namespace, settings: AwsSettings, export: Export) -> ExportReport:
    flags = {"destination"} if args.destination else set()
    if args.encrypt and not args.kms_key_id:
        flags.add("encrypt")
    require_settings(Use.UNLOAD, frozenset(flags))
    destination = _destination(args, settings, export, settings.lake_root)
    if not destination.startswith("s3://"):
        raise AwsSettingsError(
            f"UNLOAD writes to S3; the export root is {destination!r}: set WAREHOUSE_EXPORT_ROOT (or "
            "WAREHOUSE_LAKE_ROOT) to an s3:// URI, or pass --destination s3://..."
        )
    kms_key_id = args.kms_key_id or (settings.require("kms_key_id") if args.encrypt else None)
    options = UnloadOptions(destination, args.mode == "cleanpath", args.max_file_size_mb, kms_key_id)
    runner = make_runner(settings, name="unload")
    rows, files = unload_redshift(runner, export, options, settings.require("copy_unload_role_arn"))
    written = exported_partition_values(runner, export)
    s3 = client("s3", settings)
    remove_stale_partitions(s3, export, destination, written)
    report = ExportReport(export.name, destination, rows, files, tuple(sorted(written)))
    if args.no_glue:
        return report
    columns = redshift_columns(runner, export)
    change, partitions = register_export(
        client("glue", settings), s3, settings.glue_export_database, export, columns, destination
    )
    return replace(report, glue_table=change, glue_partitions=partitions)


def _run_local(args: argparse.Namespace, settings: AwsSettings, export: Export) -> ExportReport:
    local = Settings.from_env()
    database = Path(args.database) if args.database else local.duckdb_path
    destination = _destination(args, settings, export, local.lake_root)
    report = export_duckdb(database, export, destination, overwrite=args.mode == "cleanpath")
    if not args.glue:
        return report
    if not destination.startswith("s3://"):
        raise AwsSettingsError("--glue registers an export on S3; the destination is a local folder")
    change, partitions = register_export(
        client("glue", settings),
        client("s3", settings),
        settings.glue_export_database,
        export,
        local_glue_columns(database, export),
        destination,
    )
    return replace(report, glue_table=change, glue_partitions=partitions)


@reports_errors
def _command(args: argparse.Namespace) -> int:
    settings = AwsSettings.from_env()
    export = EXPORTS[args.export]
    target = args.target or Settings.from_env().target
    report = _run_redshift(args, settings, export) if target == "redshift" else _run_local(args, settings, export)
    row: list[Any] = [report.destination, report.rows, report.files, ", ".join(report.partitions)]
    columns = ["destination", "rows", "files", "partitions"]
    if report.glue_table is not None and report.glue_partitions is not None:
        sync = report.glue_partitions
        columns.append("glue")
        row.append(
            f"{settings.glue_export_database}.{export.name} {report.glue_table.value}; partitions "
            f"{sync.created} created, {sync.updated} updated, {sync.unchanged} unchanged, {sync.deleted} dropped"
        )
    print_table(f"export {export.name} ({target})", columns, [row])
    return 0


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "unload",
        help="export the daily revenue summary to Parquet partitioned by revenue_flag (UNLOAD or DuckDB)",
        description=_service.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("export", nargs="?", default="daily_revenue", choices=sorted(EXPORTS))
    parser.add_argument("--target", choices=("local", "redshift"), help="default: $WAREHOUSE_TARGET")
    parser.add_argument("--destination", help="folder or s3:// URI (default: $WAREHOUSE_EXPORT_ROOT/<export>/)")
    parser.add_argument(
        "--mode",
        choices=("cleanpath", "allowoverwrite"),
        default="cleanpath",
        help="cleanpath (default): replace what is there; allowoverwrite: overwrite same-named files only",
    )
    parser.add_argument("--max-file-size-mb", type=int, default=256, help="UNLOAD MAXFILESIZE (Redshift only)")
    parser.add_argument("--encrypt", action="store_true", help="SSE-KMS with $WAREHOUSE_KMS_KEY_ID (Redshift)")
    parser.add_argument("--kms-key-id", help="SSE-KMS with this key (Redshift); implies --encrypt")
    parser.add_argument("--no-glue", action="store_true", help="Redshift: do not register the export in Glue")
    parser.add_argument("--glue", action="store_true", help="local target with an s3:// destination: register it")
    parser.add_argument("--database", help="local target: the DuckDB file (default: the local warehouse)")
    parser.set_defaults(func=_command)
