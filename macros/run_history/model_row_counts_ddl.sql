{#-
    The volume history's schema and table, idempotent: CREATE SCHEMA IF NOT EXISTS (r_CREATE_SCHEMA.html)
    and CREATE TABLE IF NOT EXISTS (r_CREATE_TABLE_NEW.html) on Redshift; the same statements on DuckDB and
    PostgreSQL. Column meanings: docs/lake.md, "The volume guard".
-#}
{% macro model_row_counts_ddl() -%}
    {%- set relation = globalretail.model_row_counts_relation() -%}
create schema if not exists {{ relation.schema }};
create table if not exists {{ relation }} (
    invocation_id varchar(64),
    run_started_at timestamp,
    unique_id varchar(512),
    model_name varchar(256),
    schema_name varchar(128),
    table_name varchar(128),
    row_count bigint
)
{%- endmacro %}
