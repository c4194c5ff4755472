"""Dataset descriptions from the dbt sources, and `warehouse spectrum setup` against moto (Glue, S3, Data API)."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from aws_support import REGION, finish_moto_statements, moto_statements, normalize, set_dummy_aws_env
from warehouse import cli
from warehouse.aws import glue_catalog, spectrum
from warehouse.aws.data_api import DataApiRunner
from warehouse.aws.datasets import Column, FileFormat, load_datasets, read_sources_file
from warehouse.aws.errors import DatasetDefinitionError, GlueCatalogError
from warehouse.aws.glue_catalog import Change
from warehouse.aws.lake import S3Uri, discover_partitions
from warehouse.aws.settings import AwsSettings, RedshiftTarget
from warehouse.config import PROJECT_DIR
from warehouse.verify.redshift.glue_agreement import disagreements

# The raw lake's datasets (docs/lake.md); streams (web_events) are not Spectrum tables.
RAW_DATASETS = {"orders", "store_sales", "customers", "products", "stores", "campaigns", "channels", "warehouses"}
# Lake datasets outside raw/: the inventory history's cold tier (Parquet under cold/).
LAKE_DATASETS = RAW_DATASETS | {"inventory_movements_cold"}

BUCKET = "globalretail-raw-test"
SPECTRUM_ROLE = "arn:aws:iam::123456789012:role/globalretail-spectrum"


def write_sources(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "models" / "bronze" / "demo"
    folder.mkdir(parents=True)
    path = folder / "_demo__sources.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


DEMO_SOURCES = """\
    version: 2
    sources:
      - name: demo
        schema: "{{ var('spectrum_schema', 'spectrum_raw') }}"
        tables:
          - name: events
            description: "Raw lines {{ doc('x') }}"
            external:
              location: raw/events
              file_format: text_lines
              partitions:
                - name: dt
                  data_type: date
            columns:
              - name: raw_record
                data_type: varchar(65535)
              - name: dt
                meta: {physical: false}
          - name: sales
            description: One row per CSV row.
            external:
              location: raw/sales
              file_format: csv
              partitions:
                - name: dt
                  data_type: date
            columns:
              - name: sale_id
                description: The id.
                data_type: varchar(32)
              - name: amount
                data_type: numeric(12, 2)
              - name: source_file
                config:
                  meta: {physical: false}
          - name: no_external
            columns: []
"""


# --- datasets ---------------------------------------------------------------------------------------------


def test_reads_the_projects_sources_one_dataset_per_lake_dataset() -> None:
    datasets = {d.name: d for d in load_datasets(PROJECT_DIR)}
    assert set(datasets) == LAKE_DATASETS
    assert datasets["orders"].file_format is FileFormat.TEXT_LINES
    assert datasets["orders"].columns == (Column("raw_record", "varchar(65535)"),)
    assert datasets["customers"].file_format is FileFormat.TEXT_LINES
    assert datasets["store_sales"].file_format is FileFormat.CSV
    assert [c.name for c in datasets["store_sales"].columns][:2] == ["sale_id", "store_id"]
    for dataset in datasets.values():
        cold = dataset.name == "inventory_movements_cold"
        assert dataset.location == ("cold/inventory_movements" if cold else f"raw/{dataset.name}")
        assert [(p.name, p.data_type) for p in dataset.partitions] == [("dt", "date")]
        assert not {"source_file", "dt", "file_modified_at", "record_number"} & {c.name for c in dataset.columns}


def _rendered_redshift_ddl(tmp_path: Path) -> str:
    """analyses/redshift_ddl.sql compiled for Redshift offline: exactly the statements the dbt hook runs."""
    from dbt.cli.main import dbtRunner

    from warehouse.verify.redshift.dbt_offline import offline_environment, offline_redshift_adapter

    target = tmp_path / "target"
    args = ["compile", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target", "redshift"]
    args += ["--target-path", str(target), "--no-introspect", "--no-populate-cache", "--quiet"]
    with offline_environment(), offline_redshift_adapter(relations_exist=False):
        result = dbtRunner().invoke([*args, "--select", "redshift_ddl"])
    assert result.success, result.exception
    return next(target.glob("compiled/*/analyses/redshift_ddl.sql")).read_text(encoding="utf-8")


@pytest.mark.slow
def test_incremental_spectrum_reads_filter_the_partition_and_the_files_before_numbering(tmp_path: Path) -> None:
    """Partition pruning needs the `dt` predicate on the external table's own scan: applied above
    lake_records' window it would read every partition on every incremental run."""
    from dbt.cli.main import dbtRunner

    from warehouse.verify.redshift.dbt_offline import offline_environment, offline_redshift_adapter

    target = tmp_path / "target"
    args = ["compile", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target", "redshift"]
    args += ["--target-path", str(target), "--no-introspect", "--no-populate-cache", "--quiet"]
    with offline_environment(), offline_redshift_adapter(relations_exist=True):
        result = dbtRunner().invoke([*args, "--select", "stg_orders__orders_typed", "stg_pos__store_sales_typed"])
    assert result.success, result.exception
    for name in ("stg_orders__orders_typed", "stg_pos__store_sales_typed"):
        text = next(target.glob(f"compiled/*/models/bronze/*/{name}.sql")).read_text(encoding="utf-8")
        # The source CTE: the numbering select and, below its window, the scan of the external table.
        source = " ".join(text[text.index("source as (") : text.index("\n),\n")].split())
        scan = source[source.index('"spectrum_raw"') :]
        assert "as records where records.dt >= coalesce(" in scan, scan
        assert 'and records."$path" not in (' in scan, scan
        assert "row_number()" not in scan


@pytest.mark.slow
def test_glue_tables_and_the_spectrum_ddl_describe_every_dataset_alike(tmp_path: Path) -> None:
    ddl = _rendered_redshift_ddl(tmp_path)
    datasets = load_datasets(PROJECT_DIR)
    assert disagreements(ddl, datasets) == []
    assert "'dataset'" not in ddl and "json.serde" not in ddl.lower() and "ignore.malformed" not in ddl
    # Spectrum's default surplus handling nulls a value wider than its column: every text table truncates
    # instead, and bronze quarantines the value as too long.
    text_tables = [d for d in datasets if d.file_format is not FileFormat.PARQUET]
    assert text_tables and ddl.count("'surplus_char_handling' = 'TRUNCATE'") == len(text_tables)
    # A row that is not valid UTF-8 keeps its place with every value null, for bronze to quarantine.
    assert ddl.count("'invalid_char_handling' = 'DROP_ROW'") == len(text_tables)
    # The check can fail: a property only the DDL has, and a column type only Glue has, are both caught.
    drifted = ddl.replace("'surplus_char_handling' = 'TRUNCATE'", "'surplus_char_handling' = 'TRUNCATE', 'x' = '1'", 1)
    assert any("table properties differ" in p for p in disagreements(drifted, datasets))
    orders = next(d for d in datasets if d.name == "orders")
    narrowed = dataclasses.replace(orders, columns=(Column("raw_record", "varchar(32)"),))
    others = [d for d in datasets if d.name != "orders"]
    assert any(p.startswith("orders: columns differ") for p in disagreements(ddl, [*others, narrowed]))
    assert any("no Glue table" in p for p in disagreements(ddl, others))


def test_jinja_is_opaque_and_physical_false_columns_are_skipped(tmp_path: Path) -> None:
    events, sales = read_sources_file(write_sources(tmp_path, DEMO_SOURCES))
    assert events.description == ""  # contains Jinja: not rendered, not used
    assert sales.description == "One row per CSV row."
    assert [(c.name, c.data_type) for c in sales.columns] == [("sale_id", "varchar(32)"), ("amount", "numeric(12, 2)")]
    assert events.uri("s3://b/lake") == "s3://b/lake/raw/events/"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("file_format: text_lines", "not one of"),
        ("location: raw/sales", "must be a path"),
        ("data_type: numeric(12, 2)", "has no data_type"),
    ],
)
def test_invalid_descriptions_say_what_to_fix(tmp_path: Path, change: str, message: str) -> None:
    broken = {
        "file_format: text_lines": DEMO_SOURCES.replace("file_format: text_lines", "file_format: ndjson"),
        "location: raw/sales": DEMO_SOURCES.replace("location: raw/sales", "location: ../outside"),
        "data_type: numeric(12, 2)": DEMO_SOURCES.replace("data_type: numeric(12, 2)", "description: no type"),
    }[change]
    with pytest.raises(DatasetDefinitionError, match=message):
        read_sources_file(write_sources(tmp_path, broken))


def test_text_lines_tables_have_exactly_one_physical_column(tmp_path: Path) -> None:
    broken = DEMO_SOURCES.replace("              - name: dt\n                meta: {physical: false}\n", "", 1)
    broken = broken.replace(
        "                data_type: varchar(65535)\n",
        "                data_type: varchar(65535)\n              - name: dt\n",
        1,
    )
    with pytest.raises(DatasetDefinitionError, match="one physical column"):
        read_sources_file(write_sources(tmp_path, broken))


def test_hive_types() -> None:
    assert glue_catalog.hive_type("varchar(65535)") == "varchar(65535)"
    assert glue_catalog.hive_type("numeric(12, 2)") == "decimal(12,2)"
    assert glue_catalog.hive_type("INTEGER") == "int"
    assert glue_catalog.hive_type("timestamp without time zone") == "timestamp"
    assert glue_catalog.hive_type("character varying") == "string"
    with pytest.raises(GlueCatalogError, match="no Glue equivalent"):
        glue_catalog.hive_type("super")
    with pytest.raises(GlueCatalogError, match="65535"):
        glue_catalog.hive_type("varchar(70000)")


def test_table_inputs_use_the_right_serde_per_format(tmp_path: Path) -> None:
    events, sales = read_sources_file(write_sources(tmp_path, DEMO_SOURCES))
    text = glue_catalog.dataset_table_input(events, "s3://b/lake")
    assert text["StorageDescriptor"]["SerdeInfo"] == {
        "SerializationLibrary": glue_catalog.LAZY_SIMPLE_SERDE,
        "Parameters": {"field.delim": "\u0001", "serialization.format": "\u0001"},
    }
    assert text["StorageDescriptor"]["Columns"] == [{"Name": "raw_record", "Type": "varchar(65535)"}]
    assert text["PartitionKeys"] == [{"Name": "dt", "Type": "date"}]
    assert text["StorageDescriptor"]["Location"] == "s3://b/lake/raw/events/"
    csv = glue_catalog.dataset_table_input(sales, "s3://b/lake")
    assert csv["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == glue_catalog.OPEN_CSV_SERDE
    assert csv["Parameters"]["skip.header.line.count"] == "1"
    parquet = glue_catalog.table_input("x", FileFormat.PARQUET, sales.columns, [], "s3://b/x/")
    assert parquet["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == glue_catalog.PARQUET_SERDE
    assert parquet["StorageDescriptor"]["InputFormat"] == glue_catalog.PARQUET_INPUT


# --- Glue and the external schema through moto -------------------------------------------------------------


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    set_dummy_aws_env(monkeypatch)
    finish_moto_statements(monkeypatch)
    monkeypatch.setenv("WAREHOUSE_LAKE_ROOT", f"s3://{BUCKET}/lake")
    monkeypatch.setenv("REDSHIFT_SPECTRUM_ROLE_ARN", SPECTRUM_ROLE)
    monkeypatch.setenv("REDSHIFT_CLUSTER_ID", "globalretail")
    monkeypatch.setenv("REDSHIFT_USER", "etl")
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        for day in ("2025-10-01", "2025-10-02"):
            s3.put_object(Bucket=BUCKET, Key=f"lake/raw/events/dt={day}/part-0000.ndjson", Body=b'{"a": 1}\n')
            s3.put_object(Bucket=BUCKET, Key=f"lake/raw/sales/dt={day}/part-0000.csv", Body=b"sale_id,amount\n1,2\n")
        s3.put_object(Bucket=BUCKET, Key="lake/raw/events/dt=latest/part-0000.ndjson", Body=b"{}\n")  # not a date
        s3.put_object(Bucket=BUCKET, Key="lake/raw/events/_SUCCESS", Body=b"")
        yield {"s3": s3, "glue": boto3.client("glue", region_name=REGION)}


def _runner() -> DataApiRunner:
    client = boto3.client("redshift-data", region_name=REGION)
    return DataApiRunner(
        client, RedshiftTarget("globalretail", cluster_id="globalretail", db_user="etl"), sleep=lambda _s: None
    )


def _snapshot(glue: Any) -> dict[str, Any]:
    tables = glue.get_tables(DatabaseName="globalretail_raw")["TableList"]
    result = {}
    for table in tables:
        partitions = glue.get_partitions(DatabaseName="globalretail_raw", TableName=table["Name"])["Partitions"]
        versions = glue.get_table_versions(DatabaseName="globalretail_raw", TableName=table["Name"])["TableVersions"]
        result[table["Name"]] = {
            "sd": table["StorageDescriptor"],
            "keys": table["PartitionKeys"],
            "parameters": table["Parameters"],
            "versions": len(versions),
            "partitions": sorted((tuple(p["Values"]), p["StorageDescriptor"]["Location"]) for p in partitions),
        }
    return result


def test_discovers_partitions_from_folders_and_skips_strays(aws: Any) -> None:
    found = discover_partitions(aws["s3"], f"s3://{BUCKET}/lake/raw/events/", [("dt", "date")])
    assert [(p.values, p.location) for p in found] == [
        (("2025-10-01",), f"s3://{BUCKET}/lake/raw/events/dt=2025-10-01/"),
        (("2025-10-02",), f"s3://{BUCKET}/lake/raw/events/dt=2025-10-02/"),
    ]
    assert S3Uri.parse("s3://bucket/a/b").child("c") == S3Uri("bucket", "a/b/c/")


def test_setup_creates_everything_then_a_second_run_changes_nothing(aws: Any, tmp_path: Path) -> None:
    datasets = read_sources_file(write_sources(tmp_path, DEMO_SOURCES))
    settings = AwsSettings.from_env()
    first = spectrum.setup(settings, datasets, aws["glue"], aws["s3"], _runner())
    assert first.database is Change.CREATED
    assert [(t.table, t.change, t.partitions.created) for t in first.tables] == [
        ("events", Change.CREATED, 2),
        ("sales", Change.CREATED, 2),
    ]
    before = _snapshot(aws["glue"])
    assert before["events"]["partitions"][0] == (("2025-10-01",), f"s3://{BUCKET}/lake/raw/events/dt=2025-10-01/")
    assert before["sales"]["parameters"]["skip.header.line.count"] == "1"

    second = spectrum.setup(settings, datasets, aws["glue"], aws["s3"], _runner())
    assert not second.changed
    assert [(t.change, t.partitions.unchanged, t.partitions.created) for t in second.tables] == [
        (Change.UNCHANGED, 2, 0),
        (Change.UNCHANGED, 2, 0),
    ]
    assert _snapshot(aws["glue"]) == before  # same definitions, no new table versions

    statements = [normalize(s.query_string) for s in moto_statements()]
    expected = normalize(
        """create external schema if not exists "spectrum_raw" from data catalog database 'globalretail_raw'
        region 'us-east-1' iam_role 'arn:aws:iam::123456789012:role/globalretail-spectrum'"""
    )
    assert statements == [expected, expected]
    assert {(s.cluster_identifier, s.db_user, s.database) for s in moto_statements()} == {
        ("globalretail", "etl", "globalretail")
    }


def test_setup_registers_new_days_updates_changed_tables_and_prunes_on_request(aws: Any, tmp_path: Path) -> None:
    datasets = read_sources_file(write_sources(tmp_path, DEMO_SOURCES))
    settings = AwsSettings.from_env()
    spectrum.sync_catalog(settings, datasets, aws["glue"], aws["s3"])
    aws["s3"].put_object(Bucket=BUCKET, Key="lake/raw/events/dt=2025-10-03/part-0000.ndjson", Body=b"{}\n")
    aws["s3"].delete_object(Bucket=BUCKET, Key="lake/raw/sales/dt=2025-10-01/part-0000.csv")
    changed = write_sources(tmp_path / "v2", DEMO_SOURCES.replace("varchar(32)", "varchar(64)"))
    _, outcomes = spectrum.sync_catalog(settings, read_sources_file(changed), aws["glue"], aws["s3"])
    events, sales = outcomes
    assert (events.change, events.partitions.created, events.partitions.unchanged) == (Change.UNCHANGED, 1, 2)
    assert sales.change is Change.UPDATED  # a column type changed
    assert sales.partitions.updated == 1  # its partition's columns follow the table
    assert sales.partitions.stale == (("2025-10-01",),)  # reported, kept without --prune
    _, pruned = spectrum.sync_catalog(settings, read_sources_file(changed), aws["glue"], aws["s3"], prune=True)
    assert pruned[1].partitions.deleted == 1
    sd = aws["glue"].get_table(DatabaseName="globalretail_raw", Name="sales")["Table"]["StorageDescriptor"]
    assert sd["Columns"][0] == {"Name": "sale_id", "Type": "varchar(64)", "Comment": "The id."}


def test_setup_command_with_the_projects_sources(aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    assert "warehouse.commands.spectrum" in cli.COMMAND_MODULES
    aws["s3"].put_object(Bucket=BUCKET, Key="lake/raw/orders/dt=2025-10-01/part-0000.ndjson", Body=b"{}\n")
    assert cli.main(["spectrum", "setup"]) == 0
    output = capsys.readouterr().out
    assert "orders" in output and "created" in output
    tables = {t["Name"] for t in aws["glue"].get_tables(DatabaseName="globalretail_raw")["TableList"]}
    assert tables == LAKE_DATASETS
    orders = aws["glue"].get_partitions(DatabaseName="globalretail_raw", TableName="orders")["Partitions"]
    assert [p["Values"] for p in orders] == [["2025-10-01"]]


def test_setup_command_names_the_missing_setting(aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    assert "warehouse.commands.spectrum" in cli.COMMAND_MODULES
    monkeypatch.delenv("REDSHIFT_SPECTRUM_ROLE_ARN")
    assert cli.main(["spectrum", "setup"]) == 1
    assert "set REDSHIFT_SPECTRUM_ROLE_ARN" in normalize(capsys.readouterr().err)
    monkeypatch.setenv("WAREHOUSE_LAKE_ROOT", "/tmp/local-lake")
    assert cli.main(["spectrum", "setup", "--catalog-only"]) == 1
    assert "Glue and Redshift read the lake from S3" in normalize(capsys.readouterr().err)
