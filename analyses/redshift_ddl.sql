{#-
    Every Redshift DDL statement the project generates for its external sources, exactly as the
    on-run-start hook stage_external_sources() runs it. Compile with
        dbt compile --target redshift --no-introspect --no-populate-cache
    The partition statement shows two example days: `warehouse spectrum setup` registers the folders that
    exist on S3 (the hook only checks that each dataset has some).
    docs/redshift.md embeds this file (scripts: warehouse verify redshift --write-docs).
-#}
{% if execute %}
-- Spectrum external schema over the Glue data catalog
{{ spectrum_external_schema_sql() }};
{% for node in spectrum_sources() %}
-- {{ node.source_name }}.{{ node.name }}: {{ node.external.file_format }} files under {{ node.external.location }}
{{ spectrum_external_table_sql(node) }};

{% for statement in spectrum_add_partitions_sql(node, ['2025-10-01', '2025-10-02']) -%}
{{ statement }};
{% endfor %}
{% endfor %}
-- Kinesis streams for streaming ingestion
{{ kinesis_external_schema_sql() }};

-- Federated product catalog in PostgreSQL
{{ postgres_external_schema_sql() }};
{% endif %}
