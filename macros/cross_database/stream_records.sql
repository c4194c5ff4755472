{#-
    The records of a stream source with the columns Redshift streaming ingestion gives (docs/streams.md):
    approximate_arrival_timestamp, partition_key, shard_id, sequence_number, plus
    - payload_bytes: the record's size in bytes;
    - raw_payload: the record as text, null when it is longer than 65,535 bytes, the most a VARCHAR holds
      (r_Character_types.html). A Kinesis record can be up to 1 MB; bronze quarantines a longer one as
      `value_too_long` instead of failing on it, and the JSON functions that read raw_payload never see
      an input over their limit;
    - _source_file: the micro-batch file (locally) or the stream (Redshift).
    Nothing is parsed here: bronze's typed model extracts the fields (json_text_columns).

    Redshift: the body of a streaming materialized view over the Kinesis external schema
    (materialized-view-streaming-ingestion.html); its refresh reads only new records itself, so
    `loaded_relation` is ignored. DuckDB: the micro-batch files; with `loaded_relation` (an incremental
    run), only the files not loaded into it yet (duckdb_new_files_location).
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
        {{ globalretail.byte_length('kinesis_data') }} as payload_bytes,
        case when {{ globalretail.byte_length('kinesis_data') }} <= 65535 then kinesis_data end as raw_payload,
        source_file as _source_file
    from {{ records }}
{%- endmacro %}

{% macro redshift__stream_records(source_name, table_name, loaded_relation=none) -%}
    select
        approximate_arrival_timestamp,
        partition_key,
        shard_id,
        sequence_number,
        len(kinesis_data) as payload_bytes,
        case when len(kinesis_data) <= 65535 then from_varbyte(kinesis_data, 'utf-8') end as raw_payload,
        cast('kinesis://{{ source(source_name, table_name).identifier }}' as varchar(256)) as _source_file
    from {{ source(source_name, table_name) }}
{%- endmacro %}

{#-
    The raw payload a quarantined stream record keeps: its text, or for a record too long for a varchar
    (raw_payload null) a note of its size, so the quarantine row still says what arrived.
-#}
{% macro stream_raw_record(raw_payload='raw_payload', payload_bytes='payload_bytes') -%}
    coalesce(
        {{ raw_payload }},
        {{ dbt.concat([
            "'<a record of '",
            dbt.cast(payload_bytes, dbt.type_string()),
            "' bytes, longer than a varchar holds>'",
        ]) }}
    )
{%- endmacro %}
