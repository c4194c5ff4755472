"""`warehouse copy` and `warehouse unload`: the SQL they send, load reports, Glue registration, local export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
from moto import mock_aws

from aws_support import REGION, FakeRunner, finish_moto_statements, moto_statements, normalize, set_dummy_aws_env
from warehouse.aws import unload
from warehouse.aws.copy import CopyFormat, CopyRequest, SystemViews, copy_sql, load_statements, run_copy
from warehouse.aws.data_api import DataApiRunner, StatementResult
from warehouse.aws.datasets import Column
from warehouse.aws.errors import AwsSettingsError, LoadError, StatementFailedError
from warehouse.aws.glue_catalog import Change
from warehouse.aws.settings import RedshiftTarget

ROLE = "arn:aws:iam::123456789012:role/globalretail-copy-unload"
EXPORT = unload.EXPORTS["daily_revenue"]


# --- COPY -------------------------------------------------------------------------------------------------


def test_copy_sql_per_format() -> None:
    json_copy = CopyRequest("staging.orders", "s3://raw/lake/raw/orders/", CopyFormat.JSON, ROLE, max_errors=10)
    assert copy_sql(json_copy).splitlines() == [
        'copy "staging"."orders"',
        "from 's3://raw/lake/raw/orders/'",
        f"iam_role '{ROLE}'",
        "format as json 'auto'",
        "timeformat 'auto'",
        "dateformat 'auto'",
        "maxerror 10",
        "compupdate preset",
        "statupdate on",
    ]
    csv_copy = CopyRequest("s.t", "s3://b/k/", CopyFormat.CSV, ROLE, compupdate="off", statupdate=False)
    assert "format as csv\nignoreheader 1\nemptyasnull" in copy_sql(csv_copy)
    assert copy_sql(csv_copy).endswith("compupdate off\nstatupdate off")
    parquet = copy_sql(CopyRequest("s.t", "s3://b/k/", CopyFormat.PARQUET, ROLE))
    assert "format as parquet" in parquet and "compupdate" not in parquet and "maxerror" not in parquet
    assert load_statements(json_copy)[0] == 'delete from "staging"."orders"'
    assert load_statements(json_copy)[-1].startswith("select pg_last_copy_id()")
    assert len(load_statements(CopyRequest("s.t", "s3://b/k/", CopyFormat.JSON, ROLE, replace=False))) == 2
    with pytest.raises(AwsSettingsError, match="Parquet does not support MAXERROR"):
        CopyRequest("s.t", "s3://b/k/", CopyFormat.PARQUET, ROLE, max_errors=1)
    with pytest.raises(AwsSettingsError, match="not an s3:// location"):
        CopyRequest("s.t", "/tmp/k", CopyFormat.JSON, ROLE)


def _copied(query_id: int, rows: int) -> list[StatementResult]:
    return [
        StatementResult("b:1", "delete"),
        StatementResult("b:2", "copy", query_id=query_id),
        StatementResult("b:3", "select", ("query_id", "rows_loaded"), ((query_id, rows),)),
    ]


def test_copy_reports_rows_loaded_and_rejected_from_the_load_views() -> None:
    error_row = {
        "file": "s3://raw/lake/raw/orders/dt=2025-10-01/part-0000.ndjson",
        "line_number": 17,
        "column_name": "quantity",
        "error_code": 1207,
        "reason": "Invalid digit, Value 'n', Pos 0, Type: Integer",
        "raw_value": "n/a",
    }
    runner = FakeRunner(
        answers=[
            (r"from stl_load_commits", [{"rows_scanned": 4998, "files": 92, "rows_rejected": 2}]),
            (r"from stl_load_errors where query", [error_row, {**error_row, "line_number": 40}]),
        ],
        batch_results=_copied(901, 4998),
    )
    request = CopyRequest("staging.orders", "s3://raw/lake/raw/orders/", CopyFormat.JSON, ROLE, max_errors=5)
    report = run_copy(runner, request, SystemViews.STL)
    assert (report.query_id, report.rows_loaded, report.rows_scanned, report.files) == (901, 4998, 4998, 92)
    assert report.rows_rejected == 2
    assert [e["line_number"] for e in report.errors] == [17, 40]
    assert runner.batches == [load_statements(request)]


def test_copy_on_serverless_reads_the_sys_views() -> None:
    runner = FakeRunner(
        answers=[(r"from sys_load_history", [{"rows_scanned": 10, "files": 1, "rows_rejected": 0}])],
        batch_results=_copied(5, 10),
    )
    report = run_copy(runner, CopyRequest("s.t", "s3://b/k/", CopyFormat.CSV, ROLE), SystemViews.SYS)
    assert (report.rows_loaded, report.rows_rejected, report.errors) == (10, 0, ())
    assert not any("stl_" in sql for sql in runner.executed)


def test_a_failed_copy_shows_its_load_errors() -> None:
    failure = StatementFailedError(
        "rejected",
        statement_id="x:2",
        server_message="Load into table 'orders' failed. Check 'stl_load_errors' system table for details.",
        query_id=777,
    )
    error_row = {
        "file": "s3://b/k/part-0000.ndjson",
        "line_number": 3,
        "column_name": "order_ts",
        "error_code": 1206,
        "reason": "Invalid timestamp format or value",
        "raw_value": "31/12/2024",
    }
    runner = FakeRunner(answers=[(r"stl_load_errors", [error_row])], batch_error=failure)
    with pytest.raises(LoadError) as caught:
        run_copy(runner, CopyRequest("s.orders", "s3://b/k/", CopyFormat.JSON, ROLE), SystemViews.STL)
    message = str(caught.value)
    assert "rolled back (nothing loaded)" in message
    assert "s3://b/k/part-0000.ndjson:3 column order_ts: Invalid timestamp format or value (code 1206)" in message


# --- UNLOAD on Redshift -----------------------------------------------------------------------------------


def test_unload_sql() -> None:
    options = unload.UnloadOptions("s3://processed/exports/daily_revenue", kms_key_id="alias/globalretail-data")
    assert unload.unload_sql(EXPORT, options, ROLE).splitlines() == [
        'unload (\'select * from "gold"."agg_daily_revenue"\')',
        "to 's3://processed/exports/daily_revenue/'",
        f"iam_role '{ROLE}'",
        "format as parquet",
        "partition by (revenue_flag)",
        "maxfilesize 256 mb",
        "cleanpath",
        "kms_key_id 'alias/globalretail-data' encrypted",
    ]
    overwrite = unload.UnloadOptions("s3://p/e/", cleanpath=False, max_file_size_mb=64)
    sql = unload.unload_sql(EXPORT, overwrite, ROLE)
    assert "allowoverwrite" in sql and "cleanpath" not in sql and "maxfilesize 64 mb" in sql
    assert "encrypted" not in sql
    with pytest.raises(AwsSettingsError, match="MAXFILESIZE"):
        unload.UnloadOptions("s3://p/e/", max_file_size_mb=1)
    assert unload.redshift_column_type({"data_type": "numeric", "numeric_precision": 18, "numeric_scale": 2}) == (
        "numeric(18,2)"
    )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    set_dummy_aws_env(monkeypatch)
    finish_moto_statements(monkeypatch)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="processed")
        yield {"s3": s3, "glue": boto3.client("glue", region_name=REGION)}


def test_unload_sends_the_unload_through_the_data_api(aws: Any) -> None:
    client = boto3.client("redshift-data", region_name=REGION)
    runner = DataApiRunner(client, RedshiftTarget("globalretail", cluster_id="gr", db_user="etl"), sleep=lambda _: None)
    options = unload.UnloadOptions("s3://processed/exports/daily_revenue/")
    unload.unload_redshift(runner, EXPORT, options, ROLE)
    sent = [normalize(s.query_string) for s in moto_statements()]
    assert sent[0] == normalize(unload.unload_sql(EXPORT, options, ROLE))
    assert sent[1].startswith("select coalesce(sum(line_count), 0) as unloaded_rows")  # stl_unload_log by query id


def _put_partition(s3: Any, flag: str) -> None:
    s3.put_object(Bucket="processed", Key=f"exports/daily_revenue/revenue_flag={flag}/0000_part_00.parquet", Body=b"x")


def test_register_export_in_glue_idempotently_and_drop_vanished_flags(aws: Any) -> None:
    for flag in ("high", "low", "normal"):
        _put_partition(aws["s3"], flag)
    columns = [
        Column("date_day", "date"),
        Column("revenue_flag", "character varying(6)"),
        Column("revenue_amount", "numeric(18,2)"),
    ]
    destination = "s3://processed/exports/daily_revenue/"
    first = unload.register_export(aws["glue"], aws["s3"], "globalretail_exports", EXPORT, columns, destination)
    assert first[0] is Change.CREATED and first[1].created == 3
    table = aws["glue"].get_table(DatabaseName="globalretail_exports", Name="daily_revenue")["Table"]
    assert table["PartitionKeys"] == [{"Name": "revenue_flag", "Type": "string"}]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["date_day", "revenue_amount"]
    again = unload.register_export(aws["glue"], aws["s3"], "globalretail_exports", EXPORT, columns, destination)
    assert again[0] is Change.UNCHANGED and (again[1].created, again[1].unchanged) == (0, 3)

    removed = unload.remove_stale_partitions(aws["s3"], EXPORT, destination, {"high", "normal"})
    assert removed == [f"{destination}revenue_flag=low/"]
    after = unload.register_export(aws["glue"], aws["s3"], "globalretail_exports", EXPORT, columns, destination)
    assert after[1].deleted == 1
    values = aws["glue"].get_partitions(DatabaseName="globalretail_exports", TableName="daily_revenue")["Partitions"]
    assert sorted(p["Values"][0] for p in values) == ["high", "normal"]


# --- the local export with DuckDB -------------------------------------------------------------------------


def make_warehouse(path: Path, flags: tuple[str, ...] = ("high", "normal", "low")) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema gold")
    con.execute(
        """
        create table gold.agg_daily_revenue as
        select
            date '2025-10-01' + cast(i as integer) as date_day,
            ? [1 + i % ?] as revenue_flag,
            sum(i)::hugeint as units_sold,
            cast(i * 10.25 as decimal(38, 2)) as revenue_amount
        from range(30) as r(i)
        group by i
        """,
        [list(flags), len(flags)],
    )
    con.close()


def read_back(destination: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    rows = con.execute(
        "select date_day, revenue_flag, units_sold, revenue_amount "
        "from read_parquet(?, hive_partitioning = true) order by date_day",
        [f"{destination}/*/*.parquet"],
    ).fetchall()
    con.close()
    return rows


def test_local_export_writes_the_partitioned_layout_and_reads_back_equal(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    make_warehouse(database)
    destination = tmp_path / "lake" / "exports" / "daily_revenue"
    report = unload.export_duckdb(database, EXPORT, str(destination))
    assert (report.rows, report.files, report.partitions) == (30, 3, ("high", "low", "normal"))
    assert sorted(p.name for p in destination.iterdir()) == [
        "revenue_flag=high",
        "revenue_flag=low",
        "revenue_flag=normal",
    ]
    con = duckdb.connect(str(database), read_only=True)
    expected = con.execute("select * from gold.agg_daily_revenue order by date_day").fetchall()
    con.close()
    assert read_back(destination) == expected
    assert read_back(destination)[1] == (dt.date(2025, 10, 2), "normal", 1, Decimal("10.25"))

    make_warehouse(tmp_path / "v2.duckdb", flags=("high", "normal"))  # 'low' vanished
    second = unload.export_duckdb(tmp_path / "v2.duckdb", EXPORT, str(destination))
    assert second.partitions == ("high", "normal")
    assert sorted(p.name for p in destination.iterdir()) == ["revenue_flag=high", "revenue_flag=normal"]


def test_local_export_column_types_for_glue(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    make_warehouse(database)
    columns = unload.local_glue_columns(database, EXPORT)
    assert [(c.name, c.data_type) for c in columns] == [
        ("date_day", "date"),
        ("revenue_flag", "varchar"),
        ("units_sold", "bigint"),
        ("revenue_amount", "numeric(38,2)"),
    ]
    with pytest.raises(unload.ExportError, match="run `warehouse build` first"):
        unload.export_duckdb(tmp_path / "missing.duckdb", EXPORT, str(tmp_path / "out"))


def test_sys_views_are_refused_on_a_provisioned_cluster_where_copy_ids_are_stl_ids() -> None:
    from warehouse.aws.copy import SystemViews, system_views_for
    from warehouse.aws.errors import LoadError

    assert system_views_for(None, serverless=False) is SystemViews.STL
    assert system_views_for(None, serverless=True) is SystemViews.SYS
    assert system_views_for("stl", serverless=False) is SystemViews.STL
    with pytest.raises(LoadError, match="STL query id"):
        system_views_for("sys", serverless=False)
