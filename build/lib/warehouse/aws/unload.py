"""`warehouse unload`: export the daily revenue summary as Parquet partitioned by revenue_flag (EXP-UNLOAD-PARQUET).

On the `redshift` target:

    unload ('select ... from "gold"."agg_daily_revenue"')
    to 's3://<export root>/daily_revenue/'
    iam_role '<REDSHIFT_COPY_UNLOAD_ROLE_ARN>'
    format as parquet
    partition by (revenue_flag)
    maxfilesize 256 mb
    cleanpath                         -- or allowoverwrite
    kms_key_id '<WAREHOUSE_KMS_KEY_ID>' encrypted   -- with --encrypt

then partition folders that this run did not write are removed, and the export is registered in Glue
(GLUE_EXPORT_DATABASE, table daily_revenue, partitions discovered on S3), so Spectrum and Athena can query it
at once.

On the `local` target the same layout is written by DuckDB (`COPY ... TO ... (format parquet, partition_by
(revenue_flag), overwrite)`) to <lake root>/exports/daily_revenue/, or to an s3:// export root (with --glue,
registered in Glue too).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse import log
from warehouse.aws import glue_catalog, lake
from warehouse.aws.command_support import (
    quote_ident,
    quote_literal,
)
from warehouse.aws.data_api import DataApiRunner
from warehouse.aws.datasets import Column, FileFormat
from warehouse.aws.duckdb_s3 import configure_s3
from warehouse.aws.errors import AwsSettingsError, ExportError, StatementFailedError
from warehouse.aws.glue_catalog import Change, PartitionSync

logger = log.get("unload")

EXPORT_DATABASE_DESCRIPTION = "GlobalRetail exports (UNLOAD output), managed by `warehouse unload`"


@dataclass(frozen=True)
class Export:
    name: str
    relation: str  # schema.table, the same on both engines
    partition_by: str
    order_by: str
    description: str


EXPORTS: dict[str, Export] = {
    "daily_revenue": Export(
        name="daily_revenue",
        relation="gold.agg_daily_revenue",
        partition_by="revenue_flag",
        order_by="date_day",
        description="Daily revenue summary (gold.agg_daily_revenue), partitioned by revenue_flag",
    )
}


@dataclass(frozen=True)
class UnloadOptions:
    destination: str  # folder URI, ends with "/"
    cleanpath: bool = True  # False: allowoverwrite
    max_file_size_mb: int = 256
    kms_key_id: str | None = None

    def __post_init__(self) -> None:
        if not 5 <= self.max_file_size_mb <= 6200:
            raise AwsSettingsError("--max-file-size-mb must be between 5 and 6200 (UNLOAD's MAXFILESIZE limits)")


@dataclass(frozen=True)
class ExportReport:
    export: str
    destination: str
    rows: int
    files: int
    partitions: tuple[str, ...]
    glue_table: Change | None = None
    glue_partitions: PartitionSync | None = None


def folder(uri: str) -> str:
    return uri.rstrip("/") + "/"


# --- Redshift ---------------------------------------------------------------------------------------------


def unload_sql(export: Export, options: UnloadOptions, iam_role: str) -> str:
    query = f"select * from {quote_ident(export.relation)}"
    lines = [
        f"unload ({quote_literal(query)})",
        f"to {quote_literal(folder(options.destination))}",
        f"iam_role {quote_literal(iam_role)}",
        "format as parquet",
        f"partition by ({export.partition_by})",
        f"maxfilesize {options.max_file_size_mb} mb",
        "cleanpath" if options.cleanpath else "allowoverwrite",
    ]
    if options.kms_key_id:
        lines.append(f"kms_key_id {quote_literal(options.kms_key_id)} encrypted")
    return "\n".join(lines)


def unload_stats_sql(serverless: bool) -> str:
    if serverless:
        return (
            "select coalesce(sum(unloaded_rows), 0) as unloaded_rows, coalesce(sum(unloaded_files_count), 0) as files "
            "from sys_unload_history where query_id = :query_id"
        )
    return (
        "select coalesce(sum(line_count), 0) as unloaded_rows, count(*) as files "
        "from stl_unload_log where query = :query_id"
    )


def columns_sql() -> str:
    return (
        "select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
        "from svv_columns where table_schema = :schema and table_name = :table order by ordinal_position"
    )


def redshift_column_type(row: dict[str, Any]) -> str:
    data_type = str(row["data_type"]).lower()
    if data_type in {"character varying", "character"} and row.get("character_maximum_length"):
        return f"{data_type}({row['character_maximum_length']})"
    if data_type == "numeric" and row.get("numeric_precision"):
        return f"numeric({row['numeric_precision']},{row.get('numeric_scale') or 0})"
    return data_type


def redshift_columns(runner: DataApiRunner, export: Export) -> list[Column]:
    schema, table = export.relation.split(".")
    result = runner.execute(columns_sql(), {"schema": schema, "table": table})
    if not result.rows:
        raise ExportError(f"{export.relation} does not exist on {runner.target.name}: run `warehouse build` first")
    return [Column(str(row["column_name"]), redshift_column_type(row)) for row in result.dicts()]


def unload_redshift(runner: DataApiRunner, export: Export, options: UnloadOptions, iam_role: str) -> tuple[int, int]:
    """Run the UNLOAD; (rows, files) from the unload log."""
    sql = unload_sql(export, options, iam_role)
    try:
        result = runner.execute(sql)
    except StatementFailedError as exc:
        raise ExportError(
            f"UNLOAD of {export.relation} to {options.destination} failed: {exc.server_message} (check that the "
            "role may write the export prefix and use the KMS key, and that --mode matches what is there)"
        ) from exc
    if not result.query_id:
        return max(result.rows_affected, 0), 0
    stats = runner.execute(unload_stats_sql(runner.target.serverless), {"query_id": result.query_id}).dicts()
    row = stats[0] if stats else {}
    return int(row.get("unloaded_rows") or 0), int(row.get("files") or 0)


def exported_partition_values(runner: DataApiRunner, export: Export) -> set[str]:
    sql = f"select distinct {export.partition_by} from {quote_ident(export.relation)}"
    return {str(row[0]) for row in runner.execute(sql).rows if row[0] is not None}


# --- DuckDB -----------------------------------------------------------------------------------------------

_DUCKDB_TYPES = {
    "VARCHAR": "varchar",
    "BIGINT": "bigint",
    "HUGEINT": "bigint",  # cast on export: Parquet and Redshift have no 128-bit integer
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
}


def duckdb_column_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return "numeric" + duckdb_type[len("DECIMAL") :]
    if duckdb_type not in _DUCKDB_TYPES:
        raise ExportError(f"DuckDB type {duckdb_type} has no Parquet/Glue mapping in warehouse.aws.unload")
    return _DUCKDB_TYPES[duckdb_type]


def duckdb_columns(con: duckdb.DuckDBPyConnection, export: Export) -> list[tuple[str, str]]:
    schema, table = export.relation.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if not rows:
        raise ExportError(f"{export.relation} is not in the DuckDB warehouse: run `warehouse build` first")
    return [(str(name), str(data_type)) for name, data_type in rows]


def duckdb_export_sql(export: Export, columns: Sequence[tuple[str, str]], destination: str, overwrite: bool) -> str:
    select = ", ".join(
        f'cast("{name}" as bigint) as "{name}"' if data_type == "HUGEINT" else f'"{name}"'
        for name, data_type in columns
    )
    mode = "overwrite true" if overwrite else "overwrite_or_ignore true"
    return (
        f"copy (select {select} from {quote_ident(export.relation)} order by {export.order_by}) "
        f"to {quote_literal(destination.rstrip('/'))} "
        f"(format parquet, partition_by ({export.partition_by}), {mode})"
    )


def export_duckdb(database: Path, export: Export, destination: str, overwrite: bool = True) -> ExportReport:
    """Write the export with DuckDB to a local folder or an s3:// URI; rows and files written."""
    if not database.exists():
        raise ExportError(f"no warehouse at {database}: run `warehouse build` first")
    on_s3 = destination.startswith("s3://")
    if not on_s3:
        target = Path(destination)
        if overwrite and target.exists():
            shutil.rmtree(target)  # DuckDB's overwrite leaves empty folders of vanished partitions
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database), read_only=True)
    try:
        if on_s3:
            configure_s3(con, force=True)
        columns = duckdb_columns(con, export)
        con.execute(duckdb_export_sql(export, columns, destination, overwrite))
        pattern = f"{folder(destination)}*/*.parquet"
        files = con.execute("select count(*) from glob(?)", [pattern]).fetchone()
        written = con.execute(
            f"select {export.partition_by}, count(*) from read_parquet(?, hive_partitioning = true) group by 1",
            [pattern],
        ).fetchall()
    except duckdb.Error as exc:
        raise ExportError(f"DuckDB export of {export.relation} to {destination} failed: {exc}") from exc
    finally:
        con.close()
    return ExportReport(
        export=export.name,
        destination=folder(destination),
        rows=sum(int(count) for _, count in written),
        files=int(files[0]) if files else 0,
        partitions=tuple(sorted(str(value) for value, _ in written)),
    )


def local_glue_columns(database: Path, export: Export) -> list[Column]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [Column(name, duckdb_column_type(data_type)) for name, data_type in duckdb_columns(con, export)]
    finally:
        con.close()


# --- Glue -------------------------------------------------------------------------------------------------


def register_export(
    glue: Any, s3: Any, database: str, export: Export, columns: Sequence[Column], destination: str
) -> tuple[Change, PartitionSync]:
    """The export as a partitioned Parquet table in Glue; partitions from the S3 listing, stale ones dropped."""
    data_columns = [c for c in columns if c.name != export.partition_by]
    partition_column = next((c for c in columns if c.name == export.partition_by), None)
    partition_type = partition_column.data_type if partition_column else "varchar"
    glue_catalog.ensure_database(glue, database, EXPORT_DATABASE_DESCRIPTION)
    wanted = glue_catalog.table_input(
        export.name,
        FileFormat.PARQUET,
        data_columns,
        [(export.partition_by, "varchar" if partition_type.startswith(("character", "varchar")) else partition_type)],
        folder(destination),
        export.description,
    )
    change = glue_catalog.ensure_table(glue, database, wanted)
    found = lake.discover_partitions(s3, folder(destination), [(export.partition_by, "string")])
    partitions = glue_catalog.sync_partitions(
        glue, database, export.name, wanted["StorageDescriptor"], found, prune=True
    )
    return change, partitions


def remove_stale_partitions(s3: Any, export: Export, destination: str, written: set[str]) -> list[str]:
    """Delete partition folders this run did not write (CLEANPATH only cleans the folders it writes to)."""
    removed = []
    for partition in lake.discover_partitions(s3, folder(destination), [(export.partition_by, "string")]):
        if partition.values[0] not in written:
            lake.delete_prefix(s3, partition.location)
            removed.append(partition.location)
            logger.info("removed stale partition %s", partition.location)
    return removed


# --- command ----------------------------------------------------------------------------------------------
