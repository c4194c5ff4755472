{#-
    on-run-start hook: before any model runs on Redshift, make every external object the bronze layer
    reads exist, idempotently:
      1. the Spectrum external schema over the Glue database;
      2. each lake dataset's external table, created when missing (from the source YAML);
      3. a check that every dataset has registered partitions: partitions are registered by
         `warehouse spectrum setup`, which lists S3 and registers exactly the `dt=` folders that hold files
         (SQL cannot list S3, and registering every calendar day since the lake began would add tens of
         thousands of empty partitions). A dataset with none stops the build with the command to run,
         unless its source says `external.may_be_empty` (the cold tier before its first offload);
      4. the Kinesis and federated PostgreSQL external schemas.
    Each statement runs on its own, outside a transaction block: CREATE EXTERNAL TABLE cannot run inside
    one (r_CREATE_EXTERNAL_TABLE.html, Usage notes).
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
        {%- set partitioned = run_query(
            "select tablename, count(*) from svv_external_partitions where schemaname = '"
            ~ var('spectrum_schema') ~ "' group by tablename"
        ) -%}
        {%- set partition_counts = {} -%}
        {%- for row in partitioned.rows -%}
            {%- do partition_counts.update({row[0]: row[1]}) -%}
        {%- endfor -%}
        {%- set unpartitioned = [] -%}
        {%- for node in globalretail.spectrum_sources() -%}
            {%- if node.identifier not in existing -%}
                {{ log("spectrum: creating " ~ globalretail.spectrum_table_name(node), info=true) }}
                {%- do run_query(globalretail.spectrum_external_table_sql(node)) -%}
            {%- endif -%}
            {%- set count = partition_counts.get(node.identifier, 0) -%}
            {{ log("spectrum: " ~ node.identifier ~ ": " ~ count ~ " partitions registered", info=true) }}
            {%- if count == 0 and not node.external.get('may_be_empty', false) -%}
                {%- do unpartitioned.append(globalretail.spectrum_table_name(node)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if unpartitioned -%}
            {{ exceptions.raise_compiler_error(
                "no partitions registered for " ~ unpartitioned | join(', ') ~ ": a build would read nothing "
                ~ "from them. Run `warehouse spectrum setup` (it lists the lake on S3 and registers every "
                ~ "dt= folder that holds files), then build again.") }}
        {%- endif -%}
        {%- do run_query(globalretail.kinesis_external_schema_sql()) -%}
        {%- if env_var('REDSHIFT_CATALOG_PG_URI', '') -%}
            {%- do run_query(globalretail.postgres_external_schema_sql()) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
