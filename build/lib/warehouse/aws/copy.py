"""`warehouse copy`: COPY a lake dataset into a Redshift table, then report rows loaded and rejected.

The load runs as one Data API batch, so it is one transaction in one session:

    delete from <table>            -- unless --append: a rerun replaces, it never duplicates
    copy <table> from 's3://...' iam_role '...' format as json 'auto' ...
    select pg_last_copy_id(), pg_last_copy_count()

Then the load's rows and rejects are read from the system views by query id: STL_LOAD_COMMITS and
STL_LOAD_ERRORS on a provisioned cluster, SYS_LOAD_HISTORY and SYS_LOAD_ERROR_DETAIL on Serverless (or
with --system-views sys). A failed COPY is reported with the first load errors, never just "check
stl_load_errors".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from warehouse import log
from warehouse.aws.command_support import (
    quote_ident,
    quote_literal,
)
from warehouse.aws.data_api import DataApiRunner, StatementResult
from warehouse.aws.datasets import Dataset, FileFormat
from warehouse.aws.errors import AwsSettingsError, LoadError, StatementFailedError
from warehouse.aws.settings import AwsSettings

logger = log.get("copy")

ERROR_SAMPLE = 20


class CopyFormat(str, Enum):
    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"


class SystemViews(str, Enum):
    STL = "stl"  # provisioned clusters
    SYS = "sys"  # Serverless, and provisioned clusters too


def format_for(dataset: Dataset) -> CopyFormat:
    return {FileFormat.CSV: CopyFormat.CSV, FileFormat.PARQUET: CopyFormat.PARQUET}.get(
        dataset.file_format, CopyFormat.JSON
    )


@dataclass(frozen=True)
class CopyRequest:
    table: str
    source: str
    file_format: CopyFormat
    iam_role: str
    max_errors: int = 0
    compupdate: str = "preset"  # on | off | preset (JSON and CSV only)
    statupdate: bool = True
    replace: bool = True
    region: str | None = None  # only when the bucket is in another region (not for Parquet)

    def __post_init__(self) -> None:
        if not self.source.startswith("s3://"):
            raise AwsSettingsError(f"COPY reads from S3; {self.source!r} is not an s3:// location")
        if self.file_format is CopyFormat.PARQUET and self.max_errors:
            raise AwsSettingsError("COPY from Parquet does not support MAXERROR: any bad row fails the load")
        if self.file_format is CopyFormat.PARQUET and self.region:
            raise AwsSettingsError("COPY from Parquet does not support REGION: the bucket must be in Redshift's region")
        if self.compupdate not in {"on", "off", "preset"}:
            raise AwsSettingsError(f"--compupdate must be on, off or preset, not {self.compupdate!r}")
        if self.max_errors < 0:
            raise AwsSettingsError("--max-errors must be 0 or more")


def copy_sql(request: CopyRequest) -> str:
    lines = [
        f"copy {quote_ident(request.table)}",
        f"from {quote_literal(request.source)}",
        f"iam_role {quote_literal(request.iam_role)}",
    ]
    if request.file_format is CopyFormat.JSON:
        lines += ["format as json 'auto'", "timeformat 'auto'", "dateformat 'auto'"]
    elif request.file_format is CopyFormat.CSV:
        lines += ["format as csv", "ignoreheader 1", "emptyasnull", "timeformat 'auto'", "dateformat 'auto'"]
    else:
        lines += ["format as parquet"]
    if request.region:
        lines.append(f"region {quote_literal(request.region)}")
    if request.max_errors:
        lines.append(f"maxerror {request.max_errors}")
    if request.file_format is not CopyFormat.PARQUET:
        lines.append(f"compupdate {request.compupdate}")
    lines.append(f"statupdate {'on' if request.statupdate else 'off'}")
    return "\n".join(lines)


def load_statements(request: CopyRequest) -> list[str]:
    statements = [] if not request.replace else [f"delete from {quote_ident(request.table)}"]
    return [*statements, copy_sql(request), "select pg_last_copy_id() as query_id, pg_last_copy_count() as rows_loaded"]


def stats_sql(views: SystemViews) -> str:
    if views is SystemViews.STL:
        return (
            "select coalesce(sum(lines_scanned), 0) as rows_scanned, count(distinct filename) as files, "
            "(select count(*) from stl_load_errors where query = :query_id) as rows_rejected "
            "from stl_load_commits where query = :query_id"
        )
    return (
        "select coalesce(sum(loaded_rows), 0) as rows_scanned, coalesce(sum(source_file_count), 0) as files, "
        "(select count(*) from sys_load_error_detail where query_id = :query_id) as rows_rejected "
        "from sys_load_history where query_id = :query_id"
    )


def errors_sql(views: SystemViews) -> str:
    if views is SystemViews.STL:
        return (
            "select trim(filename) as file, line_number, trim(colname) as column_name, err_code as error_code, "
            "trim(err_reason) as reason, trim(raw_field_value) as raw_value "
            f"from stl_load_errors where query = :query_id order by filename, line_number limit {ERROR_SAMPLE}"
        )
    return (
        "select trim(file_name) as file, line_number, trim(column_name) as column_name, error_code, "
        "trim(error_message) as reason, '' as raw_value "
        f"from sys_load_error_detail where query_id = :query_id order by file_name, line_number limit {ERROR_SAMPLE}"
    )


@dataclass(frozen=True)
class CopyReport:
    table: str
    source: str
    query_id: int | None
    rows_loaded: int
    rows_scanned: int
    files: int
    rows_rejected: int
    errors: tuple[dict[str, Any], ...]


def _load_errors(runner: DataApiRunner, views: SystemViews, query_id: int) -> tuple[dict[str, Any], ...]:
    try:
        return tuple(runner.execute(errors_sql(views), {"query_id": query_id}).dicts())
    except StatementFailedError as exc:  # reporting must not hide the original failure
        logger.warning("could not read the load errors of query %s: %s", query_id, exc.server_message)
        return ()


def _describe_errors(errors: tuple[dict[str, Any], ...]) -> str:
    return "\n".join(
        f"  {e.get('file')}:{e.get('line_number')} column {e.get('column_name')!s}: "
        f"{e.get('reason')} (code {e.get('error_code')}) {e.get('raw_value') or ''}".rstrip()
        for e in errors
    )


def run_copy(runner: DataApiRunner, request: CopyRequest, views: SystemViews) -> CopyReport:
    logger.info("COPY %s <- %s (%s)", request.table, request.source, request.file_format.value)
    try:
        results = runner.batch(load_statements(request))
    except StatementFailedError as exc:
        errors = _load_errors(runner, views, exc.query_id) if exc.query_id else ()
        detail = _describe_errors(errors) or "  (no rows in the load-error view for this query)"
        raise LoadError(
            f"COPY into {request.table} failed and was rolled back (nothing loaded): {exc.server_message}\n"
            f"first load errors (query {exc.query_id}, {views.value} views):\n{detail}"
        ) from exc
    last: StatementResult = results[-1]
    row = last.dicts()[0] if last.rows else {}
    query_id = int(row.get("query_id") or 0) or (results[-2].query_id if len(results) > 1 else None)
    rows_loaded = int(row.get("rows_loaded") or 0)
    stats: dict[str, Any] = {}
    errors: tuple[dict[str, Any], ...] = ()
    if query_id:
        stats_result = runner.execute(stats_sql(views), {"query_id": query_id})
        stats = stats_result.dicts()[0] if stats_result.rows else {}
        if int(stats.get("rows_rejected") or 0):
            errors = _load_errors(runner, views, query_id)
    report = CopyReport(
        table=request.table,
        source=request.source,
        query_id=query_id,
        rows_loaded=rows_loaded,
        rows_scanned=int(stats.get("rows_scanned") or 0),
        files=int(stats.get("files") or 0),
        rows_rejected=int(stats.get("rows_rejected") or 0),
        errors=errors,
    )
    if report.rows_rejected:
        logger.warning(
            "%d row(s) rejected (MAXERROR %d), first ones:\n%s",
            report.rows_rejected,
            request.max_errors,
            _describe_errors(errors),
        )
    return report


def source_uri(settings: AwsSettings, dataset: Dataset, day: dt.date | None) -> str:
    uri = dataset.uri(settings.require_s3_lake())
    return f"{uri}dt={day.isoformat()}/" if day else uri


def system_views_for(requested: str | None, serverless: bool) -> SystemViews:
    """The system views that can find this COPY's load statistics. The COPY is identified by
    pg_last_copy_id(), an STL query id on a provisioned cluster; the SYS views number queries with their own
    query_id, so joining the two reads another query's numbers (or none). A provisioned cluster therefore
    uses the STL views; `--system-views sys` there is refused with the reason
    (https://docs.aws.amazon.com/redshift/latest/dg/sys_view_migration.html: STL `query` and SYS `query_id`
    are different identifiers)."""
    if requested is None:
        return SystemViews.SYS if serverless else SystemViews.STL
    views = SystemViews(requested)
    if views is SystemViews.SYS and not serverless:
        raise LoadError(
            "--system-views sys on a provisioned cluster: the COPY's id from pg_last_copy_id() is an STL query "
            "id, which SYS views do not use; run without --system-views (STL views) on a provisioned cluster"
        )
    return views
