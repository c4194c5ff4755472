{#-
    The records of a stream source with the columns Redshift streaming ingestion gives (docs/streams.md):
    approximate_arrival_timestamp, partition_key, shard_id, sequence_number, raw_payload (text, always kept),
    is_valid_json and payload (parsed only when it is a JSON object), plus _source_file.

    Redshift: the body of a streaming materialized view over the Kinesis external schema; JSON_PARSE is
    guarded by CAN_JSON_PARSE so an unparseable payload is kept as raw_payload with a null payload.
    DuckDB: the micro-batch files, the payload parsed the same way.
-#}
{% macro stream_records(source_name, table_name) -%}
    {{ return(adapter.dispatch('stream_records', 'globalretail')(source_name, table_name)) }}
{%- endmacro %}

{% macro default__stream_records(source_name, table_name) -%}
    select
        approximate_arrival_timestamp,
        partition_key,
        shard_id,
        sequence_number,
        kinesis_data as raw_payload,
        {{ globalretail.is_json_object('kinesis_data') }} as is_valid_json,
        cast(case when {{ globalretail.is_json_object('kinesis_data') }} then kinesis_data end as json) as payload,
        source_file as _source_file
    from {{ source(source_name, table_name) }}
{%- endmacro %}

{% macro redshift__stream_records(source_name, table_name) -%}
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
