{#-
    on-run-start hook: before any model runs on Redshift, make every external object the bronze layer
    reads exist and be current, idempotently:
      1. the Spectrum external schema over the Glue database;
      2. each lake dataset's external table, created when missing (from the source YAML);
      3. each table's daily partitions from var('lake_start_date') through the run date: the registered
         ones are read from svv_external_partitions and only the missing ones are added, so nobody keeps
         a list of partition values and a rerun adds nothing;
      4. the Kinesis and federated PostgreSQL external schemas.
    On DuckDB the sources read the lake files directly and there is nothing to stage.
    Only commands that read sources stage them: `dbt compile` and `dbt docs generate` render hooks too,
    and must not touch the warehouse. Disable with --vars '{stage_external_sources: false}'.
-#}
{% macro stage_external_sources() %}
    {%- set reads_sources = flags.WHICH in ('run', 'build', 'test', 'seed', 'snapshot', 'source', 'freshness') -%}
    {%- if execute and reads_sources and target.type == 'redshift' and var('stage_external_sources', true) -%}
        {%- do run_query(globalretail.spectrum_external_schema_sql()) -%}
        {%- set existing = run_query(
            "select tablename from svv_external_tables where schemaname = '" ~ var('spectrum_schema') ~ "'"
        ).columns[0].values() -%}
        {%- set days = globalretail.spectrum_partition_days(run_started_at.date()) -%}
        {%- for node in globalretail.spectrum_sources() -%}
            {%- if node.identifier not in existing -%}
                {{ log("spectrum: creating " ~ globalretail.spectrum_table_name(node), info=true) }}
                {%- do run_query(globalretail.spectrum_external_table_sql(node)) -%}
            {%- endif -%}
            {%- set registered = run_query(
                "select values from svv_external_partitions where schemaname = '" ~ var('spectrum_schema')
                ~ "' and tablename = '" ~ node.identifier ~ "'"
            ).columns[0].values() | map('replace', '["', '') | map('replace', '"]', '') | list -%}
            {%- set missing = days | reject('in', registered) | list -%}
            {%- for statement in globalretail.spectrum_add_partitions_sql(node, missing) -%}
                {%- do run_query(statement) -%}
            {%- endfor -%}
            {{ log("spectrum: " ~ node.identifier ~ ": " ~ missing | length ~ " partitions added, "
                ~ registered | length ~ " already registered", info=true) }}
        {%- endfor -%}
        {%- do run_query(globalretail.kinesis_external_schema_sql()) -%}
        {%- if env_var('REDSHIFT_CATALOG_PG_URI', '') -%}
            {%- do run_query(globalretail.postgres_external_schema_sql()) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
