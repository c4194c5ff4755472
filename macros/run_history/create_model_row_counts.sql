{#-
    on-run-start hook: the volume history table exists before any volume_guard test reads it. Idempotent
    (CREATE SCHEMA / CREATE TABLE IF NOT EXISTS, r_CREATE_SCHEMA.html and r_CREATE_TABLE_NEW.html on
    Redshift); the same statements on DuckDB. Only the commands that run models or tests touch the
    warehouse: `dbt compile` and `dbt docs generate` render hooks too.
-#}
{% macro create_model_row_counts() -%}
    {%- if execute and flags.WHICH in ('run', 'build', 'test') -%}
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
    {%- endif -%}
{%- endmacro %}
