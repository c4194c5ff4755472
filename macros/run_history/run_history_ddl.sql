{#-
    Every run history table, idempotent: CREATE SCHEMA IF NOT EXISTS (r_CREATE_SCHEMA.html) and CREATE
    TABLE IF NOT EXISTS (r_CREATE_TABLE_NEW.html) on Redshift; the same statements on DuckDB and
    PostgreSQL. Text columns are sized in bytes, as Redshift's VARCHAR(n) is (r_Character_types.html):
    run_history_text truncates to a quarter of the width, so four-byte UTF-8 characters still fit.
-#}
{% macro run_history_ddl() -%}
    {%- set invocations = globalretail.run_history_relation('invocations') -%}
    {%- set node_results = globalretail.run_history_relation('node_results') -%}
{{ globalretail.model_row_counts_ddl() }};
create table if not exists {{ invocations }} (
    invocation_id varchar(64),
    run_started_at timestamp,
    run_ended_at timestamp,
    target_name varchar(128),
    command varchar(32),
    selector varchar(1024),
    is_full_refresh boolean,
    dbt_version varchar(32),
    status varchar(16),
    nodes integer,
    models_built integer,
    nodes_errored integer,
    nodes_skipped integer,
    tests_passed integer,
    tests_warned integer,
    tests_failed integer,
    silver_rows bigint,
    gold_rows bigint
);
create table if not exists {{ node_results }} (
    invocation_id varchar(64),
    run_started_at timestamp,
    unique_id varchar(512),
    resource_type varchar(32),
    node_name varchar(256),
    schema_name varchar(128),
    materialization varchar(32),
    status varchar(16),
    execution_seconds double precision,
    failures bigint,
    rows_affected bigint,
    message varchar(1024)
)
{%- endmacro %}
