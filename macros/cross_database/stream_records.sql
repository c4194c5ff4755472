{#-
    The records of a stream source with the columns Redshift streaming ingestion gives (docs/streams.md):
    approximate_arrival_timestamp, partition_key, shard_id, sequence_number, raw_payload (text, always kept),
    is_valid_json and payload (parsed only when it is a JSON object), plus _source_file.

    Redshift: the body of a streaming materialized view over the Kinesis external schema; JSON_PARSE is
    guarded by CAN_JSON_PARSE so an unparseable payload is kept as raw_payload with a null payload.
    DuckDB: the micro-batch files, the payload parsed the same way. With `loaded_relation` (an incremental
    run), only the micro-batch files not loaded into it yet are read (duckdb_new_files_location); Redshift
    ignores it: the streaming materialized view's refresh reads only new records itself.
-#}
{% macro stream_records(source_name, table_name, loaded_relation=none) -%}
    {{ return(adapter.dispatch('stream_records', 'globalretail')(source_name, table_name, loaded_relation)) }}
{%- endmacro %}

{% macro default__stream_records(source_name, table_name, loaded_relation=none) -%}
    {%- set records -%}
        {{ source(source_name, table_name) }}
        {%- if loaded_relation is not none %}
    where source_file not in (select distinct loaded._source_file from {{ loaded_relation }} as loaded)
        {%- endif -%}
    {%- endset -%}
    {{ globalretail.stream_records_select(records) }}
{%- endmacro %}

{% macro duckdb__stream_records(source_name, table_name, loaded_relation=none) -%}
    {%- set records = source(source_name, table_name) -%}
    {%- if loaded_relation is not none -%}
        {%- set location = globalretail.duckdb_new_files_location(source_name, table_name, loaded_relation) -%}
        {%- set records = records ~ ' where false' if location is none else location -%}
    {%- endif -%}
    {{ globalretail.stream_records_select(records) }}
{%- endmacro %}

{#- The stream columns from a relation (or a relation and its filter) of raw micro-batch records. -#}
{% macro stream_records_select(records) -%}
    select
        approximate_arrival_timestamp,
        partition_key,
        shard_id,
        sequence_number,
        kinesis_data as raw_payload,
        {{ globalretail.is_json_object('kinesis_data') }} as is_valid_json,
        cast(case when {{ globalretail.is_json_object('kinesis_data') }} then kinesis_data end as json) as payload,
        source_file as _source_file
    from {{ records }}
{%- endmacro %}

{% macro redshift__stream_records(source_name, table_name, loaded_relation=none) -%}
    select
        approximate_arrival_timestamp,
        partition_key,
        shard_id,
        sequence_number,
        from_varbyte(kinesis_data, 'utf-8') as raw_payload,
        can_json_parse(kinesis_data) as is_valid_json,
        case when can_json_parse(kinesis_data) then json_parse(kinesis_data) end as payload,
        cast('kinesis://{{ source(source_name, table_name).identifier }}' as varchar(256)) as _source_file
    from {{ source(source_name, table_name) }}
{%- endmacro %}
