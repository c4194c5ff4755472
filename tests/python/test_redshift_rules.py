"""Tests for the recorded dbt-redshift build and the statement rules (verify/redshift/recording.py, rules/).

Every rule gets a deliberately broken input that it must catch and a good one that it must pass. The pretend
warehouse and the recording connection are tested directly; one slow test records a tiny dbt project in
tmp_path end to end (no network: the recording blocks sockets).
"""

from __future__ import annotations

import json
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest

from warehouse.verify.redshift.compat import check_sql
from warehouse.verify.redshift.errors import OfflineConnectionError
from warehouse.verify.redshift.findings import Check, Finding
from warehouse.verify.redshift.recording import (
    PHASE_FIRST_BUILD,
    PHASE_FRESHNESS,
    PHASE_SECOND_BUILD,
    Recorder,
    RecordingHandle,
    RecordSettings,
    Statement,
    load_recording,
    record_project,
    recording_adapter,
)
from warehouse.verify.redshift.rules import (
    RULES,
    RuleContext,
    kinesis_schemas,
    mviews,
    payloads,
    run_rules,
    spectrum,
    system_views,
    transactions,
)
from warehouse.verify.redshift.rules.external import parse_external_table
from warehouse.verify.redshift.simulated import WarehouseState, evaluate_constant
from warehouse.verify.redshift.sqltext import normalized

DB = "globalretail"

# --- building inputs ----------------------------------------------------------------------------------------


def statements(*items: str | tuple[str, dict[str, Any]]) -> tuple[Statement, ...]:
    """Statements from SQL strings, or (sql, {phase, node, in_transaction}) pairs, numbered in order."""
    built = []
    for index, item in enumerate(items):
        sql, extra = (item, {}) if isinstance(item, str) else item
        built.append(
            Statement(
                index,
                extra.get("phase", PHASE_SECOND_BUILD),
                extra.get("node", "model.p.m"),
                sql,
                extra.get("in_transaction", False),
            )
        )
    return tuple(built)


def model(name: str, schema: str, materialized: str, depends: tuple[str, ...] = (), **config: Any) -> dict[str, Any]:
    columns = config.pop("columns", ())
    return {
        "resource_type": "model",
        "name": name,
        "database": DB,
        "schema": schema,
        "alias": name,
        "config": {"materialized": materialized, **config},
        "depends_on": {"nodes": list(depends)},
        "columns": {column: {"name": column} for column in columns},
    }


def manifest(nodes: dict[str, dict[str, Any]] | None = None, sources: dict[str, dict[str, Any]] | None = None):
    return {"nodes": nodes or {}, "sources": sources or {}}


def kinesis_source(name: str = "web_events") -> dict[str, Any]:
    return {"database": DB, "schema": "kinesis", "identifier": name, "name": name, "columns": {}, "external": None}


def run(rule_check: Any, stmts: tuple[Statement, ...], man: dict[str, Any] | None = None, **kw: Any) -> list[Finding]:
    context = RuleContext(stmts, man or manifest(), frozenset({"kinesis"}), **kw)
    return list(rule_check(context).findings)


NESTED_TABLE = """create external table spectrum_raw.customers (
    page int,
    data array<struct<customer_id:varchar(32), email:varchar(256)>>
)
partitioned by (dt date)
row format serde 'org.openx.data.jsonserde.JsonSerDe'
stored as textfile
location 's3://bucket/lake/raw/customers/'"""

FLAT_TABLE = """create external table spectrum_raw.orders (raw_record varchar(65535))
partitioned by (dt date)
row format delimited fields terminated by '\\001' lines terminated by '\\n'
stored as textfile
location 's3://bucket/lake/raw/orders/'
table properties ('data_cleansing_enabled' = 'true', 'surplus_char_handling' = 'TRUNCATE')"""


# --- pseudocolumns on nested data -------------------------------------------------------------------------


def test_pseudocolumn_of_a_nested_external_table_is_caught() -> None:
    bad = statements(
        NESTED_TABLE,
        'create view "globalretail"."bronze"."stg" as (select records."$path" as f, c.email '
        "from spectrum_raw.customers as records, records.data as c) with no schema binding",
    )
    findings = run(spectrum.check_pseudocolumns, bad)
    assert len(findings) == 1
    assert '"$path" is selected from spectrum_raw.customers, which has nested columns (data)' in findings[0].message
    assert "nested-data-restrictions.html" in findings[0].message


def test_pseudocolumn_of_a_flat_table_passes_even_next_to_a_nested_one() -> None:
    good = statements(
        NESTED_TABLE,
        FLAT_TABLE,
        'select o."$path", o.raw_record from spectrum_raw.orders as o',
        'select o."$size" from spectrum_raw.orders o join spectrum_raw.customers c on c.page = 1',
    )
    assert run(spectrum.check_pseudocolumns, good) == []


def test_external_table_is_read_back_with_nested_columns_and_partitions() -> None:
    table = parse_external_table(NESTED_TABLE)
    assert table is not None
    assert (table.schema, table.name, table.nested_columns) == ("spectrum_raw", "customers", ["data"])
    assert table.partitions == {"dt": "date"}
    assert table.serde == "org.openx.data.jsonserde.JsonSerDe"


# --- materialized view on a materialized view -------------------------------------------------------------

MV_NODES = {
    "model.p.agg_base": model("agg_base", "gold", "materialized_view", auto_refresh=True),
    "model.p.fct_sales": model("fct_sales", "gold", "table"),
}


def create_mv(name: str, auto: str, reads: str) -> str:
    return (
        f'create materialized view "globalretail"."gold"."{name}" backup yes diststyle even '
        f'auto refresh {auto} as ( select * from "globalretail"."gold"."{reads}" )'
    )


def test_auto_refresh_mv_on_another_mv_is_caught() -> None:
    findings = run(mviews.check_mv_on_mv, statements(create_mv("agg_top", "yes", "agg_base")), manifest(MV_NODES))
    assert len(findings) == 1
    assert "reads the materialized view gold.agg_base" in findings[0].message
    assert "materialized-view-create-sql-command.html" in findings[0].message


@pytest.mark.parametrize(("auto", "reads"), [("no", "agg_base"), ("yes", "fct_sales")])
def test_mv_without_auto_refresh_or_over_a_table_passes(auto: str, reads: str) -> None:
    assert run(mviews.check_mv_on_mv, statements(create_mv("agg_top", auto, reads)), manifest(MV_NODES)) == []


# --- contracts on materialized views ------------------------------------------------------------------------


def test_enforced_contract_on_a_materialized_view_is_caught() -> None:
    nodes = {"model.p.agg": model("agg", "gold", "materialized_view", contract={"enforced": True})}
    findings = run(mviews.check_contract_on_mv, (), manifest(nodes))
    assert [f.subject for f in findings] == ["model.p.agg"]
    assert "dbt does not enforce contracts on materialized views" in findings[0].message


def test_contract_on_a_table_and_an_mv_without_contract_pass() -> None:
    nodes = {
        "model.p.agg": model("agg", "gold", "materialized_view", contract={"enforced": False}),
        "model.p.dim": model("dim", "gold", "table", contract={"enforced": True}),
    }
    assert run(mviews.check_contract_on_mv, (), manifest(nodes)) == []


# --- DROP ... CASCADE of a relation an MV or a bound view depends on ---------------------------------------

SWAP = (
    'alter table "globalretail"."gold"."fct_sales" rename to "fct_sales__dbt_backup"',
    'alter table "globalretail"."gold"."fct_sales__dbt_tmp" rename to "fct_sales"',
    'drop table if exists "globalretail"."gold"."fct_sales__dbt_backup" cascade',
)


def test_swap_of_a_table_under_a_materialized_view_is_caught() -> None:
    nodes = {
        "model.p.fct_sales": model("fct_sales", "gold", "table"),
        "model.p.agg": model("agg", "gold", "materialized_view", ("model.p.fct_sales",)),
        "model.p.v_bound": model("v_bound", "gold", "view", ("model.p.fct_sales",)),
        "model.p.v_late": model("v_late", "gold", "view", ("model.p.fct_sales",), bind=False),
    }
    findings = run(mviews.check_drop_cascade, statements(*SWAP), manifest(nodes))
    assert len(findings) == 1
    message = findings[0].message
    assert "gold.fct_sales__dbt_backup (the previous gold.fct_sales) is dropped" in message
    assert "materialized view gold.agg" in message and "bound view gold.v_bound" in message
    assert "v_late" not in message
    assert "r_DROP_TABLE.html" in message


def test_swap_with_only_late_binding_dependents_and_leftover_drops_pass() -> None:
    nodes = {
        "model.p.fct_sales": model("fct_sales", "gold", "table"),
        "model.p.v_late": model("v_late", "gold", "view", ("model.p.fct_sales",), bind=False),
        "model.p.agg": model("agg", "gold", "materialized_view", ("model.p.other",)),
    }
    leftover = statements(
        ('drop table if exists "globalretail"."gold"."fct_sales__dbt_backup" cascade', {"phase": PHASE_FIRST_BUILD}),
        *SWAP,
    )
    assert run(mviews.check_drop_cascade, leftover, manifest(nodes)) == []


# --- streaming materialized views -------------------------------------------------------------------------

STREAM_SQL = (
    'create materialized view "globalretail"."bronze"."stg_stream" backup yes diststyle even auto refresh yes as '
    '( select approximate_arrival_timestamp, kinesis_data from "globalretail"."kinesis"."web_events" )'
)


def stream_manifest(**config: Any) -> dict[str, Any]:
    settings = {"full_refresh": False, "on_configuration_change": "fail", **config}
    nodes = {
        "model.p.stg_stream": model("stg_stream", "bronze", "materialized_view", ("source.p.web.events",), **settings)
    }
    return manifest(nodes, {"source.p.web.events": kinesis_source()})


def test_streaming_mv_dropped_or_recreated_when_it_exists_is_caught() -> None:
    recreated = statements(
        (
            'drop materialized view if exists "globalretail"."bronze"."stg_stream" cascade',
            {"phase": PHASE_SECOND_BUILD},
        ),
        (STREAM_SQL, {"phase": PHASE_SECOND_BUILD}),
    )
    findings = run(mviews.check_streaming_recreated, recreated, stream_manifest())
    assert [("dropped while it exists" in f.message, "re-created while it exists" in f.message) for f in findings] == [
        (True, False),
        (False, True),
    ]
    assert all(
        "TRIM_HORIZON" in f.message and "materialized-view-streaming-ingestion.html" in f.message for f in findings
    )


def test_streaming_mv_that_full_refresh_would_recreate_is_caught() -> None:
    findings = run(
        mviews.check_streaming_recreated, (), stream_manifest(full_refresh=None, on_configuration_change=None)
    )
    assert len(findings) == 2
    assert "full_refresh is not false" in findings[0].message
    assert "on_configuration_change is 'apply'" in findings[1].message


def test_streaming_mv_created_by_the_first_build_and_refreshed_later_passes() -> None:
    good = statements(
        (STREAM_SQL, {"phase": PHASE_FIRST_BUILD}),
        ('refresh materialized view "globalretail"."bronze"."stg_stream"', {"phase": PHASE_SECOND_BUILD}),
        ('drop materialized view if exists "globalretail"."bronze"."stg_stream__dbt_backup" cascade', {}),
    )
    assert run(mviews.check_streaming_recreated, good, stream_manifest()) == []


# --- reading a stream outside its streaming MV -------------------------------------------------------------


def test_test_or_freshness_reading_the_stream_is_caught() -> None:
    bad = statements(
        (STREAM_SQL, {"phase": PHASE_FIRST_BUILD}),
        (
            'select max(approximate_arrival_timestamp) as max_loaded_at from "globalretail"."kinesis"."web_events"',
            {"phase": PHASE_FRESHNESS, "node": "source.p.web.events"},
        ),
    )
    findings = run(mviews.check_kinesis_reads, bad, stream_manifest())
    assert [f.subject for f in findings] == ["source.p.web.events"]
    assert "reads the Kinesis stream kinesis.web_events outside a streaming materialized view" in findings[0].message


def test_streaming_mv_and_the_external_schema_may_name_the_stream() -> None:
    good = statements(
        "create external schema if not exists kinesis from kinesis iam_role 'arn:aws:iam::1:role/r'",
        STREAM_SQL,
        'select max(approximate_arrival_timestamp) from "globalretail"."bronze"."stg_stream"',
    )
    assert run(mviews.check_kinesis_reads, good, stream_manifest()) == []


def test_kinesis_schemas_come_from_the_project_var_and_the_recorded_ddl(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: p\nvars:\n  kinesis_schema: streams\n", encoding="utf-8")
    recorded = statements("create external schema if not exists clicks from kinesis iam_role 'r'")
    assert kinesis_schemas(recorded, tmp_path) == frozenset({"streams", "clicks"})


# --- CREATE EXTERNAL TABLE properties ----------------------------------------------------------------------

JSON_TABLE = """create external table spectrum_raw.pages (page int)
row format serde 'org.openx.data.jsonserde.JsonSerDe'
with serdeproperties ({serde})
stored as textfile
location 's3://bucket/pages/'
table properties ({props})"""


@pytest.mark.parametrize(
    ("serde", "props", "expected"),
    [
        ("'strip.outer.array' = 'true'", "'dataset' = 'pages'", "table property 'dataset' is not a documented"),
        ("'ignore.malformed.json' = 'true'", "'numRows' = '10'", "SERDEPROPERTIES 'ignore.malformed.json' not"),
        (
            "'strip.outer.array' = 'true'",
            "'surplus_char_handling' = 'CUT'",
            "'surplus_char_handling' = 'CUT' is not one",
        ),
        (
            "'strip.outer.array' = 'true'",
            "'SKIP.HEADER.LINE.COUNT' = '1'",
            "'SKIP.HEADER.LINE.COUNT' is not a documented",
        ),
    ],
)
def test_undocumented_external_table_properties_are_caught(serde: str, props: str, expected: str) -> None:
    findings = run(spectrum.check_external_properties, statements(JSON_TABLE.format(serde=serde, props=props)))
    assert len(findings) == 1 and expected in findings[0].message, findings
    assert "r_CREATE_EXTERNAL_TABLE.html" in findings[0].message


def test_undocumented_opencsv_serde_properties_are_caught_and_wholefile_passes() -> None:
    csv = (
        "create external table spectrum_raw.stores (store_id varchar(32)) "
        "row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' with serdeproperties ({props}) "
        "stored as textfile location 's3://b/stores/' table properties ('skip.header.line.count' = '1')"
    )
    bad = run(spectrum.check_external_properties, statements(csv.format(props="'separatorChar' = ','")))
    assert len(bad) == 1 and "'separatorChar' not documented" in bad[0].message
    assert run(spectrum.check_external_properties, statements(csv.format(props="'wholeFile' = 'true'"))) == []


def test_documented_properties_and_alter_set_properties_are_checked() -> None:
    good = JSON_TABLE.format(serde="'dots.in.keys' = 'true', 'mapping.ts' = 'timestamp'", props="'numRows' = '100'")
    assert run(spectrum.check_external_properties, statements(good, FLAT_TABLE)) == []
    alter = "alter table spectrum_raw.orders set table properties ('dataset' = 'orders')"
    findings = run(spectrum.check_external_properties, statements(alter))
    assert len(findings) == 1 and "'dataset'" in findings[0].message


# --- source freshness loaded_at_field ------------------------------------------------------------------------


def spectrum_source(loaded_at_field: str) -> dict[str, Any]:
    return {
        "database": DB,
        "schema": "spectrum_raw",
        "identifier": "orders",
        "name": "orders",
        "loaded_at_field": loaded_at_field,
        "columns": {"raw_record": {"name": "raw_record"}, "file_modified_at": {"name": "file_modified_at"}},
        "external": {"location": "raw/orders"},
    }


def freshness_query(field: str, relation: str = '"globalretail"."spectrum_raw"."orders"') -> tuple[str, dict[str, Any]]:
    sql = f"select max({field}) as max_loaded_at, getdate() as snapshotted_at from {relation}"
    return sql, {"phase": PHASE_FRESHNESS, "node": "source.p.orders.orders"}


def test_loaded_at_field_that_is_not_a_column_of_the_external_table_is_caught() -> None:
    man = manifest(sources={"source.p.orders.orders": spectrum_source("file_modified_at")})
    findings = run(spectrum.check_loaded_at, statements(FLAT_TABLE, freshness_query("file_modified_at")), man)
    assert [f.subject for f in findings] == ["source.p.orders.orders"]
    assert "uses 'file_modified_at', which is not a column of spectrum_raw.orders" in findings[0].message


def test_loaded_at_field_on_a_partition_column_or_a_pseudocolumn_passes() -> None:
    for field in ("cast(dt as timestamp)", '"$path"'):
        man = manifest(sources={"source.p.orders.orders": spectrum_source(field)})
        assert run(spectrum.check_loaded_at, statements(FLAT_TABLE, freshness_query(field)), man) == [], field


def test_loaded_at_field_pseudocolumn_on_a_nested_table_is_caught() -> None:
    source = {**spectrum_source('"$path"'), "identifier": "customers", "name": "customers"}
    man = manifest(sources={"source.p.orders.orders": source})
    query = freshness_query('"$path"', '"globalretail"."spectrum_raw"."customers"')
    findings = run(spectrum.check_loaded_at, statements(NESTED_TABLE, query), man)
    assert len(findings) == 1 and "pseudocolumn" in findings[0].message


def test_loaded_at_field_is_checked_against_the_relation_freshness_reads() -> None:
    nodes = {"model.p.stg_stream": model("stg_stream", "bronze", "materialized_view", columns=("arrived_at",))}
    source = {**kinesis_source(), "loaded_at_field": "approximate_arrival_timestamp"}
    man = manifest(nodes, {"source.p.orders.orders": source})
    query = freshness_query("approximate_arrival_timestamp", '"globalretail"."bronze"."stg_stream"')
    findings = run(spectrum.check_loaded_at, statements(query), man)
    assert len(findings) == 1 and "not a column of bronze.stg_stream" in findings[0].message
    assert run(spectrum.check_loaded_at, statements(), man) == []  # the stream itself has the column


# --- partition registration ---------------------------------------------------------------------------------


def add_partitions(days: int) -> str:
    clauses = "\n".join(
        f"partition (dt = '2024-01-{day:02d}') location 's3://b/orders/dt=2024-01-{day:02d}/'" for day in range(days)
    )
    return f"alter table spectrum_raw.orders add if not exists\n{clauses}"


def test_more_than_100_partitions_in_one_alter_is_caught_and_the_total_is_reported() -> None:
    outcome = spectrum.check_partitions(RuleContext(statements(add_partitions(101), add_partitions(3))))
    assert outcome.checked == 104
    assert "2 ALTERs" in outcome.unit
    assert len(outcome.findings) == 1
    assert "adds 101 partitions: the Glue catalog accepts at most 100" in outcome.findings[0].message
    assert "r_ALTER_TABLE.html" in outcome.findings[0].message


def test_100_partitions_in_one_alter_pass() -> None:
    outcome = spectrum.check_partitions(RuleContext(statements(add_partitions(100))))
    assert (outcome.checked, outcome.findings) == (100, ())


# --- JSON input sizes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("from_varbyte(kinesis_data, 'utf-8') as raw_payload", "from_varbyte(kinesis_data, ...) without a length"),
        ("json_extract_path_text(from_varbyte(kinesis_data, 'utf-8'), 'id') as id", "json_extract_path_text() on"),
        ("is_valid_json(from_varbyte(kinesis_data, 'utf-8')) as ok", "is_valid_json() on a Kinesis payload"),
        (
            "case when len(kinesis_data) <= 1048576 then from_varbyte(kinesis_data, 'utf-8') end as raw_payload",
            "without a length guard",
        ),
    ],
)
def test_unguarded_kinesis_payload_conversions_are_caught(expression: str, expected: str) -> None:
    sql = f'select {expression} from "globalretail"."kinesis"."web_events"'
    findings = run(payloads.check_json_sizes, statements(sql))
    assert findings and expected in findings[0].message, findings
    assert "JSON_EXTRACT_PATH_TEXT.html" in findings[0].message


@pytest.mark.parametrize(
    "expression",
    [
        "case when len(kinesis_data) <= 65535 then from_varbyte(kinesis_data, 'utf-8') end as raw_payload",
        "case when octet_length(kinesis_data) < 65000 then json_extract_path_text(from_varbyte(kinesis_data, "
        "'utf-8'), 'id') end as id",
        "case when can_json_parse(kinesis_data) then json_parse(kinesis_data) end as payload",
        "json_extract_path_text(raw_payload, 'id') as id",
    ],
)
def test_guarded_or_super_payload_conversions_pass(expression: str) -> None:
    sql = f'select {expression} from "globalretail"."kinesis"."web_events"'
    assert run(payloads.check_json_sizes, statements(sql)) == []


# --- statements not allowed in a transaction block ---------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        FLAT_TABLE,
        "alter table spectrum_raw.orders add if not exists partition (dt = '2024-01-01') location 's3://b/o/'",
        "drop table spectrum_raw.orders",
        "vacuum delete only silver.t",
        "alter table silver.t append from silver.staging",
    ],
)
def test_restricted_statement_inside_a_transaction_block_is_caught(sql: str) -> None:
    created = (FLAT_TABLE, {"in_transaction": False})  # makes spectrum_raw an external schema
    findings = run(transactions.check_transactions, statements(created, (sql, {"in_transaction": True})))
    assert len(findings) == 1 and "inside a transaction block" in findings[0].message, sql
    assert run(transactions.check_transactions, statements(created, (sql, {"in_transaction": False}))) == []


def test_ordinary_ddl_inside_a_transaction_block_passes() -> None:
    ddl = statements(
        ('create table "globalretail"."silver"."t" as (select 1 as a)', {"in_transaction": True}),
        ('alter table "globalretail"."silver"."t" rename to "t__dbt_backup"', {"in_transaction": True}),
        ("create external schema if not exists spectrum_raw from data catalog database 'x'", {"in_transaction": True}),
    )
    assert run(transactions.check_transactions, ddl) == []


# --- STL/SVL query ids with SYS views -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "select h.loaded_rows from stl_load_commits c join sys_load_history h on c.query = h.query_id",
        "select loaded_rows from sys_load_history where query_id = pg_last_copy_id()",
    ],
)
def test_stl_ids_mixed_with_sys_views_are_caught(sql: str) -> None:
    findings = run(system_views.check_system_views, statements(sql))
    assert len(findings) == 1 and "sys_view_migration.html" in findings[0].message


def test_sql_of_one_kind_of_system_view_passes() -> None:
    good = statements(
        "select count(*) from stl_load_errors where query = pg_last_copy_id()",
        "select loaded_rows from sys_load_history where query_id = 42",
    )
    assert run(system_views.check_system_views, good) == []


def test_sql_literals_of_python_code_are_checked(tmp_path: Path) -> None:
    module = tmp_path / "stats.py"
    module.write_text(
        textwrap.dedent(
            """
            def stats_sql(query_id: int) -> str:
                return (
                    "select count(*) from stl_load_errors e "
                    f"join sys_load_history h on e.query = h.query_id where e.query = {query_id}"
                )


            def fine_sql() -> str:
                return "select loaded_rows from sys_load_history where query_id = :query_id"
            """
        ),
        encoding="utf-8",
    )
    texts = system_views.sql_files([tmp_path])
    assert len(texts) == 2
    checked, findings = system_views.check_sql_texts(texts)
    assert checked == 2
    assert [f.subject for f in findings] == [f"{module}:4"]
    context = RuleContext((), extra_sql=tuple(texts))
    assert len(system_views.check_system_views(context).findings) == 1


def test_the_warehouse_aws_code_keeps_stl_and_sys_apart() -> None:
    from warehouse.config import PROJECT_DIR

    checked, findings = system_views.check_sql_texts(system_views.sql_files([PROJECT_DIR / "scripts/warehouse/aws"]))
    assert checked > 0
    assert findings == []


# --- compat: results that differ between DuckDB and Redshift ---------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select a from t order by a desc", "'desc' without 'nulls first' or 'nulls last'"),
        ("select row_number() over (partition by a order by b desc) from t", "'desc' without"),
        ("select avg(amount) from t", "'avg(' of an argument that is not cast"),
        ("select avg(amount::decimal) from t", "'avg(' of an argument that is not cast"),
        ("select avg(cast(amount as decimal(18, 4))) from t", "'avg(' of an argument that is not cast"),
        ("select avg(cast(a as double precision) + b) over () from t", "'avg(' of an argument"),
    ],
)
def test_engine_dependent_results_are_caught(sql: str, expected: str) -> None:
    findings = check_sql(sql, "model.p.m")
    assert len(findings) == 1 and expected in findings[0].message, findings
    assert findings[0].check is Check.COMPAT


@pytest.mark.parametrize(
    "sql",
    [
        "select a from t order by a desc nulls last, b asc",
        "select row_number() over (partition by a order by b desc nulls first) from t",
        "select avg(cast(amount as double precision)) from t",
        "select avg(distinct amount::float8) over (partition by a) from t",
        "select s.avg(x) from t",
    ],
)
def test_explicit_null_order_and_cast_averages_pass(sql: str) -> None:
    assert check_sql(sql, "model.p.m") == []


# --- the pretend warehouse ----------------------------------------------------------------------------------


def warehouse_manifest() -> dict[str, Any]:
    nodes = {
        "model.p.fct_sales": model("fct_sales", "gold", "table", columns=("sale_id", "sold_at")),
        "model.p.agg": model("agg", "gold", "materialized_view", dist="all", sort=["date_day"], auto_refresh=True),
        "model.p.stg": model("stg", "bronze", "view"),
    }
    nodes["model.p.fct_sales"]["columns"]["sold_at"]["data_type"] = "timestamp"
    external = {
        **spectrum_source("dt"),
        "columns": {"raw_record": {"name": "raw_record", "data_type": "varchar(65535)"}},
    }
    return manifest(nodes, {"source.p.orders.orders": external})


LIST_RELATIONS = (
    "select table_catalog as database, table_name as name, table_schema as schema, 'table' as type "
    "from information_schema.tables where table_schema ilike 'gold' and table_type = 'BASE TABLE' union all "
    "select table_catalog as database, table_name as name, table_schema as schema, 'view' as type "
    "from information_schema.views where table_schema ilike 'gold'"
)


def test_warehouse_lists_every_relation_with_its_type_only_when_they_exist() -> None:
    assert WarehouseState(warehouse_manifest(), exists=False).answer(LIST_RELATIONS, "").rows == ()
    rows = WarehouseState(warehouse_manifest(), exists=True).answer(LIST_RELATIONS, "").rows
    assert sorted((row[1], row[3]) for row in rows) == [("agg", "materialized_view"), ("fct_sales", "table")]


def test_warehouse_follows_ddl_within_a_run_and_answers_columns() -> None:
    state = WarehouseState(warehouse_manifest(), exists=False)
    columns_sql = (
        "select * from information_schema.\"columns\" where table_name = 'fct_sales' and table_schema = 'gold'"
    )
    assert state.answer(columns_sql, "").rows == ()
    state.answer('create table "globalretail"."gold"."fct_sales" as (select 1)', "model.p.fct_sales")
    rows = state.answer(columns_sql, "").rows
    assert [row[:2] for row in rows] == [("sale_id", "character varying"), ("sold_at", "timestamp")]
    tmp = "select * from information_schema.\"columns\" where table_name = 'fct_sales__dbt_tmp063916'"
    assert len(state.answer(tmp, "").rows) == 2


def test_warehouse_describes_an_existing_mv_as_configured() -> None:
    state = WarehouseState(warehouse_manifest(), exists=True)
    row = state.answer(
        "select tb.database, tb.schema, tb.table, tb.diststyle, tb.sortkey1, mv.autorefresh from svv_table_info tb "
        "left join svv_mv_info mv on mv.name = tb.table where tb.table ilike 'agg' and tb.schema ilike 'gold'",
        "",
    ).rows[0]
    assert row == (DB, "gold", "agg", "ALL", "date_day", "t")


def test_warehouse_answers_spectrum_tests_freshness_and_constants_for_real() -> None:
    state = WarehouseState(warehouse_manifest(), exists=True)
    tables = state.answer("select tablename from svv_external_tables where schemaname = 'spectrum_raw'", "")
    assert tables.rows == (("orders",),)
    counts = state.answer(
        "select tablename, count(*) from svv_external_partitions where schemaname = 'spectrum_raw' group by tablename",
        "",
    )
    assert counts.rows[0][0] == "orders" and counts.rows[0][1] > 0
    test = state.answer("select count(*) as failures, count(*) != 0 as should_warn, 1 as should_error from (x)", "")
    assert test.rows == ((0, False, False),)
    fresh = state.answer("select max(dt) as max_loaded_at, getdate() as snapshotted_at from t", "")
    assert fresh.rows[0][0] < fresh.rows[0][1]
    days = state.answer("select datediff(day, cast('2010-01-01' as date), cast('2030-12-31' as date))", "")
    assert days.rows == ((7669,),)


def test_constant_queries_are_evaluated_with_redshift_date_parts() -> None:
    assert evaluate_constant("select datediff(month, '2024-01-31'::date, '2024-03-01'::date)").rows == ((2,),)
    result = evaluate_constant("select dateadd(day, 2, cast('2024-02-28' as date))").rows[0][0]
    assert str(result).startswith("2024-03-01")


# --- the recording connection -------------------------------------------------------------------------------


def test_handle_records_statements_and_follows_transaction_blocks() -> None:
    recorder = Recorder()
    recorder.phase = "p"
    handle = RecordingHandle(recorder)
    cursor = handle.cursor()
    for sql in ("select pg_backend_pid()", "BEGIN", "create table t (a int)", "COMMIT", "vacuum t"):
        cursor.execute(sql)
    handle.cursor().execute("begin")
    handle.rollback()
    assert [(s.sql, s.in_transaction) for s in recorder.statements] == [
        ("select pg_backend_pid()", False),
        ("BEGIN", False),
        ("create table t (a int)", True),
        ("COMMIT", True),
        ("vacuum t", False),
        ("begin", False),
        ("rollback", True),
    ]
    assert not handle.in_transaction


def test_recording_blocks_every_network_connection() -> None:
    with recording_adapter(Recorder()), pytest.raises(OfflineConnectionError):
        socket.create_connection(("redshift.invalid", 5439), timeout=1)
    import redshift_connector

    with recording_adapter(Recorder()), pytest.raises(OfflineConnectionError):
        redshift_connector.connect(host="redshift.invalid")


def test_every_rule_cites_a_page_and_is_run() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES) == 13
    assert all(rule.citation.startswith("https://docs.") for rule in RULES)
    assert [rule.name for rule, _ in run_rules(RuleContext(()))] == [rule.name for rule in RULES]


# --- recording a tiny dbt project (slow) --------------------------------------------------------------------

PROFILES = """\
tiny:
  target: redshift
  outputs:
    redshift:
      type: redshift
      method: iam
      host: redshift.invalid
      port: 5439
      dbname: dev
      user: dbt
      cluster_id: ""
      region: us-east-1
      schema: analytics
      threads: 1
"""

PROJECT = """\
name: tiny
version: "1.0.0"
config-version: 2
profile: tiny
models:
  tiny:
    +materialized: table
"""

MODELS = {
    "models/orders.sql": "select 1 as order_id, cast('2024-01-01' as date) as order_date\n",
    "models/orders_mv.sql": (
        "{{ config(materialized='materialized_view', auto_refresh=false) }}\n"
        "select order_date, count(*) as orders from {{ ref('orders') }} group by order_date\n"
    ),
    "models/calendar.sql": (
        "{{ dbt.date_spine('day', \"cast('2024-01-01' as date)\", \"cast('2024-12-31' as date)\") }}\n"
    ),
    "models/_models.yml": (
        "models:\n  - name: orders\n    columns:\n      - name: order_id\n        data_tests: [not_null]\n"
    ),
}


@pytest.mark.slow
def test_recorder_records_ddl_and_mv_statements_of_a_tiny_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for relative, text in {"dbt_project.yml": PROJECT, "profiles.yml": PROFILES, **MODELS}.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "recorded"
    recording = record_project(RecordSettings(project, out))

    assert recording.failures == ()
    by_phase = {phase: [normalized(s.sql) for s in recording.of_phase(phase)] for phase in recording.phases}
    first, second = by_phase[PHASE_FIRST_BUILD], by_phase[PHASE_SECOND_BUILD]
    assert any(sql.startswith('create table "dev"."analytics"."orders__dbt_tmp"') for sql in first)
    assert any(sql.startswith('create materialized view "dev"."analytics"."orders_mv"') for sql in first)
    assert any('alter table "dev"."analytics"."orders" rename to "orders__dbt_backup"' in sql for sql in second)
    assert any(sql.startswith('drop table if exists "dev"."analytics"."orders__dbt_backup" cascade') for sql in second)
    assert any(sql.startswith('refresh materialized view "dev"."analytics"."orders_mv"') for sql in second)
    assert any("from svv_table_info" in sql for sql in second)
    calendar = next(sql for sql in first if sql.startswith('create table "dev"."analytics"."calendar__dbt_tmp"'))
    assert "generated_number <= 365" in calendar  # dbt.date_spine got the real datediff, not one day
    ddl = [s for s in recording.statements if normalized(s.sql).startswith(("create table", "drop", "alter"))]
    assert ddl and all(s.in_transaction for s in ddl)  # dbt wraps model DDL in BEGIN ... COMMIT

    written = load_recording(out / "statements.jsonl")
    assert len(written.statements) == len(recording.statements)
    assert json.loads((out / "statements.jsonl").read_text(encoding="utf-8").splitlines()[0]).keys() >= {
        "node",
        "phase",
        "sql",
        "in_transaction",
    }
    assert "-- [0]" in (out / "statements.sql").read_text(encoding="utf-8")

    man = json.loads((out / "dbt" / "parse" / "manifest.json").read_text(encoding="utf-8"))
    findings = mviews.check_drop_cascade(RuleContext(recording.statements, man)).findings
    assert len(findings) == 1
    assert "analytics.orders__dbt_backup (the previous analytics.orders) is dropped" in findings[0].message
    assert "materialized view analytics.orders_mv" in findings[0].message


# --- wiring: `warehouse verify redshift` reports one row per rule -------------------------------------------


def test_verify_reports_a_row_per_rule_from_the_last_recording(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from warehouse.verify.redshift.check import VerifyConfig, VerifyReport, recorded_summaries
    from warehouse.verify.redshift.recording import Recording, write_recording
    from warehouse.verify.redshift.report import print_report

    project = tmp_path / "project"
    project.mkdir()
    config = VerifyConfig.for_project(project, target_path=tmp_path / "redshift", run_dbt=False)
    assert config.recorded_path == (tmp_path / "redshift_recorded").resolve()
    recorded = config.recorded_path
    (recorded / "dbt" / "parse").mkdir(parents=True)
    (recorded / "dbt" / "parse" / "manifest.json").write_text(json.dumps(manifest()), encoding="utf-8")
    bad = statements((FLAT_TABLE, {"in_transaction": True, "node": "operation.p.p-on-run-start-0"}))
    write_recording(Recording(bad), RecordSettings(project, recorded))

    summaries = recorded_summaries(config)
    assert [s.name for s in summaries] == ["recorded dbt build", *(f"rule {rule.name}" for rule in RULES)]
    failed = [s for s in summaries if not s.passed]
    assert [s.name for s in failed] == ["rule transaction-block"]
    out = io.StringIO()
    print_report(VerifyReport(summaries), Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "operation.p.p-on-run-start-0: [transaction-block] CREATE EXTERNAL TABLE runs inside a transaction" in text
    assert "#0 [build (everything exists)] create external table spectrum_raw.orders" in text


def test_verify_without_a_recording_says_how_to_make_one(tmp_path: Path) -> None:
    from warehouse.verify.redshift.check import VerifyConfig, recorded_summaries

    config = VerifyConfig.for_project(tmp_path, target_path=tmp_path / "redshift", run_dbt=False)
    (summary,) = recorded_summaries(config)
    assert summary.check is Check.RECORDED and "run without --skip-dbt" in summary.findings[0].message
    assert recorded_summaries(VerifyConfig.for_project(tmp_path, run_dbt=False, record=False)) == ()
