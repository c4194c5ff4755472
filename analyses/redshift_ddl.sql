{#-
    Every Redshift DDL statement the project generates for its external sources, exactly as the
    on-run-start hook stage_external_sources() runs it. Compile with
        dbt compile --target redshift --no-introspect --no-populate-cache
    The partition statement shows the first days of each table; the hook adds the missing days.
    docs/redshift.md embeds this file (scripts: warehouse verify redshift --write-docs).
-#}
{% if execute %}
-- Spectrum external schema over the Glue data catalog
{{ spectrum_external_schema_sql() }};
{% for node in spectrum_sources() %}
-- {{ node.source_name }}.{{ node.name }}: {{ node.external.file_format }} files under {{ node.external.location }}
{{ spectrum_external_table_sql(node) }};

{% for statement in spectrum_add_partitions_sql(node, spectrum_partition_days(
    modules.datetime.date.fromisoformat(var('lake_start_date')) + modules.datetime.timedelta(days=2))) -%}
{{ statement }};
{% endfor %}
{% endfor %}
-- Kinesis streams for streaming ingestion
{{ kinesis_external_schema_sql() }};

-- Federated product catalog in PostgreSQL
{{ postgres_external_schema_sql() }};
{% endif %}
