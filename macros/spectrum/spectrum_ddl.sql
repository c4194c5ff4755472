{#-
    Redshift Spectrum DDL generated from the bronze source YAML (each source table's `external:` block and
    `columns:`), so every dataset is described once. These macros only build SQL text; the on-run-start
    hook stage_external_sources() runs it on Redshift, and analyses/redshift_ddl.sql renders it for the
    docs and the offline checks.
-#}

{#- s3://bucket/prefix: the lake root on S3 in production. -#}
{% macro spectrum_lake_root() -%}
    {{ return(env_var('WAREHOUSE_S3_LAKE_ROOT', 's3://globalretail-raw/lake') | trim('/')) }}
{%- endmacro %}

{% macro spectrum_external_schema_sql() -%}
create external schema if not exists {{ var('spectrum_schema') }}
from data catalog
database '{{ var('glue_database') }}'
iam_role '{{ env_var('REDSHIFT_SPECTRUM_ROLE_ARN', 'arn:aws:iam::123456789012:role/globalretail-spectrum') }}'
create external database if not exists
{%- endmacro %}

{#- Bronze sources that describe a lake dataset (an `external:` block with a location). -#}
{% macro spectrum_sources() -%}
    {%- set nodes = [] -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.external and node.external.location -%}
            {%- do nodes.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(nodes) }}
{%- endmacro %}

{% macro spectrum_table_name(node) -%}
    {{ return(var('spectrum_schema') ~ '.' ~ node.identifier) }}
{%- endmacro %}

{% macro spectrum_location(node) -%}
    {{ return(globalretail.spectrum_lake_root() ~ '/' ~ (node.external.location | trim('/')) ~ '/') }}
{%- endmacro %}

{% macro spectrum_external_table_sql(node) -%}
    {%- set external = node.external -%}
    {%- set file_format = external.file_format -%}
    {%- set partitions = external.partitions or [] -%}
create external table {{ globalretail.spectrum_table_name(node) }} (
    {%- for column in node.columns.values() if (column.meta or {}).get('physical', true) %}
    {{ column.name }} {{ column.data_type or 'varchar(65535)' }}{% if not loop.last %},{% endif %}
    {%- endfor %}
)
{%- if partitions %}
partitioned by (
    {%- for partition in partitions %}{{ partition.name }} {{ partition.data_type }}{% if not loop.last %}, {% endif %}{% endfor -%}
)
{%- endif %}
{%- if file_format == 'text_lines' %}
row format delimited
fields terminated by '\001'
lines terminated by '\n'
stored as textfile
{%- elif file_format == 'csv' %}
{#- OpenCSVSerde's own defaults (separator ',', quote '"', escape '\'); AWS documents no other SERDEPROPERTIES
    for it than 'wholeFile' (r_CREATE_EXTERNAL_TABLE.html), so none are set. #}
row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
stored as textfile
{%- elif file_format == 'parquet' %}
stored as parquet
{%- else %}
{{ exceptions.raise_compiler_error("spectrum: unknown file_format '" ~ file_format ~ "' for " ~ node.unique_id) }}
{%- endif %}
location '{{ globalretail.spectrum_location(node) }}'
{%- if file_format in ('text_lines', 'csv') %}
{#-
    Documented table properties only (r_CREATE_EXTERNAL_TABLE.html, TABLE PROPERTIES). Text columns are
    declared varchar(65535) and bronze checks each field against its own width (value_too_long), so the
    default surplus handling, which silently nulls a value wider than its column, must never act: a value
    wider than 65,535 bytes is truncated instead, and bronze quarantines it as too long.
    A row with a value that is not valid UTF-8 arrives with every value null (invalid_char_handling
    DROP_ROW, "replaces each value in the row with null"): the record keeps its place and bronze
    quarantines it (empty_record), as the DuckDB reader does; SET_TO_NULL would null only that value and
    could let the rest of the row through with a field silently missing.
-#}
table properties (
    {%- if file_format == 'csv' %}'skip.header.line.count' = '1', {% endif -%}
    'data_cleansing_enabled' = 'true', 'surplus_char_handling' = 'TRUNCATE', 'invalid_char_handling' = 'DROP_ROW')
{%- endif %}
{%- endmacro %}

{#-
    ALTER TABLE statements registering the given partition values (dates, as YYYY-MM-DD strings) of a
    daily-partitioned table, `batch_size` partitions per statement; IF NOT EXISTS makes a rerun a no-op.
-#}
{% macro spectrum_add_partitions_sql(node, values, batch_size=100) -%}
    {%- set statements = [] -%}
    {%- set column = node.external.partitions[0].name -%}
    {%- for batch in values | batch(batch_size) -%}
        {%- set clauses = [] -%}
        {%- for value in batch -%}
            {%- do clauses.append("partition (" ~ column ~ " = '" ~ value ~ "') location '"
                ~ globalretail.spectrum_location(node) ~ column ~ "=" ~ value ~ "/'") -%}
        {%- endfor -%}
        {%- do statements.append("alter table " ~ globalretail.spectrum_table_name(node)
            ~ " add if not exists\n" ~ clauses | join("\n")) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}
